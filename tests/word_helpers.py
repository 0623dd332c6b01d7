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


def pdf_pages(pdf: bytes, folder: Path) -> list[str]:
    """The text of each page as pdftotext lays it out (one string per page, in order)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext) is not installed")
    source = folder / "read.pdf"
    source.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(source)], check=True, capture_output=True, text=True).stdout
    count = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    return [subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(source), "-"],
                           check=True, capture_output=True, text=True).stdout for n in range(1, count + 1)]


def pdf_info(pdf: bytes, folder: Path) -> dict[str, str]:
    source = folder / "info.pdf"
    source.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(source)], check=True, capture_output=True, text=True).stdout
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in info.splitlines())}


def body_lines(page: str) -> list[str]:
    """A page's non-empty lines without the running header (first) and footer (last)."""
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    return lines[1:-1] if len(lines) > 2 else lines


def page_images(pdf: bytes, target: Path, prefix: str, last_page: int, resolution: int = 70) -> list[Path]:
    """PNG pictures of the first pages, for a person to look at (pdftoppm)."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils (pdftoppm) is not installed")
    target.mkdir(parents=True, exist_ok=True)
    source = target / f"{prefix}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", str(resolution), "-f", "1", "-l", str(last_page), str(source),
                    str(target / prefix)], check=True, capture_output=True, timeout=120)
    source.unlink()
    return sorted(target.glob(f"{prefix}-*.png"))
