"""Widgets shared by the protocol pages: choosing a protocol and a section, diffs, previews."""

from __future__ import annotations

import html
import zlib
from dataclasses import dataclass

import streamlit as st

from models.core import clock
from models.core.errors import ApprodoError
from models.protocols import diffs, richtext
from models.protocols import drafts as stored_drafts
from models.protocols import protocol as protocols
from models.protocols.templates import KIND_LABELS
from ui import strings as S
from ui.diff_view import diff_html
from ui.rich_editor import insert_controls, rich_editor
from ui.session import PageContext, show_flash
from ui.text import plain_format, show_error

QUERY_KEY = "protocollo"
SECTION_QUERY_KEY = "sezione"
_CORE_WORDS = "protocollo comune"
REMEMBERED_KEY = "approdo_protocol"

_CSS = """
<style>
.approdo-text table {border-collapse: collapse; margin: .5em 0;}
.approdo-text th, .approdo-text td {border: 1px solid #ccc; padding: .25em .5em; vertical-align: top;}
</style>
"""


def protocol_label(protocol: protocols.Protocol) -> str:
    who = protocol.school_code
    if protocol.is_core:  # the core's own title says whose it is ("– protocollo comune della Rete …")
        who = None if _CORE_WORDS in protocol.title.lower() else S.CORE_BADGE
    return " · ".join(part for part in (protocol.title, who, protocol.status_label) if part)


def choose_protocol(ctx: PageContext, page: str = "", sections: bool = False) -> protocols.Protocol | None:
    """The protocol named in the URL (?protocollo=ID), or one picked from the list.

    The id in the URL is only a wish: models/ decides whether this user may read it. `sections`: the page goes
    on to `choose_section`, which writes the address (both parameters in one change: one history entry).
    """
    # The URL names the protocol; otherwise the one this user last opened.
    st.session_state[_PAGE_KEY] = page
    st.session_state.pop(_PENDING_KEY, None)
    st.session_state.pop(_SHOWN_KEY, None)
    asked = _asked(QUERY_KEY)
    wanted = asked or st.session_state.get(REMEMBERED_KEY)
    protocol = None
    if wanted is not None:
        try:
            protocol = protocols.get_protocol(ctx.db, ctx.actor, int(wanted))
        except ValueError:
            st.error(S.PROTOCOL_PARAM_INVALID)
        except ApprodoError as error:
            show_error(error)
        if protocol is None:
            st.query_params.pop(QUERY_KEY, None)
            st.session_state.pop(REMEMBERED_KEY, None)
            return None
    visible = protocols.list_protocols(ctx.db, ctx.actor)
    if not visible:
        st.info(S.NO_PROTOCOLS)
        return None
    # Without a choice yet, the user's own school's protocol (not the first core of the network).
    protocol = protocol or next((p for p in visible if p.school_code and p.school_code == ctx.actor.school_code),
                                visible[0])
    # Ids, not Protocol objects: Streamlit would hand back the object of an earlier run while its label is the
    # same (the protocol before the last save: its version number behind).
    by_id = {p.id: p for p in visible}
    ids = list(by_id)
    chosen = by_id.get(st.selectbox(S.CHOOSE_PROTOCOL, ids, index=ids.index(protocol.id) if protocol.id in ids else 0,
                                    format_func=lambda i: protocol_label(by_id[i])), visible[0])
    st.session_state[REMEMBERED_KEY] = str(chosen.id)
    # Another protocol: the section in the address was one of the previous protocol's.
    st.session_state[_PENDING_KEY] = _changes(QUERY_KEY, str(chosen.id), str(protocol.id), asked)
    if chosen.id != protocol.id:
        st.session_state[_PENDING_KEY][SECTION_QUERY_KEY] = None
    if not sections:
        _write_address()
    return chosen


