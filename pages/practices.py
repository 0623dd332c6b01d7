"""Buone pratiche: the catalogue every network reads; search, filters, a practice opened, adopted."""

import streamlit as st

from models.accounts.schools import LEVEL_LABELS, Level
from models.core.errors import ApprodoError
from models.core.permissions import Action, allowed
from models.practices import adoption, attachments, records, search
from models.protocols import protocol as protocols
from models.protocols import richtext
from ui import strings as S
from ui.protocol_widgets import protocol_label, show_rich_text
from ui.session import flash, guard_page, show_flash
from ui.text import plain, plain_bold, plain_format, show_error

ctx = guard_page(__file__)
db, actor = ctx.db, ctx.actor
QUERY_KEY = "pratica"

st.title(S.PAGE_PRACTICES)
show_flash()


def rich(text: str) -> None:
    if text.strip():
        show_rich_text(richtext.to_html(richtext.parse(text)))


def open_practice(practice_id: int) -> None:
    st.query_params[QUERY_KEY] = str(practice_id)


def back() -> None:
    st.query_params.pop(QUERY_KEY, None)


def adopt_form(practice: records.Practice) -> None:
    targets = adoption.adoptable_protocols(db, actor)
    if not targets:
        if records.may_edit(actor, practice) or allowed(actor, Action.ADOPT_PRACTICES):
            st.caption(S.PRACTICE_NO_ADOPTABLE)
        return
    st.subheader(S.PRACTICE_ADOPT)
    protocol = st.selectbox(S.PRACTICE_ADOPT_INTO, targets, format_func=protocol_label, key="adopt_protocol",
                            placeholder=S.CHOOSE_PLACEHOLDER)
    mode = st.radio(S.PRACTICE_ADOPT_MODE, [S.PRACTICE_ADOPT_NEW, S.PRACTICE_ADOPT_REPLACE], horizontal=True,
                    key="adopt_mode")
    replace_id = None
    if mode == S.PRACTICE_ADOPT_REPLACE:
        sections = protocols.list_sections(db, actor, protocol.id)
        titles = {s.id: f"{s.position}. {s.title}" for s in sections}
        replace_id = st.selectbox(S.PRACTICE_ADOPT_SECTION, list(titles), format_func=titles.get,
                                  key=f"adopt_section_{protocol.id}", placeholder=S.CHOOSE_PLACEHOLDER)
    if st.button(S.PRACTICE_ADOPT_BUTTON, type="primary", icon=":material/input:"):
        try:
            section = adoption.adopt(db, actor, practice.id, protocol.id, replace_section_id=replace_id)
        except ApprodoError as error:
            show_error(error)
            return
        flash(S.PRACTICE_ADOPTED.format(title=section.title))
        st.rerun()


def show_practice(practice: records.Practice) -> None:
    content = practice.content
    st.button(S.PRACTICE_BACK, icon=":material/arrow_back:", on_click=back)
    st.header(plain(content.title))
    st.caption(plain_format(S.PRACTICE_SOURCE, source=practice.source) + " · "
               + plain_format(S.PRACTICE_VERSION_LINE, version=practice.version, status=practice.status_label,
                              licence=content.licence))
    if practice.published_version is None:
        st.info(S.PRACTICE_NEVER_PUBLISHED)
    elif practice.version != practice.published_version:
        st.info(S.PRACTICE_DRAFT_NOTE.format(version=practice.version, published=practice.published_version))
    tags = records.level_labels(content) + [records.TARGETS[t] for t in content.targets] + \
        [records.THEMES[t] for t in content.themes]
    st.markdown(f"**{S.PRACTICE_FOR}:** " + plain(", ".join(tags)))
    for name, label in (("problem", S.PRACTICE_FIELD_PROBLEM), ("steps", S.PRACTICE_FIELD_STEPS),
                        ("roles", S.PRACTICE_FIELD_ROLES), ("resources", S.PRACTICE_FIELD_RESOURCES),
                        ("transfer", S.PRACTICE_FIELD_TRANSFER)):
        if getattr(content, name).strip():
            st.subheader(label)
            rich(getattr(content, name))
    if content.duration:
        st.markdown(f"**{S.PRACTICE_FIELD_DURATION}:** {plain(content.duration)}")
    st.markdown(f"**{S.PRACTICE_EVIDENCE}:** " + plain_format(
        S.PRACTICE_EVIDENCE_LINE, strength=records.STRENGTH_LABELS[records.Strength(content.evidence_strength)],
        indicator=content.evidence_indicator or "–", result=content.evidence_result or "–"))
    if content.contact_role:
        st.markdown(f"**{S.PRACTICE_CONTACT}:** {plain(content.contact_role)}")
    if content.linked_sections:
        st.markdown(f"**{S.PRACTICE_LINKED}:** " + plain(", ".join(f"«{link['title']}»"
                                                                     for link in content.linked_sections)))
    files = attachments.list_attachments(db, actor, practice.id)
    if files:
        st.subheader(S.PRACTICE_ATTACHMENTS)
        for attachment in files:
            name_column, button_column = st.columns([4, 1])
            name_column.markdown(plain(attachment.file_name) + f" ({max(1, attachment.size // 1024)} kB)")
            _, data = attachments.attachment_content(db, actor, attachment.id)
            button_column.download_button(S.DOWNLOAD_ATTACHMENT, data, file_name=attachment.file_name,
                                          mime=attachment.mime, key=f"attachment_{attachment.id}",
                                          icon=":material/download:")
    st.subheader(S.PRACTICE_ADOPTERS)
    who = adoption.adopters(db, actor, practice.id)
    if not who:
        st.caption(S.PRACTICE_NO_ADOPTERS)
    for adopter in who:
        st.markdown("- " + plain_format(S.PRACTICE_ADOPTER_LINE, where=adopter.where, section=adopter.section_title,
                                        version=adopter.version))
    if practice.published_version is not None:
        adopt_form(practice)


