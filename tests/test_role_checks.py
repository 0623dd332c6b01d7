"""Access is decided in models/core/permissions.py only: outside it no code compares a role (`actor.role is ...`,
`role in (...)`, `actor.role.value == ...`) nor refuses by itself (`PermissionDenied`); it asks the permission
module `allowed(actor, action, resource)` or `require(...)` instead."""

from __future__ import annotations

import ast

import pytest

from tests.source_scan import APP_FILES, file_id, matching_lines, named

PERMISSIONS = next(p for p in APP_FILES if file_id(p) == "models/core/permissions.py")
ERRORS = next(p for p in APP_FILES if file_id(p) == "models/core/errors.py")  # where the exception is defined
FILES = [p for p in APP_FILES if p not in (PERMISSIONS, ERRORS)]
ROLE_SETS = {"SCHOOL_ROLES"}


def _is_role(node) -> bool:
    """`x.role`, `x.role.value`, `Role.X`, or a set of roles."""
    if isinstance(node, ast.Attribute) and node.attr == "role":
        return True
    if isinstance(node, ast.Attribute) and node.attr == "value" and _is_role(node.value):
        return True
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Role":
        return True
    return named(node, ROLE_SETS)


def role_checks(source: str) -> list[int]:
    """Lines that compare a role: `... is Role.X`, `actor.role in (...)`, `x.role.value == "admin"`."""
    return matching_lines(source, lambda node: isinstance(node, ast.Compare)
                          and any(_is_role(side) for side in [node.left, *node.comparators]))


def refusals(source: str) -> list[int]:
    """Lines that name PermissionDenied (raise it, import it, catch it): refusals are `require(...)`."""
    return matching_lines(source, lambda node: named(node, {"PermissionDenied"})
                          or (isinstance(node, ast.alias) and node.name == "PermissionDenied"))


@pytest.mark.parametrize("path", FILES, ids=file_id)
def test_no_role_check_outside_the_permission_module(path):
    lines = role_checks(path.read_text(encoding="utf-8"))
    assert not lines, f"lines {lines} compare a role: ask models/core/permissions.py `allowed(...)` instead"


@pytest.mark.parametrize("path", FILES, ids=file_id)
def test_no_refusal_outside_the_permission_module(path):
    lines = refusals(path.read_text(encoding="utf-8"))
    assert not lines, f"lines {lines} name PermissionDenied: use `require(actor, action, resource, message)`"


def test_the_check_sees_each_shape_of_a_role_check():
    source = ("if actor.role is Role.DIRIGENTE: pass\n"
              "if actor.role.value in ('dirigente', 'coordinatore_rete'): pass\n"
              "if parsed is Role.COORDINATORE_RETE: pass\n"
              "if role in SCHOOL_ROLES: pass\n"
              "if allowed(actor, Action.READ_PUPILS) and actor.school_code == code: pass\n"
              "label = ROLE_LABELS[user.role]\n")
    assert role_checks(source) == [1, 2, 3, 4]
    assert role_checks(PERMISSIONS.read_text(encoding="utf-8"))  # where they belong: there are some


def test_the_check_sees_each_shape_of_a_refusal():
    source = ("from models.core.errors import ApprodoError, PermissionDenied\n"
              "if not ok:\n    raise PermissionDenied('No')\n"
              "raise errors.ApprodoError('Non valido')\n"
              "require(actor, Action.READ_PUPILS, SchoolRef(code), 'Non hai accesso')\n"
              "try:\n    pass\nexcept PermissionDenied:\n    pass\n")
    assert refusals(source) == [1, 3, 8]
    assert refusals(PERMISSIONS.read_text(encoding="utf-8"))  # where they belong: there are some
