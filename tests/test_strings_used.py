"""Every Italian string in ui/strings.py is shown somewhere: an unused one is a leftover (or a typo in a name).

The blocks at the end of the file ("# ---- feature ----") belong to features being built this round: their
strings may land before the pages that use them, so they are left out.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUND_BLOCK = re.compile(r"^# ---- .+ ----$", re.MULTILINE)


def defined(source: str) -> list[str]:
    names = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
        elif isinstance(node, ast.FunctionDef):
            names.append(node.name)
    return names


def unused_strings(source: str, code: list[str]) -> list[str]:
    """The names defined before the round's blocks that no code (nor another string) uses."""
    first_block = ROUND_BLOCK.search(source)
    settled = defined(source[:first_block.start()] if first_block else source)
    used = set()
    for text in code:
        used |= set(re.findall(r"\b(?:S|strings)\.([A-Za-z_]\w*)", text))
        used |= {alias.name for node in ast.walk(ast.parse(text))
                 if isinstance(node, ast.ImportFrom) and node.module == "ui.strings" for alias in node.names}
    # A string may be used by another string or helper of the same file (beside its own definition).
    used |= {name for name in settled if len(re.findall(rf"\b{name}\b", source)) > 1}
    return [name for name in settled if name not in used]


def test_every_string_is_used():
    files = [p for folder in ("pages", "ui", "models") for p in (ROOT / folder).rglob("*.py")
             if p.name != "strings.py"] + [ROOT / "app.py", ROOT / "cli.py", ROOT / "server.py"]
    unused = unused_strings((ROOT / "ui" / "strings.py").read_text(), [p.read_text() for p in files])
    assert not unused, f"strings nobody shows: {unused}"


def test_the_check_finds_a_leftover_and_spares_the_rounds_blocks():
    source = ('SHOWN = "a"\nLEFTOVER = "b"\nTITLE = "c"\nFULL = TITLE + "d"\n\n'
              '# ---- a feature of this round ----\nNOT_YET = "e"\n')
    page = "from ui import strings as S\nst.title(S.SHOWN)\nst.write(S.FULL)\n"
    assert unused_strings(source, [page]) == ["LEFTOVER"]
