"""Streamlit's multiselect adds an English «Select all» option unless told not to: every page tells it."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_multiselect_leaves_out_the_english_select_all():
    calls = []
    for path in sorted([*ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py"), ROOT / "app.py"]):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "multiselect":
                options = {k.arg: k.value for k in node.keywords}
                ok = isinstance(options.get("select_all"), ast.Constant) and options["select_all"].value is False
                calls.append((f"{path.name}:{node.lineno}", ok))
    assert calls and all(ok for _, ok in calls), [where for where, ok in calls if not ok]
