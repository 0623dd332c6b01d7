"""Access is decided in models/core/permissions.py only: outside it no code compares a role (`actor.role is ...`,
`role in (...)`, `actor.role.value == ...`); it asks a question of the permission module instead."""

from __future__ import annotations

import ast

import pytest

from tests.conftest import ROOT

PERMISSIONS = ROOT / "models" / "core" / "permissions.py"
FILES = sorted(p for p in [ROOT / "app.py", ROOT / "cli.py", ROOT / "server.py",
                           *(q for folder in ("models", "ui", "pages") for q in (ROOT / folder).rglob("*.py"))]
               if p != PERMISSIONS)
ROLE_SETS = {"SCHOOL_ROLES"}


def _is_role(node) -> bool:
    """`x.role`, `x.role.value`, `Role.X`, or a set of roles."""
    if isinstance(node, ast.Attribute) and node.attr == "role":
        return True
    if isinstance(node, ast.Attribute) and node.attr == "value" and _is_role(node.value):
        return True
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Role":
        return True
    return isinstance(node, ast.Name) and node.id in ROLE_SETS


def role_checks(source: str) -> list[int]:
    """Lines that compare a role: `... is Role.X`, `actor.role in (...)`, `x.role.value == "admin"`."""
    return [node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Compare) and any(_is_role(side) for side in [node.left, *node.comparators])]


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_role_check_outside_the_permission_module(path):
    lines = role_checks(path.read_text(encoding="utf-8"))
    assert not lines, f"lines {lines} compare a role: ask models/core/permissions.py instead"


def test_the_check_sees_each_shape_of_a_role_check():
    source = ("if actor.role is Role.DIRIGENTE: pass\n"
              "if actor.role.value in ('dirigente', 'coordinatore_rete'): pass\n"
              "if parsed is Role.COORDINATORE_RETE: pass\n"
              "if role in SCHOOL_ROLES: pass\n"
              "if can(actor, Capability.VIEW_RISK) and actor.school_code == code: pass\n"
              "label = ROLE_LABELS[user.role]\n")
    assert role_checks(source) == [1, 2, 3, 4]
    assert role_checks(PERMISSIONS.read_text(encoding="utf-8"))  # where they belong: there are some
