"""The accessibility declaration (docs/accessibilita.md) says what the tests do: kept true here."""

import re

from tests.conftest import ROOT

DECLARATION = (ROOT / "docs" / "accessibilita.md").read_text(encoding="utf-8")


def test_the_declaration_names_the_checker_that_ci_pins_and_the_tests_that_exist():
    pinned = re.search(r"^axe-playwright-python==(\S+)$", (ROOT / "requirements-dev.txt").read_text(), re.M)
    assert pinned and f"axe-playwright-python=={pinned.group(1)}" in DECLARATION
    from axe_playwright_python.base import AXE_SCRIPT

    axe_version = re.search(r"axe v(\d+\.\d+)", AXE_SCRIPT).group(1)
    assert f"axe-core {axe_version}" in DECLARATION
    for test_file in re.findall(r"`(tests/[\w/]+\.py)`", DECLARATION):
        assert (ROOT / test_file).is_file(), test_file


def test_the_declaration_names_every_role_the_page_test_visits():
    from tests.e2e.test_accessibility import ROLES

    labels = {"dirigente": "dirigente", "funzione_strumentale": "funzione strumentale",
              "coordinatore_rete": "coordinatore di rete", "docente": "docente", "regione": "regione",
              "admin": "amministratore"}
    assert {role.value for role in ROLES.values()} == set(labels)
    for label in labels.values():
        assert label in DECLARATION
