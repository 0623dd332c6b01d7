"""A school's letterhead logo: uploaded as PNG or JPEG, checked, stored re-encoded in the database.

The file is decoded with Pillow and written again as a small PNG, so what
reaches a document is always a plain image of a sensible size, without the
uploaded file's metadata (a phone photo's EXIF position, for instance).
"""

from __future__ import annotations

import io
import warnings

import sqlite_utils
from PIL import Image

from models.accounts import store
from models.accounts.schools import get_school
from models.core import audit
from models.core.db import store_upload, transaction
from models.core.errors import ApprodoError
from models.core.permissions import Action, Actor, SchoolRef, require

MAX_LOGO_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 25_000_000  # larger images are refused before they are decoded in full
MIN_SIDE = 32
STORED_BOX = (1200, 600)  # letterhead logos are wide and short
_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}


def check_logo(data: bytes) -> bytes:
    """The logo as a PNG to store, or an Italian error saying what is wrong with the file."""
    if not data:
        raise ApprodoError("Il file del logo è vuoto.")
    if len(data) > MAX_LOGO_BYTES:
        raise ApprodoError("Il logo è troppo grande: al massimo 2 MB.")
    declared = next((fmt for signature, fmt in _SIGNATURES.items() if data.startswith(signature)), None)
    if declared is None:
        raise ApprodoError("Il logo deve essere un'immagine PNG o JPEG.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format != declared:
                    raise ApprodoError("Il logo deve essere un'immagine PNG o JPEG.")
                if probe.width * probe.height > MAX_PIXELS:
                    raise ApprodoError("Il logo ha troppi pixel: riducilo sotto i 5000 × 5000.")
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                if min(image.size) < MIN_SIDE:
                    raise ApprodoError(f"Il logo è troppo piccolo: almeno {MIN_SIDE} pixel per lato.")
                image = image.convert("RGBA" if "A" in image.getbands() or image.mode == "P" else "RGB")
                image.thumbnail(STORED_BOX)
                out = io.BytesIO()
                image.save(out, format="PNG", optimize=True)
    except ApprodoError:
        raise
    except Exception:  # Pillow raises many kinds on a damaged or hostile file
        raise ApprodoError("Il file del logo è danneggiato o non è un'immagine leggibile.") from None
    return out.getvalue()


def save_logo(db: sqlite_utils.Database, actor: Actor, school_code: str, data: bytes) -> None:
    school = get_school(db, actor, school_code)
    require(actor, Action.MANAGE_SCHOOL, SchoolRef(school.code),
            "Solo il dirigente della scuola può cambiarne il logo.")
    png = check_logo(data)
    with transaction(db):
        store_upload(db, "school_logos", "school_code", school.code, png, actor.username)
        audit.record(db, actor, "logo_caricato", school.code, school_code=school.code)


def remove_logo(db: sqlite_utils.Database, actor: Actor, school_code: str) -> None:
    school = get_school(db, actor, school_code)
    require(actor, Action.MANAGE_SCHOOL, SchoolRef(school.code),
            "Solo il dirigente della scuola può cambiarne il logo.")
    with transaction(db):
        store.delete_logo(db, school.code)
        audit.record(db, actor, "logo_rimosso", school.code, school_code=school.code)


def school_logo(db: sqlite_utils.Database, actor: Actor, school_code: str) -> bytes | None:
    """The stored PNG, for anyone who may read the school (its protocol's cover shows it)."""
    school = get_school(db, actor, school_code)
    return store.logo(db, school.code)
