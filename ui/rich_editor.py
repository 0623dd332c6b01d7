"""The rich-text editor of a section: bold, italic, level-3 titles, lists and tables as in a word processor.

The component is `streamlit-lexical-extended` (Lexical, its built JavaScript inside the wheel: nothing is
downloaded while the app runs). It reads and returns Markdown; models/protocols/richtext.py gives it the text
(`for_editor`) and turns what it returns into the text kept (`from_editor`: the untouched blocks keep their
spelling). It sends the text a second after the author stops typing, so the page's draft (and the server's copy of
it, see models/protocols/drafts.py) follows the typing, not only the "Salva" button.

Its own labels are English and its text area has no name: a small companion script gives them Italian names
(screen readers read them), hides the heading levels the format refuses and draws the keyboard focus.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
import streamlit.components.v2 as components
from streamlit_lexical_extended import streamlit_lexical_extended

from models.protocols import placeholders, richtext
from ui import strings as S

DEBOUNCE_MS = 1_000  # the text reaches the server this long after the last key pressed
TOOLS = ["undo", "redo", "block_type", "bold", "italic", "bullet_list", "numbered_list", "table"]
_STATE = "approdo_rich_editor"

# The component's English names, in Italian; the heading levels other than 3 hidden (the format refuses them).
LABELS = {
    "Undo": "Annulla", "Redo": "Ripeti", "Block type": "Tipo di paragrafo", "Format Bold": "Grassetto",
    "Format Italics": "Corsivo", "Bullet List": "Elenco puntato", "Numbered List": "Elenco numerato",
    "Insert Table": "Inserisci una tabella", "Normal": "Paragrafo", "Heading 3": "Titolo", "Row": "Riga",
    "Column": "Colonna", "Delete": "Elimina", "+Above": "+ sopra", "+Below": "+ sotto", "+Left": "+ a sinistra",
    "+Right": "+ a destra", "Select size": "Scegli righe e colonne",
}
HIDDEN_OPTIONS = ["h1", "h2", "h4", "h5", "h6"]

_LABELS_JS = """
export default function ({ data }) {
  const apply = () => {
    for (const host of document.querySelectorAll("div")) {
      const root = host.shadowRoot;
      if (!root) continue;
      watch(root);  // the editor may be drawn in it later (watch is declared below, called once all is declared)
      const editor = root.querySelector(".streamlit-lexical-editor");
      if (!editor) continue;
      if (!root.getElementById("approdo-focus")) {  // a visible focus (WCAG 2.4.7): the component draws none
        const style = document.createElement("style");
        style.id = "approdo-focus";
        style.textContent = ".editor-input:focus { box-shadow: inset 0 0 0 2px #1a4f8b; }"
          + " .toolbar-item:focus-visible, .table-cell-chevron:focus-visible { outline: 2px solid #1a4f8b; }";
        root.appendChild(style);
        // No keyboard trap (WCAG 2.1.2): Tab leaves the editor as it leaves any field, except inside a table,
        // where it goes to the next cell; there Esc and then Tab leave too.
        let escaped = false;
        root.addEventListener("keydown", (event) => {
          if (!event.target.classList || !event.target.classList.contains("editor-input")) return;
          // Underline has no Markdown: refused with a word, never applied and then dropped at save.
          if ((event.ctrlKey || event.metaKey) && (event.key || "").toLowerCase() === "u") {
            event.preventDefault();
            event.stopImmediatePropagation();
            let note = root.getElementById("approdo-underline");
            if (!note) {
              note = document.createElement("p");
              note.id = "approdo-underline";
              note.setAttribute("role", "status");
              note.style.cssText = "margin:4px 0;color:#31333f;font-size:0.9rem";
              editor.parentNode.insertBefore(note, editor);
            }
            note.textContent = data.underline;
            return;
          }
          if (event.key === "Escape") { escaped = true; return; }
          if (event.key === "Tab") {
            const selection = root.getSelection ? root.getSelection() : document.getSelection();
            const node = selection && selection.anchorNode;
            const element = node && (node.nodeType === 1 ? node : node.parentElement);
            const inTable = element && element.closest && element.closest("td, th");
            if (!inTable || escaped) event.stopImmediatePropagation();
          }
          escaped = false;
        }, true);
      }
      const input = root.querySelector(".editor-input");
      if (input && input.getAttribute("aria-label") !== data.label) {
        input.setAttribute("aria-label", data.label);
        input.setAttribute("aria-multiline", "true");
      }
      for (const el of root.querySelectorAll("[aria-label]")) {
        const italian = data.labels[el.getAttribute("aria-label")];
        if (italian) { el.setAttribute("aria-label", italian); el.setAttribute("title", italian); }
      }
      for (const option of root.querySelectorAll("select option")) {
        if (data.hidden.includes(option.value)) { option.hidden = true; option.disabled = true; }
      }
      const texts = root.querySelectorAll("option, .section-label, .table-context-menu button, .table-insert-footer");
      for (const el of texts) {
        const italian = data.labels[el.textContent.trim()];
        if (italian) el.textContent = italian;
      }
    }
  };
  // Run again when the page or an editor changes (a new editor, the component drawing its English labels
  // again), once per frame at most: nothing runs while the page is still. An editor lives in a shadow root,
  // which an observer of the page does not see into: each gets its own.
  const observers = [], watched = new WeakSet();
  let queued = false;
  const schedule = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; apply(); });
  };
  const watch = (target) => {
    if (watched.has(target)) return;
    watched.add(target);
    const observer = new MutationObserver(schedule);
    observer.observe(target, { childList: true, subtree: true, attributes: true, attributeFilter: ["aria-label"] });
    observers.push(observer);
  };
  watch(document.body);
  apply();
  return () => { for (const observer of observers) observer.disconnect(); };
}
"""

_labels = components.component("approdo_editor_labels", js=_LABELS_JS)


def _entries() -> dict[str, dict]:
    return st.session_state.setdefault(_STATE, {})


def _editor_value(widget_key: str) -> str | None:
    raw = st.session_state.get(widget_key)
    value = getattr(raw, "value", raw)
    if isinstance(value, dict):
        value = value.get("value")
    return value if isinstance(value, str) else None


def rich_editor(widget_key: str, text: str, original: str, on_text: Callable[[str], None], *,
                label: str = S.RICH_SECTION_TEXT, height: int = 460) -> None:
    """The editor over `text`; `on_text(new text)` is called (in a callback, before the page runs) whenever the
    author's typing changes it. A `text` changed elsewhere (the Markdown box, an insertion) is loaded again."""
    entries = _entries()
    entry = entries.get(widget_key)
    if entry is None or entry["text"] != text:
        # A text changed elsewhere: a new editor over it (told to load a new text, the mounted one would answer
        # with a run of its own, which can cross a choice the user is making on the page).
        mount = entry["mount"] + 1 if entry else 0
        entry = entries[widget_key] = {"value": richtext.for_editor(text), "text": text, "mount": mount}
    mounted_key = f"{widget_key}_{entry['mount']}"

    def typed() -> None:
        value = _editor_value(mounted_key)
        if value is None or value == entry["value"]:  # the editor's echo of what it was given
            return
        kept = richtext.from_editor(value, original)
        entry.update(value=value, text=kept)
        on_text(kept)

    streamlit_lexical_extended(value=entry["value"], key=mounted_key, debounce=DEBOUNCE_MS, toolbar=TOOLS,
                               height=height, on_change=typed)
    _labels(key=f"labels_{widget_key}", data={"label": label, "labels": LABELS, "hidden": HIDDEN_OPTIONS,
                                          "underline": S.RICH_NO_UNDERLINE},
            height=0)


