"""A network's risk thresholds (models/risk/rules.py): bounds, who may change them, what is stored."""

import json

import pytest

from models.core.errors import ApprodoError, PermissionDenied
from models.risk import rules
from models.risk.indicators import DEFAULT_RULES
from tests.conftest import OTHER_NETWORK

NETWORK = "RETEDEMO"


def stored(db, network=NETWORK):
    row = db.execute("SELECT settings, updated_by FROM risk_rules WHERE network_code = ?", [network]).fetchone()
    return (json.loads(row[0]), row[1]) if row else None


def test_a_network_without_changes_has_the_defaults(demo_db):
    assert rules.network_rules(demo_db, NETWORK) == DEFAULT_RULES
    assert stored(demo_db) is None


def test_only_the_changes_from_the_defaults_are_stored_and_they_add_up(demo_db, actors):
    coordinator = actors["coordinatore_rete"]
    rules.set_network_rules(demo_db, coordinator, NETWORK, chronic=0.12)
    updated = rules.set_network_rules(demo_db, coordinator, NETWORK, recent_months=3)
    assert (updated.chronic, updated.recent_months) == (0.12, 3)  # the second change keeps the first
    assert stored(demo_db) == ({"chronic": 0.12, "recent_months": 3}, coordinator.username)
    rules.set_network_rules(demo_db, coordinator, NETWORK, chronic=DEFAULT_RULES.chronic)
    assert stored(demo_db)[0] == {"recent_months": 3}  # back to the default: nothing to remember
    assert rules.network_rules(demo_db, NETWORK).chronic == DEFAULT_RULES.chronic
    assert rules.network_rules(demo_db, OTHER_NETWORK) == DEFAULT_RULES  # one network's change stays there


def test_whole_number_thresholds_are_stored_as_whole_numbers(demo_db, actors):
    updated = rules.set_network_rules(demo_db, actors["coordinatore_rete"], NETWORK, context_factors=3.0,
                                      min_months=2.0)
    assert updated.context_factors == 3 and isinstance(updated.context_factors, int)
    assert stored(demo_db)[0].get("context_factors") == 3


@pytest.mark.parametrize("changes, message", [
    ({"chronic": 0.04}, "tra 0.05 e 0.3"),
    ({"severe": 0.6}, "tra 0.1 e 0.5"),
    ({"min_months": 7}, "tra 1 e 6"),
    ({"chronic": 0.25, "severe": 0.2}, "più alta di quella dell'assenza cronica"),
    ({"legal_limit": 0.3}, "non si può cambiare"),
])
def test_thresholds_outside_their_bounds_are_refused_and_nothing_changes(demo_db, actors, changes, message):
    with pytest.raises(ApprodoError, match=message):
        rules.set_network_rules(demo_db, actors["coordinatore_rete"], NETWORK, **changes)
    assert stored(demo_db) is None and rules.network_rules(demo_db, NETWORK) == DEFAULT_RULES


@pytest.mark.parametrize("who", ["dirigente", "funzione_strumentale", "docente", "other_coordinatore"])
def test_only_the_networks_coordinator_or_an_admin_changes_them(demo_db, actors, who):
    with pytest.raises(PermissionDenied):
        rules.set_network_rules(demo_db, actors[who], NETWORK, chronic=0.12)
    assert stored(demo_db) is None
    rules.set_network_rules(demo_db, actors["admin"], NETWORK, chronic=0.12)
    assert stored(demo_db) == ({"chronic": 0.12}, actors["admin"].username)


def test_each_change_is_in_the_audit_log(demo_db, actors):
    rules.set_network_rules(demo_db, actors["coordinatore_rete"], NETWORK, chronic=0.12)
    row = demo_db.execute("SELECT actor, detail FROM audit_log WHERE action = 'soglie_rischio'").fetchone()
    assert row[0] == actors["coordinatore_rete"].username and json.loads(row[1]) == {"chronic": 0.12}
