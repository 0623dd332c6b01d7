"""Small PDF files written by hand, so that every byte is the test's: plain objects with a classic
cross-reference table, or some of them packed in a compressed object stream listed by a cross-reference
stream (as PDF 1.5 writers do)."""

from __future__ import annotations

import struct
import zlib

HELVETICA = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def page_objects(text: str, compress: bool = True, catalog_extra: bytes = b"") -> list[bytes]:
    """Catalog (1), pages (2), one page (3) showing `text` in Helvetica (font 4, content 5)."""
    content = b"BT /F1 12 Tf 72 720 Td (" + text.encode("latin-1") + b") Tj ET"
    stream = zlib.compress(content) if compress else content
    flate = b" /Filter /FlateDecode" if compress else b""
    return [b"<< /Type /Catalog /Pages 2 0 R" + catalog_extra + b" >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >>"
            b" /Contents 5 0 R >>",
            HELVETICA,
            b"<< /Length %d%s >>\nstream\n" % (len(stream), flate) + stream + b"\nendstream"]


def make_pdf(objects: list[bytes], packed: list[bytes] = (), header: bytes = b"%PDF-1.7\n") -> bytes:
    """Objects numbered from 1 in order (1 is the catalog); `packed` numbered after them, inside one
    FlateDecode object stream."""
    out = bytearray(header)
    offsets: dict[int, int] = {}
    for number, body in enumerate(objects, 1):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    count = len(objects)
    if not packed:
        start = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (count + 1)
        out += b"".join(b"%010d 00000 n \n" % offsets[n] for n in range(1, count + 1))
        out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (count + 1, start)
        return bytes(out)
    packed_numbers = list(range(count + 1, count + 1 + len(packed)))
    head, body = b"", b""
    for number, obj in zip(packed_numbers, packed, strict=True):
        head += b"%d %d " % (number, len(body))
        body += obj + b"\n"
    data = zlib.compress(head + body)
    holder = packed_numbers[-1] + 1
    offsets[holder] = len(out)
    out += (b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
            % (holder, len(packed), len(head), len(data)) + data + b"\nendstream\nendobj\n")
    xref_number = holder + 1
    offsets[xref_number] = len(out)
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    for number in range(1, xref_number + 1):
        if number in offsets:
            rows.append(struct.pack(">BIH", 1, offsets[number], 0))
        else:
            rows.append(struct.pack(">BIH", 2, holder, packed_numbers.index(number)))
    table = b"".join(rows)
    out += (b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
            % (xref_number, xref_number + 1, len(table)) + table + b"\nendstream\nendobj\n")
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[xref_number]
    return bytes(out)
