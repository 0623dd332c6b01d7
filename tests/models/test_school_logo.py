import io
import zipfile

import pytest
from PIL import Image

from models.accounts import school_logo
from models.core.errors import ApprodoError, PermissionDenied
from models.protocols import word_export as docx_export


def image_bytes(fmt: str, size=(300, 100), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "navy").save(out, format=fmt)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_png_or_jpeg_logo_is_stored_as_a_png_and_reaches_the_cover(demo_db, actors, school_protocol, fmt):
    dirigente = actors["dirigente"]
    school_logo.save_logo(demo_db, dirigente, "MIIS00003C", image_bytes(fmt))
    stored = school_logo.school_logo(demo_db, actors["docente"], "MIIS00003C")
    with Image.open(io.BytesIO(stored)) as image:
        assert (image.format, image.size) == ("PNG", (300, 100))
    document = docx_export.export_protocol(demo_db, dirigente, school_protocol.id)
    with zipfile.ZipFile(io.BytesIO(document)) as archive:
        media = [n for n in archive.namelist() if n.startswith("word/media/")]
        assert len(media) == 1 and archive.read(media[0]) == stored


def test_a_huge_logo_is_made_small_and_metadata_is_dropped(demo_db, actors):
    image = Image.new("RGB", (4000, 1000), "navy")
    exif = Image.Exif()
    exif[0x010E] = "posizione segreta"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    stored = school_logo.check_logo(out.getvalue())
    with Image.open(io.BytesIO(stored)) as logo:
        assert logo.size == (1200, 300)
        assert not logo.getexif()
    assert b"posizione segreta" not in stored


@pytest.mark.parametrize(("data", "message"), [
    (b"", "vuoto"),
    (b"GIF89a" + b"\0" * 100, "PNG o JPEG"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "PNG o JPEG"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 200, "danneggiato"),
    (b"\xff\xd8\xff" + image_bytes("PNG")[8:], "danneggiato"),
    (image_bytes("PNG", (10, 10)), "troppo piccolo"),
    (b"\x89PNG\r\n\x1a\n" + b"x" * (3 * 1024 * 1024), "troppo grande"),
])
def test_what_is_not_a_usable_logo_gets_an_italian_message(data, message):
    with pytest.raises(ApprodoError, match=message):
        school_logo.check_logo(data)


def test_a_png_that_declares_enormous_dimensions_is_refused_before_decoding(monkeypatch):
    monkeypatch.setattr(school_logo, "MAX_PIXELS", 1000)
    with pytest.raises(ApprodoError, match="troppi pixel"):
        school_logo.check_logo(image_bytes("PNG", (100, 100)))


def test_only_the_school_dirigente_changes_the_logo(demo_db, actors):
    for role in ("funzione_strumentale", "docente", "coordinatore_rete", "other_dirigente"):
        with pytest.raises(PermissionDenied):
            school_logo.save_logo(demo_db, actors[role], "MIIS00003C", image_bytes("PNG"))
    school_logo.save_logo(demo_db, actors["dirigente"], "MIIS00003C", image_bytes("PNG"))
    school_logo.remove_logo(demo_db, actors["dirigente"], "MIIS00003C")
    assert school_logo.school_logo(demo_db, actors["dirigente"], "MIIS00003C") is None
