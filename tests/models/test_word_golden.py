"""The Word export's output stays the same, part by part, as the stored golden made before it was sped up.

The golden is the network zip of a small network whose protocols hold every
kind of block (headings, numbered and bulleted lists at several levels, tables
with ragged rows, line breaks, bold and italic, a logo, an approval), rendered
with the clock fixed. When an intended change alters the documents, regenerate
it with `python -m tests.models.test_word_golden` and look at the diff.
"""

from __future__ import annotations

import io
import sys
import tempfile
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

from PIL import Image

from models.accounts import auth, school_logo, schools
from models.core import clock
from models.core import db as database
from models.core.permissions import Actor
from models.demo import demo
from models.protocols import protocol as protocols
from models.protocols import word_export as docx_export

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden" / "network_export_parts.zip"
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
RICH = (
    "Un paragrafo con **grassetto**, *corsivo* e una riga  \nspezzata & <segni>.\n\n"
    "### Un sottotitolo\n\n"
    "1. primo\n2. secondo\n   - dentro\n      - ancora dentro\n3. terzo\n\n"
    "Tra due elenchi.\n\n"
    "1. di nuovo uno\n2. di nuovo due\n\n"
    "- punto\n- altro punto\n\n"
    "| Chi | Cosa | Quando |\n|---|---|---|\n| La segreteria | iscrizione e documenti | subito |\n"
    "| Il referente | colloquio | entro 5 giorni |\n| solo una cella |\n"
)


class _FixedDate(date):
    @classmethod
    def today(cls):
        return cls(2026, 3, 2)


def _logo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (240, 80), (20, 90, 160)).save(out, format="PNG")
    return out.getvalue()


def network_zip(db_path: Path) -> bytes:
    """The network export the golden holds, built from an empty database."""
    db = database.connect(db_path)
    demo.install_demo(db, with_protocols=False, with_pupils=False)
    system = Actor.system("golden")

    def actor(username: str) -> Actor:
        user_id = db.execute("SELECT id FROM users WHERE username = ?", [username]).fetchone()[0]
        return auth.actor_for_user(db, user_id)

    coordinator, dirigente = actor("coordinatrice"), actor("dirigente")
    for level in ("primaria", "secondaria_primo_grado", "secondaria_secondo_grado"):
        protocols.create_core(db, coordinator, "RETEDEMO", level, "2025/26")
    schools.update_school_facts(db, dirigente, "MIIS00003C", comune="Valfiorita (MI)",
                                dirigente_name="Marco Bianchi", referente_intercultura="prof.ssa Sara Galli")
    school_logo.save_logo(db, dirigente, "MIIS00003C", _logo())
    school = protocols.create_school_protocol(db, dirigente, "MIIS00003C")
    local = protocols.add_local_section(db, dirigente, school.id, "Sezione della scuola")
    protocols.save_section(db, dirigente, local.id, RICH, local.version)
    protocols.move(db, dirigente, school.id, "in_revisione")
    protocols.move(db, dirigente, school.id, "approvato", deliberation_date="01/10/2025",
                   deliberation_number="7/2025")
    protocols.create_school_protocol(db, system, "MIRI00004D")
    return docx_export.export_network(db, coordinator, "RETEDEMO")


def parts(archive: bytes) -> dict[str, bytes]:
    """Every part of every document in the zip, and the index sheet's cells (not its creation time)."""
    found = {}
    with zipfile.ZipFile(io.BytesIO(archive)) as outer:
        for name in sorted(outer.namelist()):
            with zipfile.ZipFile(io.BytesIO(outer.read(name))) as inner:
                for part in sorted(inner.namelist()):
                    if name.endswith(".xlsx") and part.startswith("docProps/"):
                        continue
                    found[f"{name}/{part}"] = inner.read(part)
    return found


def _rendered(db_path: Path) -> dict[str, bytes]:
    original_now, original_date = clock.utcnow, docx_export.date
    clock.utcnow, docx_export.date = (lambda: NOW), _FixedDate
    try:
        return parts(network_zip(db_path))
    finally:
        clock.utcnow, docx_export.date = original_now, original_date


def test_the_network_zip_is_the_same_part_by_part_as_the_golden(tmp_path):
    expected = {}
    with zipfile.ZipFile(GOLDEN) as golden:
        for name in golden.namelist():
            expected[name] = golden.read(name)
    got = _rendered(tmp_path / "golden.db")
    assert sorted(got) == sorted(expected)
    assert len(got) > 60  # six documents and the index
    for name, content in expected.items():
        assert got[name] == content, f"{name} differs: {_first_difference(got[name], content)}"


def _first_difference(got: bytes, expected: bytes) -> str:
    at = next((n for n, (a, b) in enumerate(zip(got, expected, strict=False)) if a != b), min(len(got), len(expected)))
    return f"at byte {at}: now …{got[at - 80:at + 80]!r}… was …{expected[at - 80:at + 80]!r}…"


def write_golden() -> None:
    with tempfile.TemporaryDirectory() as folder:
        found = _rendered(Path(folder) / "golden.db")
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(GOLDEN, "w", zipfile.ZIP_DEFLATED) as golden:
        for name, content in found.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            golden.writestr(info, content, zipfile.ZIP_DEFLATED)
    print(f"{GOLDEN}: {len(found)} parts", file=sys.stderr)


if __name__ == "__main__":
    write_golden()
