"""Protocol templates on disk: guidelines/templates/<id>/template.toml and sections/*.md."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from models.accounts.schools import Level
from models.core.errors import ApprodoError
from models.protocols import placeholders, richtext

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "guidelines" / "templates"
COMMON = "_comune"


class SectionKind(StrEnum):
    CORE_LOCKED = "core_locked"
    CORE_ADAPTABLE = "core_adaptable"
    LOCAL = "local"


KIND_LABELS = {
    SectionKind.CORE_LOCKED: "comune, non modificabile dalle scuole",
    SectionKind.CORE_ADAPTABLE: "comune, adattabile dalla scuola",
    SectionKind.LOCAL: "della scuola",
}


@dataclass(frozen=True)
class SectionTemplate:
    key: str
    title: str
    kind: SectionKind
    guidance: str
    body: str


@dataclass(frozen=True)
class Template:
    id: str
    title: str
    level: Level
    version: str
    sections: tuple[SectionTemplate, ...]


def list_templates(root: Path = TEMPLATES_DIR) -> list[Template]:
    return [load_template(path.name, root) for path in sorted(root.iterdir())
            if (path / "template.toml").is_file()]


def load_template(template_id: str, root: Path = TEMPLATES_DIR) -> Template:
    """Read and check one template; a broken template is an error, never half-loaded."""
    folder = root / template_id
    if template_id.startswith((".", "_")) or not (folder / "template.toml").is_file():
        raise ApprodoError(f"Il modello «{template_id}» non esiste.")
    meta = tomllib.loads((folder / "template.toml").read_text(encoding="utf-8"))
    sections = []
    for entry in meta["sections"]:
        key = entry["key"]
        path = folder / "sections" / f"{key}.md"
        if not path.is_file():
            path = root / COMMON / "sections" / f"{key}.md"
        body = path.read_text(encoding="utf-8").strip() + "\n"
        try:
            richtext.validate(body)
            placeholders.check(body)
        except ApprodoError as error:
            raise ApprodoError(f"Modello {template_id}, sezione {key}: {error.message}") from None
        sections.append(SectionTemplate(key, entry["title"], SectionKind(entry["kind"]),
                                        entry.get("guidance", ""), body))
    keys = [s.key for s in sections]
    if len(set(keys)) != len(keys):
        raise ApprodoError(f"Modello {template_id}: chiavi di sezione ripetute.")
    return Template(meta["id"], meta["title"], Level(meta["level"]), str(meta["version"]), tuple(sections))


def template_for_level(level: Level, root: Path = TEMPLATES_DIR) -> Template:
    for template in list_templates(root):
        if template.level == level:
            return template
    raise ApprodoError(f"Non c'è un modello di protocollo per il grado {level.value}.")
