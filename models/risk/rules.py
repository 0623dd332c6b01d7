"""The thresholds of the risk levels, per network: defaults in `indicators.Rules`, changes stored here."""

from __future__ import annotations

import json
from dataclasses import asdict, replace

import sqlite_utils

from models.accounts.schools import get_network
from models.core import audit, clock
from models.core.db import transaction
from models.core.errors import ApprodoError
from models.core.permissions import Action, Actor, NetworkRef, require
from models.risk import store
from models.risk.indicators import DEFAULT_RULES, Rules

# What a network may change, and within which bounds (the legal 25 % is not negotiable).
BOUNDS = {
    "chronic": (0.05, 0.30),
    "severe": (0.10, 0.50),
    "trend_points": (0.01, 0.30),
    "late_per_month": (0.5, 20.0),
    "context_factors": (1, 4),
    "min_months": (1, 6),
    "recent_months": (1, 4),
}


def network_rules(db: sqlite_utils.Database, network_code: str) -> Rules:
    settings = store.rules_settings(db, network_code)
    return replace(DEFAULT_RULES, **json.loads(settings)) if settings is not None else DEFAULT_RULES


def set_network_rules(db: sqlite_utils.Database, actor: Actor, network_code: str, **changes) -> Rules:
    """Change some thresholds of a network: its coordinator or an admin."""
    network = get_network(db, actor, network_code)
    require(actor, Action.MANAGE_NETWORK, NetworkRef(network.code),
            "Solo il coordinatore della rete cambia le soglie di rischio.")
    current = network_rules(db, network.code)
    for name, value in changes.items():
        if name not in BOUNDS:
            raise ApprodoError(f"La soglia «{name}» non si può cambiare.")
        low, high = BOUNDS[name]
        if not low <= value <= high:
            raise ApprodoError(f"La soglia «{name}» deve essere tra {low} e {high}.")
        if isinstance(low, int):
            changes[name] = int(value)
    updated = replace(current, **changes)
    if updated.severe <= updated.chronic:
        raise ApprodoError("La soglia grave deve essere più alta di quella dell'assenza cronica.")
    stored = {k: v for k, v in asdict(updated).items() if v != getattr(DEFAULT_RULES, k)}
    with transaction(db):
        store.save_rules(db, network.code, json.dumps(stored), actor.username, clock.to_text(clock.utcnow()))
        audit.record(db, actor, "soglie_rischio", network.code, detail=json.dumps(stored))
        # The levels by month follow in the background (models/risk/history.py runs the job); until the job
        # switches them in, the dashboard shows the levels of the old thresholds, whole.
        if updated == current:
            return updated
        store.insert_level_job(db, network.code, rules_json(updated), store.network_school_count(db, network.code),
                               actor.username, clock.to_text(clock.utcnow()))
    return updated


def rules_json(rules: Rules) -> str:
    """Every threshold, as stored with the levels computed from them."""
    return json.dumps(asdict(rules), sort_keys=True)


def rules_from_json(text: str) -> Rules:
    return Rules(**json.loads(text))
