"""The three-way merge of network updates, and the paragraph comparison readers see."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.core.errors import ApprodoError
from models.protocols import diffs
from models.protocols.merge import Choice, merge_update, resolve

# Paragraphs of a section: words, sometimes Markdown list lines; texts are paragraphs separated by blank lines.
words = st.text(alphabet="abcdeèfgilmnoprstuvz", min_size=1, max_size=8)
paragraph = st.lists(words, min_size=1, max_size=6).map(" ".join)
texts = st.lists(paragraph, min_size=0, max_size=6).map(lambda ps: "\n\n".join(ps) + ("\n" if ps else ""))


def numbered(paragraphs: list[str]) -> list[str]:
    """Distinct paragraphs (the numbers keep two paragraphs from being alike)."""
    return [f"{n}. {p}" for n, p in enumerate(paragraphs)]


def join(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs) + "\n"


@settings(max_examples=150, deadline=None)
@given(base=texts, changed=texts)
def test_a_change_merged_with_an_untouched_text_is_the_change(base, changed):
    # The network changed, the school did not: the school gets the network's text, and the other way round.
    assert resolve(merge_update(base, changed, base)) == changed
    assert resolve(merge_update(base, base, changed)) == changed
    assert merge_update(base, changed, base).clean


@settings(max_examples=150, deadline=None)
@given(base=texts, changed=texts)
def test_the_same_change_on_both_sides_comes_out_once(base, changed):
    result = merge_update(base, changed, changed)
    assert result.clean
    assert resolve(result) == changed


@settings(max_examples=150, deadline=None)
@given(st.lists(paragraph, min_size=3, max_size=8), st.data())
def test_changes_to_different_paragraphs_are_both_kept(paragraphs, data):
    base = numbered(paragraphs)
    i = data.draw(st.integers(0, len(base) - 1), label="network's paragraph")
    j = data.draw(st.integers(0, len(base) - 1).filter(lambda j: j != i), label="school's paragraph")
    theirs, mine = list(base), list(base)
    theirs[i] = base[i] + " rete"
    mine[j] = base[j] + " scuola"
    result = merge_update(join(base), join(theirs), join(mine))
    assert result.clean
    expected = list(base)
    expected[i], expected[j] = theirs[i], mine[j]
    assert resolve(result) == join(expected)


@settings(max_examples=150, deadline=None)
@given(st.lists(paragraph, min_size=1, max_size=6), st.data())
def test_both_changing_one_paragraph_is_a_conflict_with_both_texts(paragraphs, data):
    base = numbered(paragraphs)
    i = data.draw(st.integers(0, len(base) - 1))
    theirs, mine = list(base), list(base)
    theirs[i], mine[i] = base[i] + " versione della rete", base[i] + " versione della scuola"
    result = merge_update(join(base), join(theirs), join(mine))
    assert len(result.conflicts) == 1
    chunk = result.chunks[result.conflicts[0]]
    assert theirs[i] in chunk.theirs and mine[i] in chunk.mine and base[i] in chunk.base
    # Each choice gives the whole text with that passage settled.
    assert resolve(result, {result.conflicts[0]: Choice.CORE}) == join(theirs)
    assert resolve(result, {result.conflicts[0]: Choice.MINE}) == join(mine)
    both = resolve(result, {result.conflicts[0]: Choice.BOTH})
    assert both.index(theirs[i]) < both.index(mine[i])
    edited = resolve(result, {result.conflicts[0]: Choice.EDIT}, {result.conflicts[0]: "Scritto di nuovo."})
    assert edited == join(base[:i] + ["Scritto di nuovo."] + base[i + 1:])


def test_both_adding_at_the_end_asks_and_both_keeps_two_paragraphs():
    base = "Primo.\n\nSecondo.\n"
    theirs = base + "\nDella rete.\n"
    mine = base + "\nDella scuola.\n"
    result = merge_update(base, theirs, mine)
    assert not result.clean
    with pytest.raises(ApprodoError, match="Scegli il testo"):
        resolve(result)
    assert resolve(result, {result.conflicts[0]: Choice.BOTH}) == "Primo.\n\nSecondo.\n\nDella rete.\n\nDella scuola.\n"


def test_school_additions_survive_a_network_change_elsewhere():
    # The bug of the old "take the network's text": the school's added paragraph was lost.
    base = "Premessa.\n\nServizi del territorio.\n\nContatti.\n"
    theirs = "Premessa aggiornata dalla rete.\n\nServizi del territorio.\n\nContatti.\n"
    mine = "Premessa.\n\nServizi del territorio.\n\nSportello del comune, il martedì.\n\nContatti.\n"
    result = merge_update(base, theirs, mine)
    assert result.clean
    assert resolve(result) == ("Premessa aggiornata dalla rete.\n\nServizi del territorio.\n\n"
                               "Sportello del comune, il martedì.\n\nContatti.\n")
    assert [c.source for c in result.chunks if c.source != "same"] == ["core", "mine"]


# --- the paragraph comparison --------------------------------------------------------


def test_a_changed_word_shows_in_its_paragraph_not_as_a_stream():
    old = "Primo paragrafo.\n\nIl colloquio si tiene entro 5 giorni.\n\nUltimo."
    new = "Primo paragrafo.\n\nIl colloquio si tiene entro 3 giorni.\n\nUltimo.\n\nAggiunto."
    rows = diffs.paragraph_diff(old, new)
    assert [r.kind for r in rows] == ["same", "changed", "same", "added"]
    changed = rows[1]
    assert [p.text for p in changed.words() if p.kind != "same"] == ["5", "3"]
    assert rows[3].new == "Aggiunto." and rows[3].old == ""


def test_a_removed_paragraph_is_shown_removed():
    rows = diffs.paragraph_diff("A.\n\nB.\n\nC.", "A.\n\nC.")
    assert [(r.kind, r.old) for r in rows] == [("same", "A."), ("removed", "B."), ("same", "C.")]


@settings(max_examples=100, deadline=None)
@given(old=texts, new=texts)
def test_the_paragraph_comparison_holds_both_texts(old, new):
    rows = diffs.paragraph_diff(old, new)
    assert [r.old for r in rows if r.kind != "added"] == diffs.paragraphs(old)
    assert [r.new for r in rows if r.kind != "removed"] == diffs.paragraphs(new)