# --- the address: one user action, at most one entry in the browser's history ---------------
# Every change of st.query_params is a new entry in the browser's history (Streamlit pushes it). So the protocol
# pages write the address once a run, both parameters together, and only for a choice the user made: a page
# opened without them (from the menu) keeps its address, and what it showed is remembered, so that the browser's
# Back to that address shows it again.
_PENDING_KEY = "approdo_address_pending"  # {parameter: value or None (removed)}: this run's changes, not written yet
_LAST_KEY = "approdo_address_last"  # (page, {parameter: value}): the address as the last run left it
_BARE_KEY = "approdo_address_bare"  # {(page, parameter): value}: what the page showed with no such parameter
_SHOWN_KEY = "approdo_address_shown"  # {parameter: value}: what this run shows
_PAGE_KEY = "approdo_address_page"  # the protocol page of this run (its title)


def _asked(key: str) -> str | None:
    """The parameter the address asks for; or, when the browser went back to this page's address without it
    (the last run left one there), what the page showed at that address."""
    value = st.query_params.get(key)
    if value is not None:
        return value
    page = st.session_state.get(_PAGE_KEY, "")
    last_page, last = st.session_state.get(_LAST_KEY, ("", {}))
    if last_page == page and last.get(key) is not None:
        return st.session_state.get(_BARE_KEY, {}).get((page, key))
    return None


def _changes(key: str, chosen: str, start: str, asked: str | None) -> dict[str, str | None]:
    """{key: chosen} when the address must say it: it asks for another one, or (asking for none) the user
    changed the choice from `start`, what the page showed. Otherwise nothing: a bare address stays bare."""
    st.session_state.setdefault(_SHOWN_KEY, {})[key] = chosen
    return {key: chosen} if chosen != (start if asked is None else asked) else {}


def _write_address(changes: dict[str, str | None] | None = None) -> None:
    page = st.session_state.get(_PAGE_KEY, "")
    wanted = {**st.session_state.pop(_PENDING_KEY, {}), **(changes or {})}
    shown = st.session_state.pop(_SHOWN_KEY, {})
    if wanted:  # an address written says all the page shows (a shared link opens the same), in the same change
        wanted = {**shown, **wanted}
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    new = {key: value for key, value in {**params, **{k: [v] if v else None for k, v in wanted.items()}}.items()
           if value}
    if new != params:
        st.query_params.from_dict(new)  # one change of the address: one entry in the history
    st.session_state[_LAST_KEY] = (page, {key: values[-1] for key, values in new.items()})
    for key, value in shown.items():
        if key not in new:
            st.session_state.setdefault(_BARE_KEY, {})[(page, key)] = value


def open_protocol(ctx: PageContext, title: str, sections: bool = False) -> protocols.Protocol:
    """The start of every protocol page: its title, the message of the last action, the protocol chosen
    (the page stops here when there is none to show) and its status line. `sections`: the page goes on to
    `choose_section` (which writes the address)."""
    st.title(title)
    show_flash()
    protocol = choose_protocol(ctx, title, sections)
    if protocol is None:
        st.stop()
    protocol_header(protocol)
    return protocol


