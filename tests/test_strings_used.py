"""Every Italian string in ui/strings.py is shown somewhere: an unused one is a leftover (or a typo in a name).

A string counts as used when the code names it (`S.NAME`, `strings.NAME`, `from ui.strings import NAME`), or
when a used string or helper of the file reads it; a mention in a comment, or in a leftover, does not count.
The whole file is checked, the blocks of each feature ("# ---- feature ----") too.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def definitions(source: str) -> dict[str, set[str]]:
    """Each name the file defines, with the names its definition reads."""
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names = [node.target.id]
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            names = [node.name]
        else:
            continue
        reads = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        for name in names:
            found[name] = reads - {name}
    return found


def unused_strings(source: str, code: list[str]) -> list[str]:
    """The names defined in the file that no code uses, directly or through a used string or helper."""
    defined = definitions(source)
    named = set()
    for text in code:
        named |= set(re.findall(r"\b(?:S|strings)\.([A-Za-z_]\w*)", text))
        named |= {alias.name for node in ast.walk(ast.parse(text))
                  if isinstance(node, ast.ImportFrom) and node.module == "ui.strings" for alias in node.names}
    used, to_follow = set(), [name for name in defined if name in named]
    while to_follow:
        name = to_follow.pop()
        if name not in used:
            used.add(name)
            to_follow += [read for read in defined[name] if read in defined]
    return [name for name in defined if name not in used]


def test_every_string_is_used():
    files = [p for folder in ("pages", "ui", "models") for p in (ROOT / folder).rglob("*.py")
             if p.name != "strings.py"] + [ROOT / "app.py", ROOT / "cli.py", ROOT / "server.py"]
    unused = unused_strings((ROOT / "ui" / "strings.py").read_text(), [p.read_text() for p in files])
    assert not unused, f"strings nobody shows: {unused}"


def test_the_check_finds_leftovers_wherever_they_are_and_however_they_are_mentioned():
    source = ('SHOWN = "a"\nLEFTOVER = "b"\nTITLE = "c"\nFULL = TITLE + "d"\n'
              '# MENTIONED is only named in this comment\nMENTIONED = "e"\n'
              'PART = "f"\nOLD = PART + "g"\n\n'
              'def helper():\n    return HELPED\n\nHELPED = "h"\n\n'
              '# ---- a feature ----\nNOT_SHOWN = "i"\nSHOWN_TOO = "j"\n')
    page = ("from ui import strings as S\nfrom ui.strings import SHOWN_TOO\n"
            "st.title(S.SHOWN)\nst.write(S.FULL)\nst.write(S.helper())\n")
    assert unused_strings(source, [page]) == ["LEFTOVER", "MENTIONED", "PART", "OLD", "NOT_SHOWN"]
