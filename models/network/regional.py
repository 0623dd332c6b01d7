"""The regional view: every network's dashboard figures side by side, for the programme's regional partners.

Built from the same functions as the network dashboard (models/network/figures.py, programme.py) on the
reader's scope of each network, of which only the network's total is read: its cells come from the same
suppression as the reader's dashboard (an admin's regional figure is the one their dashboard shows). The
region's view ('region', `permissions.network_figures_view`) sees no school, so a network whose figures come
from a single school is not shown alone ("n.d.", `suppression.across`). No pupil code, no school's row, no
protocol text leaves this module.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import sqlite_utils

from models.accounts.schools import Network, list_networks
from models.core import suppression
from models.core.permissions import Action, Actor, require
from models.core.school_year import SchoolYear
from models.network import figures, programme
from models.risk import indicators


@dataclass(frozen=True)
class Region:
    networks: tuple[Network, ...]
    scopes: dict[str, figures.Scope]  # by network code: all its schools, none shown alone

    def label(self, code: str) -> str:
        return next(n.name for n in self.networks if n.code == code)


def region(db: sqlite_utils.Database, actor: Actor) -> Region:
    """Every network the actor sees, each as one whole (the regional partners and admins)."""
    require(actor, Action.VIEW_REGION)
    networks = tuple(list_networks(db, actor))
    return Region(networks, {n.code: figures.scope(db, actor, n.code) for n in networks})


def school_years(db: sqlite_utils.Database, where: Region) -> list[SchoolYear]:
    """School years with attendance data in any network, newest first."""
    years = {year for scope in where.scopes.values() for year in figures.school_years(db, scope)}
    return sorted(years, reverse=True)


def protocols(db: sqlite_utils.Database, where: Region) -> pd.DataFrame:
    """Per network: schools, schools with a protocol, approved protocols, up to date with the core."""
    rows = []
    for code, scope in where.scopes.items():
        _, summary = figures.protocols(db, scope)
        rows.append({"Rete": where.label(code), "Scuole": summary["schools"],
                     "Con protocollo": summary["with_protocol"], "Protocolli approvati": summary["approved"],
                     "Nucleo comune aggiornato": summary["current_core"]})
    return pd.DataFrame(rows)


def risk_months(db: sqlite_utils.Database, where: Region, year: SchoolYear) -> pd.DataFrame:
    """Rows = months (Italian names), columns = networks: the % of pupils at `alto` or `medio`, computed as the
    dashboard's trend does; "<5" where fewer than 5 pupils are flagged or counted, "n.d." where hidden."""
    per_network = {where.label(code): figures.flagged_rates(db, scope, year, scope.group)
                   for code, scope in where.scopes.items()}
    per_network = {name: rates for name, rates in per_network.items() if rates}
    if not per_network:
        return pd.DataFrame()
    table = pd.DataFrame(per_network, dtype=object).sort_index()
    table.index = [indicators.month_label(period) for period in table.index]
    return table


@dataclass(frozen=True)
class Trend:
    """The risk figures as a chart takes them: `points` (network, month, order, rate, segment) holds the shown
    ones, a line per (network, segment) so that it breaks at a hidden month; `months` every month in order (the
    axis keeps a hidden one); `hidden` {network: [hidden months]}, to say which."""
    points: pd.DataFrame
    months: list[str]
    hidden: dict[str, list[str]]


def risk_trend(db: sqlite_utils.Database, where: Region, year: SchoolYear) -> Trend:
    """The same figures as `risk_months`, for a chart; hidden points left out and the lines broken there."""
    table = risk_months(db, where, year)
    points, hidden = suppression.line_points({network: table[network].to_dict() for network in table.columns})
    return Trend(points.rename(columns={"series": "network", "key": "month"}), list(table.index), hidden)


def levels_last_month(db: sqlite_utils.Database, where: Region, year: SchoolYear) -> pd.DataFrame:
    """Per network: pupils by level in its latest month with data (suppressed), and which month that is."""
    rows = {}
    for code, scope in where.scopes.items():
        months = figures.network_months(db, scope, year)
        if months.empty:
            continue
        month = months.index[-1]
        rows[where.label(code)] = {"Mese": month, **months.iloc[-1].to_dict()}
    return pd.DataFrame.from_dict(rows, orient="index", dtype=object)


def follow_up(db: sqlite_utils.Database, where: Region, year: SchoolYear) -> pd.DataFrame:
    """Per network: the follow-up of its high-risk pupils (the dashboard's total row)."""
    rows = {}
    for code, scope in where.scopes.items():
        table = figures.follow_up(db, scope, year)
        if not table.empty:
            rows[where.label(code)] = table.loc[suppression.TOTAL]
    return pd.DataFrame(rows).T if rows else pd.DataFrame()


def programme_indicators(db: sqlite_utils.Database, where: Region, year: SchoolYear) -> pd.DataFrame:
    """Rows = the programme's indicators, columns = networks: the values for one school year (raw: numbers,
    "<5", "n.d." or None); `programme.INDICATORS` says which are shares of pupils and which of schools."""
    columns = {}
    for code, scope in where.scopes.items():
        evaluation = programme.evaluate(db, scope, [year])
        columns[where.label(code)] = [evaluation.values[i.key][str(year)] for i in programme.INDICATORS]
    return pd.DataFrame(columns, index=[i.label for i in programme.INDICATORS], dtype=object)