def choose_section(ctx: PageContext, protocol: protocols.Protocol, open_comments: dict[int, int] | None = None,
                   key: str = "section", unsaved: set[int] | frozenset[int] = frozenset()) -> protocols.Section:
    """The section picked by the user, read fresh from the database on every run.

    The options are section ids, not Section objects: Streamlit keeps a selectbox's
    value from an earlier run when its label still matches, so an object would be a
    stale copy (the version before the last save). The chosen section is also in the
    address (?sezione=ID), so a reload (F5) or a shared link opens the same section.
    """
    sections = {s.id: s for s in protocols.list_sections(ctx.db, ctx.actor, protocol.id)}
    if not sections:
        st.info(S.NO_SECTIONS)
        st.stop()
    open_comments = open_comments or {}

    def label(section_id: int) -> str:
        section = sections[section_id]
        extra = ""
        if open_comments.get(section_id):
            extra += " · " + S.open_comments(open_comments[section_id])
        if section_id in unsaved:
            extra += " · " + S.UNSAVED_MARK
        return f"{section.position}. {section.title} ({KIND_LABELS[section.kind]}){extra}"

    # A label changes (a comment, an unsaved draft, a rename) and the browser would still send the old one, which
    # Streamlit no longer finds: it would then reset the widget through the Session State API and warn that the
    # widget has both a default and a Session State value. So the widget's key changes with its labels: a new
    # widget, whose only start is `index`, the section the user was on (remembered under a key of ours, or in a
    # new session in the address). The section is remembered per protocol, not per page: the history opened
    # from the editor (and the editor from the history) shows the section the user was on.
    ids = list(sections)
    chosen_key, last_key = f"approdo_section_of_{protocol.id}", f"approdo_section_widget_{key}_{protocol.id}"
    moves_key = f"approdo_section_moves_{key}_{protocol.id}"
    # Every run ends with the chosen section in the address: an address that names another one was changed by
    # the browser (Back, Forward, an address typed), and is the user's wish. It wins over the remembered choice,
    # in a new widget (a new key), which starts from `index`.
    addressed = _section_in_address()
    moved = addressed in sections and st.session_state.get(chosen_key, addressed) != addressed
    if moved:
        st.session_state[moves_key] = st.session_state.get(moves_key, 0) + 1
    labels = zlib.crc32("\n".join(label(i) for i in ids).encode())
    widget_key = f"{key}_{protocol.id}_{labels:08x}_{st.session_state.get(moves_key, 0)}"
    # A choice can arrive in the very run whose labels change (the typing it followed is sent with it): it came
    # under the previous key, and is taken from there.
    sent = None if moved else st.session_state.get(st.session_state.get(last_key, widget_key))
    remembered = addressed if moved else sent if sent in sections else st.session_state.get(chosen_key)
    if remembered not in sections:
        remembered = addressed
    index = ids.index(remembered) if remembered in sections else 0
    chosen = st.selectbox(S.CHOOSE_SECTION, ids, index=index, format_func=label, key=widget_key,
                          placeholder=S.CHOOSE_PLACEHOLDER)
    if chosen not in sections:  # defensive: never a stale id
        chosen = ids[index]
    shown = st.session_state.get(chosen_key)  # in the last run
    st.session_state[chosen_key], st.session_state[last_key] = chosen, widget_key
    asked = str(addressed) if addressed in sections else None
    _write_address(_changes(SECTION_QUERY_KEY, str(chosen), str(shown if shown in sections else ids[index]), asked))
    return sections[chosen]


def _section_in_address() -> int | None:
    # Only a wish, like ?protocollo=: a number not among this protocol's sections is ignored.
    try:
        return int(_asked(SECTION_QUERY_KEY) or "")
    except ValueError:
        return None


# --- drafts: what the user typed, kept per section until it is saved ---------------
# Streamlit forgets a keyed widget's state in any run where the widget is not drawn,
# so the text lives here, in the session, keyed by section id; the text area is only
# a view of it, keyed by section and revision so that a new revision starts fresh.
DRAFTS_KEY = "approdo_drafts"


@dataclass
class Draft:
    base: int  # the version the text started from: a save is based on it
    original: str  # that version's text
    text: str  # what the editor holds now
    note: str = ""
    revision: int = 0  # bumped whenever the page (not the user) replaces the text
    shown: int = 0  # bumped when the rich-text editor changes the text: the Markdown box shows it anew
    stored: tuple | None = None  # (base, text, note) as last written to the server's drafts table

    @property
    def unsaved(self) -> bool:
        return self.text != self.original

    def widget_key(self, key: int | str, field: str = "text") -> str:
        return f"{field}_{key}_{self.revision}"

    def restart(self, version: int, body: str, text: str | None = None) -> None:
        """Start again from `version`: with its text, or keeping `text` on top of it."""
        self.base, self.original = version, body
        self.text = body if text is None else text
        if text is None:
            self.note = ""
        self.revision += 1


def drafts() -> dict[int, Draft]:
    return st.session_state.setdefault(DRAFTS_KEY, {})