def show_hits(hits: list[search.Hit]) -> None:
    st.caption(S.PRACTICE_RESULTS_ONE if len(hits) == 1 else S.PRACTICE_RESULTS.format(count=len(hits)))
    for hit in hits:
        with st.container(border=True):
            title_column, button_column = st.columns([5, 1])
            title_column.markdown(plain_bold(hit.title))
            title_column.caption(" · ".join([plain_format(S.PRACTICE_SOURCE, source=hit.source),
                                             plain(", ".join(hit.levels)), plain(hit.strength),
                                             S.PRACTICE_ADOPTED_BY.format(count=hit.adopters)]))
            if hit.snippet:
                title_column.markdown("".join(plain_bold(text) if bold else plain(text) for text, bold in hit.snippet))
            button_column.button(S.PRACTICE_OPEN, key=f"open_{hit.practice_id}", on_click=open_practice,
                                 args=(hit.practice_id,))


wanted = st.query_params.get(QUERY_KEY)
if wanted is not None:
    try:
        shown = records.get_practice(db, actor, int(wanted))
    except ValueError:
        st.error(S.PRACTICE_PARAM_INVALID)
        shown = None
    except ApprodoError as error:
        show_error(error)
        shown = None
    if shown is not None:
        show_practice(shown)
        st.stop()
    st.button(S.PRACTICE_BACK, icon=":material/arrow_back:", on_click=back)
    st.stop()

st.caption(S.PRACTICES_INTRO)
query = st.text_input(S.PRACTICE_SEARCH, placeholder=S.PRACTICE_SEARCH_PLACEHOLDER, key="practice_query")
level_column, target_column, theme_column, strength_column = st.columns(4)
levels = level_column.multiselect(S.PRACTICE_FILTER_LEVELS, [level.value for level in Level],
                                  format_func=lambda v: LEVEL_LABELS[Level(v)], key="practice_levels",
                                  placeholder=S.PRACTICE_FILTER_ANY, select_all=False)
targets = target_column.multiselect(S.PRACTICE_FILTER_TARGETS, list(records.TARGETS), format_func=records.TARGETS.get,
                                    key="practice_targets", placeholder=S.PRACTICE_FILTER_ANY, select_all=False)
themes = theme_column.multiselect(S.PRACTICE_FILTER_THEMES, list(records.THEMES), format_func=records.THEMES.get,
                                  key="practice_themes", placeholder=S.PRACTICE_FILTER_ANY, select_all=False)
strengths = strength_column.multiselect(S.PRACTICE_FILTER_STRENGTH, [s.value for s in records.Strength],
                                        format_func=lambda v: records.STRENGTH_LABELS[records.Strength(v)],
                                        key="practice_strengths", placeholder=S.PRACTICE_FILTER_ANY, select_all=False)
hits = search.search(db, actor, query, levels=levels, targets=targets, themes=themes, strengths=strengths)
if hits:
    show_hits(hits)
elif query or levels or targets or themes or strengths:
    st.info(S.PRACTICE_NONE_FOUND)
else:
    st.info(S.PRACTICE_EMPTY_CATALOGUE)
