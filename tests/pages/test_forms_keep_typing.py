"""Every form keeps what was typed when its action is refused: no form clears itself on submit (Streamlit's
clear_on_submit empties the fields of a refused submit too), and after a success the form starts empty."""

import ast
from pathlib import Path

from tests.conftest import ROOT
from tests.pages.conftest import open_page

SOURCES = sorted([*(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py"), ROOT / "app.py"])


def _forms(path: Path) -> list[ast.Call]:
    return [node for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "form"]


def test_no_form_clears_what_was_typed():
    forms = {path.name: _forms(path) for path in SOURCES}
    assert sum(len(f) for f in forms.values()) >= 30  # the check sees the app's forms
    clearing = [f"{name}:{call.lineno}" for name, calls in forms.items() for call in calls
                if any(k.arg == "clear_on_submit" for k in call.keywords)]
    assert clearing == []


def _field(at, label):
    return next(w for w in [*at.text_input, *at.text_area] if w.label == label)


def test_add_a_user_after_a_short_password_keeps_every_field_then_starts_empty(demo_db):
    at = open_page("admin", "pages/admin.py")
    typed = {"Nome utente": "m.bianchi", "Nome e cognome": "Marta Bianchi",
             "E-mail per l'accesso con l'account della scuola": "marta@scuola.it",
             "Password iniziale (almeno 10 caratteri)": "corta"}
    for label, text in typed.items():
        _field(at, label).input(text)
    submit = next(b for b in at.get("form_submit_button") if b.proto.form_id.startswith("add_user"))
    submit.click().run()
    assert at.error and "10 caratteri" in at.error[0].value
    assert {label: _field(at, label).value for label in typed} == typed
    _field(at, "Password iniziale (almeno 10 caratteri)").input("una-password-lunga")
    next(b for b in at.get("form_submit_button") if b.proto.form_id.startswith("add_user")).click().run()
    assert "Utente m.bianchi creato." in [s.value for s in at.success]
    assert _field(at, "Nome utente").value == "" and _field(at, "Nome e cognome").value == ""