def restore_drafts(ctx: PageContext, protocol: protocols.Protocol) -> None:
    """Bring back what this user was writing in the protocol before a reload (kept on the server).

    A section that already has a draft in this session keeps it: the session is the newer of the two.
    """
    held = drafts()
    for section_id, stored in stored_drafts.of_protocol(ctx.db, ctx.actor, protocol.id).items():
        if section_id not in held:
            held[section_id] = Draft(stored.base, stored.original, stored.text, stored.note,
                                     stored=(stored.base, stored.text, stored.note))


def persist_drafts(ctx: PageContext) -> None:
    """Write to the server the drafts that changed in this run; forget those saved or discarded.

    Called once per run of the editor, after its widgets: what was typed (even sent by leaving the
    section) is on the server before the next reload can lose it.
    """
    for section_id, draft in drafts().items():
        wanted = (draft.base, draft.text, draft.note) if draft.unsaved else None
        if wanted == draft.stored:
            continue
        try:
            if wanted is None:
                stored_drafts.forget(ctx.db, ctx.actor, section_id)
            else:
                stored_drafts.keep(ctx.db, ctx.actor, section_id, *wanted)
        except ApprodoError as error:  # the page goes on: the text is still in this session
            show_error(error, kind="warning", icon=":material/cloud_off:")
            continue
        draft.stored = wanted


def unsaved_sections() -> set[int]:
    return {key for key, draft in drafts().items() if draft.unsaved and isinstance(key, int)}


def draft_for(section: protocols.Section) -> Draft:
    """The session's draft of a section; one without changes follows the latest version."""
    return text_draft(section.id, section.version, section.body)


def text_draft(key: int | str, version: int, body: str) -> Draft:
    """The session's draft of any versioned text (a section, a network's letter) under `key`."""
    draft = drafts().get(key)
    if draft is None:
        draft = drafts()[key] = Draft(version, body, body)
    elif not draft.unsaved and draft.base != version:
        draft.restart(version, body)
    return draft


def _keep_typed(key: int | str, field: str, widget_key: str) -> None:
    # A change sent in the same run that leaves the section still reaches the draft.
    draft = drafts().get(key)
    if draft is not None and widget_key in st.session_state:
        setattr(draft, field, st.session_state[widget_key])


def draft_editor(key: int | str, draft: Draft, *, height: int = 460, help: str | None = None,
                 label: str = S.SECTION_TEXT, rich: bool = False) -> None:
    """The text area and the note of a draft (a section's id, or another text's key); what is typed goes into
    the draft at once. `rich`: the rich-text editor first, the text area (Markdown) in an expander below it."""
    text_key, note_key = draft.widget_key(key), draft.widget_key(key, "note")
    if rich:
        def changed(text: str) -> None:
            draft.text = text
            draft.shown += 1

        rich_editor(draft.widget_key(key, "rich"), draft.text, draft.original, changed, height=height)
        insert_controls(str(key), lambda: draft.text, changed)
        text_key = f"{text_key}_{draft.shown}"
        with st.expander(S.MARKDOWN_SOURCE, icon=":material/code:"):
            st.caption(S.MARKDOWN_SOURCE_HELP)
            draft.text = st.text_area(label, value=draft.text, key=text_key, height=height, help=help,
                                      on_change=_keep_typed, args=(key, "text", text_key))
    else:
        draft.text = st.text_area(label, value=draft.text, key=text_key, height=height, help=help,
                                  on_change=_keep_typed, args=(key, "text", text_key))
    draft.note = st.text_input(S.SAVE_NOTE, value=draft.note, key=note_key, max_chars=protocols.MAX_NOTE,
                               on_change=_keep_typed, args=(key, "note", note_key))


def protocol_header(protocol: protocols.Protocol) -> None:
    parts = [f"{S.STATUS}: **{protocol.status_label}**", f"{S.PROTOCOL_VERSION} {protocol.revision}",
             f"a.s. {protocol.school_year}"]
    if protocol.deliberation_number:
        parts.append(plain_format(S.DELIBERATION, number=protocol.deliberation_number,
                                  date=protocol.deliberation_date))
    st.markdown(" · ".join(parts))


