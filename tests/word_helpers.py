"""Helpers for tests that read Word files the way a person's word processor would."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document


def all_text(data: bytes) -> str:
    """Every text of the document, header and footer included (from the XML, as a reader sees it)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = [n for n in archive.namelist() if n.startswith("word/") and n.endswith(".xml")]
        document = Document(io.BytesIO(data))
        texts = [p.text for p in document.paragraphs]
        for table in document.tables:
            texts += [cell.text for row in table.rows for cell in row.cells]
        for section in document.sections:
            for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
                texts += [p.text for p in part.paragraphs]
        assert parts  # the archive is a Word package
    return "\n".join(texts)


def headings(data: bytes, level: int = 1) -> list[str]:
    return [p.text for p in Document(io.BytesIO(data)).paragraphs if p.style.name == f"Heading {level}"]


def convert_with_libreoffice(data: bytes, folder: Path) -> bytes:
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if binary is None:
        pytest.skip("LibreOffice is not installed (make test installs it when run as root)")
    source = folder / "doc.docx"
    source.write_bytes(data)
    subprocess.run([binary, f"-env:UserInstallation=file://{folder / 'lo'}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(folder), str(source)], check=True, capture_output=True, timeout=180)
    pdf = (folder / "doc.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    return pdf