def table_markdown(rows: int, columns: int) -> str:
    """An empty table with a header row, to fill in the editor."""
    header = "| " + " | ".join(f"Colonna {n}" for n in range(1, columns + 1)) + " |"
    body = ["| " + " | ".join(" " for _ in range(columns)) + " |" for _ in range(rows)]
    return "\n".join([header, "| " + " | ".join("---" for _ in range(columns)) + " |", *body])


def insert_controls(key: str, text: Callable[[], str], on_text: Callable[[str], None]) -> None:
    """Insertions at the end of the text, with plain Streamlit widgets (keyboard and screen reader as the rest of
    the page): a table with a header row, a school's fact (a placeholder)."""
    state = st.session_state

    def append(block: str) -> None:
        on_text(text().rstrip("\n") + "\n\n" + block + "\n")

    table_column, fact_column = st.columns(2)
    with table_column.popover(S.INSERT_TABLE, icon=":material/table:"):
        st.number_input(S.TABLE_ROWS, min_value=1, max_value=30, value=2, key=f"table_rows_{key}")
        st.number_input(S.TABLE_COLUMNS, min_value=1, max_value=8, value=2, key=f"table_cols_{key}")
        st.button(S.INSERT_AT_END, key=f"table_add_{key}", on_click=lambda: append(
            table_markdown(int(state[f"table_rows_{key}"]), int(state[f"table_cols_{key}"]))))
    with fact_column.popover(S.INSERT_FACT, icon=":material/data_object:"):
        st.selectbox(S.INSERT_FACT_WHICH, list(placeholders.WHITELIST), key=f"fact_{key}",
                     format_func=lambda name: f"{placeholders.WHITELIST[name]}: {{{{ {name} }}}}")
        st.button(S.INSERT_AT_END, key=f"fact_add_{key}",
                  on_click=lambda: append(f"{{{{ {state[f'fact_{key}']} }}}}"))