def may_act(actor, protocol: protocols.Protocol, read_only_role: str) -> bool:
    """Whether the user may change this protocol now; if not, say why (their role, or the protocol's status)."""
    if not protocols.may_edit(actor, protocol):
        st.info(read_only_role, icon=":material/visibility:")
        return False
    if not protocol.editable_status:
        st.info(S.READ_ONLY_STATUS.format(status=protocol.status_label.lower()), icon=":material/lock:")
        return False
    return True


def show_rich_text(blocks_html: str) -> None:
    st.html(_CSS + f'<div class="approdo-text">{blocks_html}</div>')


def show_text(text: str) -> None:
    """A section's text (or a passage of it) as it reads; its source if it is outside the section format."""
    try:
        show_rich_text(richtext.to_html(richtext.parse(text)))
    except ApprodoError:
        st.code(text, language=None, wrap_lines=True)


def show_diff(old: str, new: str, before: str = S.DIFF_BEFORE, after: str = S.DIFF_AFTER) -> None:
    """Every diff of the app: the rendered text, block beside block, changed words marked; the Markdown
    source one click away."""
    if old == new:
        st.caption(S.NO_DIFFERENCE)
        return
    changes = diffs.rendered_diff(old, new)
    if any(change.kind != "same" for change in changes):
        added, removed = diffs.counted(changes)
        st.caption(S.DIFF_SUMMARY.format(added=S.plural(added, "parola aggiunta", "parole aggiunte"),
                                         removed=S.plural(removed, "tolta", "tolte")))
    else:
        st.caption(S.DIFF_SOURCE_ONLY)
    st.html(diff_html(old, new, before, after))


def change_heading(change: protocols.SectionChange) -> str:
    mark = f" ({S.CHANGE_NEW_SECTION})" if change.before is None else ""
    return f"{change.position}. {change.title}{mark}"


def changes_intro(since: protocols.ChangesSinceApproval) -> str:
    return S.CHANGES_SINCE_APPROVAL_INTRO.format(when=clock.local_datetime(since.approved.at),
                                                 deliberation=since.approved.detail or S.STATUS_LABEL_APPROVED)


def changes_summary(since: protocols.ChangesSinceApproval) -> str:
    return S.CHANGES_SUMMARY.format(sections=S.plural(len(since.changes), "sezione", "sezioni"),
                                    total=since.total_sections)


def changes_document(protocol: protocols.Protocol, since: protocols.ChangesSinceApproval) -> str:
    """A print-friendly web page of every change since the approval (opens in any browser, prints on A4)."""
    title = html.escape(f"{S.CHANGES_SINCE_APPROVAL} – {protocol.title}")
    legend = f"<del>{html.escape(S.LEGEND_REMOVED)}</del> <ins>{html.escape(S.LEGEND_ADDED)}</ins>"
    body = [f"<h1>{title}</h1>", f"<p>{html.escape(changes_intro(since))} {html.escape(changes_summary(since))}</p>",
            f"<p>{legend}</p>"]
    for change in since.changes:
        body.append(f"<h2>{html.escape(change_heading(change))}</h2>")
        body.append(diff_html(change.before or "", change.after, source=False))
    if not since.changes:
        body.append(f"<p>{html.escape(S.CHANGES_NONE_SINCE)}</p>")
    return (
        '<!DOCTYPE html><html lang="it"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>"
        "body{font-family:Georgia,serif;max-width:48em;margin:2em auto;line-height:1.5;color:#111}"
        "h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #999}"
                "del{background:#fde2e1;color:#8a1c14}ins{background:#dcf5e3;color:#0f5a2a;text-decoration:underline}"
        "@media print{body{margin:0;max-width:none}h2{break-after:avoid}"
        "del,ins{-webkit-print-color-adjust:exact;print-color-adjust:exact}}"
        "</style></head><body>" + "".join(body) + "</body></html>"
    )
