"""The pages of the app and what each requires; the menu is built from this list."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from models.core.permissions import Action, Actor, allowed
from ui import strings as S

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PageSpec:
    path: str  # relative to the repository root
    title: str
    icon: str
    action: Action
    section: str = ""  # the menu's heading this page sits under ("" = at the top, no heading)

    @property
    def url_path(self) -> str:
        return Path(self.path).stem


PAGES: list[PageSpec] = [
    PageSpec("pages/home.py", S.PAGE_HOME, ":material/home:", Action.USE_APP),
    PageSpec("pages/protocols.py", S.PAGE_PROTOCOLS, ":material/description:", Action.READ_PROTOCOLS,
             S.MENU_PROTOCOLS),
    PageSpec("pages/protocol_editor.py", S.PAGE_EDITOR, ":material/edit_document:", Action.READ_PROTOCOLS,
             S.MENU_PROTOCOLS),
    PageSpec("pages/protocol_history.py", S.PAGE_HISTORY, ":material/history:", Action.READ_PROTOCOLS,
             S.MENU_PROTOCOLS),
    PageSpec("pages/protocol_structure.py", S.PAGE_STRUCTURE, ":material/reorder:", Action.SHAPE_PROTOCOLS,
             S.MENU_PROTOCOLS),
    PageSpec("pages/protocol_updates.py", S.PAGE_UPDATES, ":material/sync:", Action.DECIDE_NETWORK_UPDATES,
             S.MENU_PROTOCOLS),
    PageSpec("pages/proposals.py", S.PAGE_PROPOSALS, ":material/how_to_vote:", Action.READ_PROTOCOLS,
             S.MENU_PROTOCOLS),
    PageSpec("pages/practices.py", S.PAGE_PRACTICES, ":material/lightbulb:", Action.READ_PRACTICES,
             S.MENU_PRACTICES),
    PageSpec("pages/practice_editor.py", S.PAGE_PRACTICE_EDITOR, ":material/edit_note:", Action.DRAFT_PRACTICES,
             S.MENU_PRACTICES),
    PageSpec("pages/risk.py", S.PAGE_RISK, ":material/monitoring:", Action.READ_PUPILS, S.MENU_PUPILS),
    PageSpec("pages/pupil.py", S.PAGE_PUPIL, ":material/person:", Action.READ_PUPILS, S.MENU_PUPILS),
    PageSpec("pages/obligation.py", S.PAGE_OBLIGATION, ":material/gavel:", Action.FOLLOW_OBLIGATION, S.MENU_PUPILS),
    PageSpec("pages/letters.py", S.PAGE_LETTERS, ":material/mail:", Action.READ_LETTERS, S.MENU_PUPILS),
    PageSpec("pages/data_upload.py", S.PAGE_UPLOAD, ":material/upload:", Action.IMPORT_PUPIL_DATA, S.MENU_PUPILS),
    PageSpec("pages/network.py", S.PAGE_NETWORK, ":material/hub:", Action.VIEW_NETWORK_FIGURES, S.MENU_NETWORK),
    PageSpec("pages/model.py", S.PAGE_MODEL, ":material/model_training:", Action.VIEW_NETWORK_FIGURES,
             S.MENU_NETWORK),
    PageSpec("pages/regional.py", S.PAGE_REGIONAL, ":material/map:", Action.VIEW_REGION, S.MENU_NETWORK),
    PageSpec("pages/admin.py", S.PAGE_ADMIN, ":material/admin_panel_settings:", Action.MANAGE_ACCOUNTS,
             S.MENU_ADMIN),
]


# For the roles that never edit a protocol the editor is a reading page, and says so.
_READER_TITLES = {"pages/protocol_editor.py": S.READ_PROTOCOL}


def title_for(actor: Actor, spec: PageSpec) -> str:
    if not allowed(actor, Action.EDIT_PROTOCOL):
        return _READER_TITLES.get(spec.path, spec.title)
    return spec.title


def pages_for(actor: Actor) -> list[PageSpec]:
    """The pages the actor's role may open, in menu order, titled for that role."""
    return [replace(spec, title=title_for(actor, spec)) for spec in PAGES if allowed(actor, spec.action)]


def spec_for_file(file: str) -> PageSpec | None:
    resolved = Path(file).resolve()
    for spec in PAGES:
        if (ROOT / spec.path).resolve() == resolved:
            return spec
    return None


def menu(specs: list[PageSpec]) -> dict[str, list[PageSpec]]:
    """The pages grouped under their headings, in the order of PAGES: a menu of 17 pages reads as five short
    lists, and none hides behind Streamlit's English "View more"."""
    grouped: dict[str, list[PageSpec]] = {}
    for spec in specs:
        grouped.setdefault(spec.section, []).append(spec)
    return grouped


# The menu's headings are real <h2>s (st.html, no anchor link), sized for the sidebar. A focused link gets an
# outline in the body text colour (.streamlit/config.toml textColor), not only Streamlit's grey background, which
# hover and the open page share (WCAG 2.4.7; 1.4.11: 3:1 against the sidebar and that grey). A table's toolbar
# (Cerca, Schermo intero, ...) shows only under the mouse: reached with Tab it stays invisible, its focus with it,
# so it shows whenever one of its buttons has the focus, and the focused button gets the same outline.
FOCUS_COLOUR = "#0E1117"
_MENU_CSS = f"""<style>
.approdo-menu-heading {{ font-size: 0.875rem; font-weight: 600; line-height: 1.4; margin: 0.75rem 0 0 0;
  padding: 0; color: inherit; }}
[data-testid="stSidebar"] a:focus-visible {{ outline: 2px solid {FOCUS_COLOUR} !important; outline-offset: -2px; }}
[data-testid="stElementToolbar"]:focus-within {{ opacity: 1 !important; }}
[data-testid="stBaseButton-elementToolbar"]:focus-visible {{ outline: 2px solid {FOCUS_COLOUR} !important;
  outline-offset: -2px; }}
</style>"""


def show_menu(sections: Mapping[str, Sequence], current=None) -> None:
    """The sidebar menu: Streamlit's page links under a real heading per section.

    Streamlit's own sectioned menu (st.navigation with sections) is a <ul> holding <div>s, which screen
    readers cannot read as a list (axe: `list`, `listitem`); here every entry is a plain link, each section
    starts with a heading, and st.navigation itself is hidden (position="hidden"). `sections` maps a heading
    ("" for none) to its st.Page objects, in menu order. Call it inside `with st.sidebar:`.
    The `current` page's link is written in bold: Streamlit marks it only by a grey background (a colour alone).
    """
    import streamlit as st

    st.html(_MENU_CSS)
    for heading, pages in sections.items():
        if heading:
            st.html(f'<h2 class="approdo-menu-heading">{html.escape(heading)}</h2>')
        for page in pages:
            here = current is not None and page.url_path == current.url_path
            st.page_link(page, label=f"**{page.title}**" if here else page.title, icon=page.icon)
