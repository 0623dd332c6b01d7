"""Numbers and tables as Italian readers expect them: decimal comma, Italian months, a message for no data.

One place for it, so that every page and chart agrees. Text figures (st.table, captions)
go through `number`, the same rule the Word report uses; interactive tables keep their
numbers sortable and show them in the reader's (Italian) locale; charts get an Italian
Vega locale.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from models.core import suppression
from models.core.school_year import MONTH_NAMES
from ui import strings as S
from ui.text import plain_format

ITALIAN_LOCALE = alt.Locale(
    number=alt.NumberLocale(decimal=",", thousands=".", grouping=[3], currency=["", " €"]),
    time=alt.TimeLocale(
        dateTime="%A %e %B %Y, %X", date="%d/%m/%Y", time="%H:%M:%S", periods=["", ""],
        days=["domenica", "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato"],
        shortDays=["dom", "lun", "mar", "mer", "gio", "ven", "sab"],
        months=MONTH_NAMES, shortMonths=[name[:3] for name in MONTH_NAMES],
    ),
)

# The types of the files the pages offer (the browser names and opens them by these).
MIME = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pdf": "application/pdf", "csv": "text/csv"}


def number(value, digits: int = 1, suffix: str = "") -> str:
    """18.5 -> '18,5'; None -> '—'; '<5' stays '<5' (the rule of suppression.text)."""
    return suppression.text(value, suffix, digits)


def italian_chart(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The chart with Italian number and date formats (axes, tooltips, legends)."""
    return chart.configure(locale=ITALIAN_LOCALE)


def show_chart(chart: alt.TopLevelMixin, summary: str, data: pd.DataFrame | None = None, **options) -> None:
    """An altair chart with its text alternative (WCAG 1.1.1): a sentence saying what it shows, read by a screen
    reader as the chart's description too, and the figures behind it one click away (when no table on the page
    has them already)."""
    st.altair_chart(chart.properties(description=summary), **options)
    st.caption(summary)
    if data is not None and not data.empty:
        with st.expander(S.CHART_DATA, icon=":material/table:"):
            table(data, hide_index=True)


def with_hidden_months(chart: alt.Chart, hidden: dict[str, list[str]], x: alt.X, series_title: str
                       ) -> alt.TopLevelMixin:
    """A line chart with a dashed grey rule at every month whose figure is hidden (its line breaks there, see
    `suppression.line_points`), its tooltip naming the hidden series; the chart unchanged when none is."""
    rows = [{"month": month, "series": name} for name, months in hidden.items() for month in months]
    if not rows:
        return chart
    frame = pd.DataFrame(rows).groupby("month", sort=False)["series"].agg(", ".join).reset_index()
    rules = alt.Chart(frame.assign(note=S.HIDDEN_MONTH_TIP)).mark_rule(color="#7a7a7a", strokeDash=[2, 3]).encode(
        x=x, tooltip=[alt.Tooltip("note", title=" "), alt.Tooltip("month", title="Mese"),
                      alt.Tooltip("series", title=series_title)])
    return alt.layer(chart, rules)


def hidden_months_note(hidden: dict[str, list[str]], only_series: bool = False) -> str | None:
    """«Mesi nascosti: ottobre 2025, novembre 2025 (Rete dei Laghi)» for a chart's caption; None when none is.
    `only_series`: one series in the chart, whose name needs no saying."""
    if not hidden:
        return None
    parts = [", ".join(months) + ("" if only_series else f" ({name})") for name, months in hidden.items()]
    return plain_format(S.HIDDEN_MONTHS, months="; ".join(parts))


def skip_link(target: str, label: str) -> None:
    """A link that jumps over what follows to `skip_target(target)`: Tab walks an st.dataframe cell by cell
    (one stop per column, the grid's own keys, not configurable), and a keyboard user would otherwise cross
    every column to get past the table (WCAG 2.4.1). The browser moves the focus's starting point to the
    target, so the next Tab reaches what is after it."""
    st.markdown(f"[{label}](#{target})")


def skip_target(target: str) -> None:
    """Where `skip_link(target)` lands: an empty element, focusable by the link only."""
    st.html(f'<span id="{target}" tabindex="-1"></span>')


def number_columns(frame: pd.DataFrame) -> dict[str, st.column_config.NumberColumn]:
    """column_config for st.dataframe: numeric columns in the reader's locale (a comma in Italian)."""
    return {column: st.column_config.NumberColumn(format="localized")
            for column in frame.columns if pd.api.types.is_float_dtype(frame[column])}


def is_empty(data) -> bool:
    if data is None:
        return True
    if isinstance(data, pd.DataFrame):
        return data.empty
    return len(data) == 0


def table(data, empty: str = S.EMPTY_TABLE, **kwargs) -> bool:
    """st.table, or an Italian message instead of an empty table; True if a table was drawn."""
    if is_empty(data):
        st.caption(empty)
        return False
    st.table(data, **kwargs)
    return True


def dataframe(data, empty: str = S.EMPTY_TABLE, **kwargs):
    """st.dataframe with Italian numbers, or an Italian message instead of an empty table (then None)."""
    if is_empty(data):
        st.caption(empty)
        return None
    if isinstance(data, pd.DataFrame):
        kwargs["column_config"] = {**number_columns(data), **(kwargs.get("column_config") or {})}
    return st.dataframe(data, **kwargs)
