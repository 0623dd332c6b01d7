"""A PDF attachment read by a kept parser (pypdf), in a child process with a time and a memory limit.

Looking for markers in the raw bytes misses what a PDF reader still understands: a name written with
#-escapes (`/J#61vaScript` is `/JavaScript`), an action inside a compressed object stream. The child parses
every object the way a reader does, refuses active content (scripts, launch actions, embedded files, forms
that send data), and returns the text of the pages, of the strings and of the metadata, for the pupil-code
check. A file that makes the parser run away costs a child process, never the server.
"""

from __future__ import annotations

import io
import json
import os
import re
import resource
import subprocess
import sys
from pathlib import Path

from models.core.errors import ApprodoError

ROOT = Path(__file__).resolve().parents[2]
MAX_SECONDS = 20
MAX_MEMORY_BYTES = 1024 * 1024**2  # address space, of which ~150 MB are Python and pypdf
MAX_TEXT_CHARS = 20 * 1024 * 1024
# Names whose presence means the file can act on its own when opened (or carries other files).
ACTIVE_NAMES = frozenset({"/JavaScript", "/JS", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia", "/XFA",
                          "/SubmitForm", "/ImportData", "/GoToE", "/Rendition", "/Movie", "/Sound"})
ACTIVE = ("Il PDF contiene codice, azioni automatiche o file incorporati: esportalo di nuovo come semplice "
          "documento (per esempio «Salva come PDF» da Word).")
DAMAGED = "Il PDF è danneggiato o non si può leggere: esportalo di nuovo dal programma d'origine."
ENCRYPTED = "Il PDF è protetto da password: salvalo di nuovo senza protezione."
NOT_PDF = "Il file non è un PDF valido."
POLYGLOT = ("Il file non è soltanto un PDF (contiene anche una pagina web): esportalo di nuovo come semplice "
            "documento dal programma d'origine.")
TOO_COSTLY = ("Il PDF richiede troppo tempo o troppa memoria per essere controllato: esportalo di nuovo come "
              "semplice documento, o dividilo.")

_RAW_NAME = re.compile(rb"/[^\s/<>\[\]()%{}]{1,127}")
_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"stream\r?\n.*?endstream", re.DOTALL)
_HTML = re.compile(rb"<\s*/?\s*(?:html|head|body|script|iframe|object|embed|meta|svg|!doctype)\b", re.IGNORECASE)


def check_pdf(data: bytes) -> str:
    """The PDF's text, or an Italian error for what is not a plain PDF; the parsing runs in a child."""
    _check_bytes(data)
    try:
        done = subprocess.run([sys.executable, "-m", "models.practices.pdf_check"], input=data,  # noqa: S603
                              capture_output=True, timeout=MAX_SECONDS, cwd=ROOT, check=False,
                              env=dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1"))
    except subprocess.TimeoutExpired:
        raise ApprodoError(TOO_COSTLY) from None
    try:
        answer = json.loads(done.stdout) if done.returncode == 0 else {"error": TOO_COSTLY}
    except ValueError:
        answer = {"error": TOO_COSTLY}
    if "error" in answer:
        raise ApprodoError(answer["error"])
    return answer["text"]


def _check_bytes(data: bytes) -> None:
    """What the raw bytes tell before any parsing: the signature, a web page inside, escaped active names
    anywhere (also in objects that no cross-reference lists, which a reader may still repair its way to)."""
    if data[:5] != b"%PDF-":
        raise ApprodoError(NOT_PDF)
    outside_streams = _STREAM.sub(b"stream endstream", data)
    if _HTML.search(data[:1024]) or _HTML.search(outside_streams):
        raise ApprodoError(POLYGLOT)
    for raw in set(_RAW_NAME.findall(outside_streams)):
        name = _HEX.sub(lambda m: bytes([int(m.group(1), 16)]), raw)
        if name == b"/Encrypt":
            raise ApprodoError(ENCRYPTED)
        if name.decode("latin-1") in ACTIVE_NAMES:
            raise ApprodoError(ACTIVE)


# --- the child ------------------------------------------------------------------------------------------------


def _parsed(data: bytes) -> str:
    """Every object of the file as pypdf resolves it (object streams too): refuse active names, gather text."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    from pypdf.generic import (
        ArrayObject,
        ByteStringObject,
        DictionaryObject,
        IndirectObject,
        NameObject,
        StreamObject,
        TextStringObject,
    )

    texts: list[str] = []
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ApprodoError(ENCRYPTED)
        numbers = {(number, generation) for generation, table in reader.xref.items() for number in table}
        numbers |= {(number, 0) for number in reader.xref_objStm}
        pending = [reader.trailer]
        for number, generation in sorted(numbers):
            pending.append(reader.get_object(IndirectObject(number, generation, reader)))
        seen: set[int] = set()
        while pending:
            item = pending.pop()
            if isinstance(item, IndirectObject) or id(item) in seen:
                continue  # every indirect object is on the list already
            seen.add(id(item))
            if isinstance(item, NameObject):
                if str(item) in ACTIVE_NAMES:
                    raise ApprodoError(ACTIVE)
            elif isinstance(item, DictionaryObject):
                for key, value in item.items():
                    if str(key) in ACTIVE_NAMES:
                        raise ApprodoError(ACTIVE)
                    pending.append(value)
                if isinstance(item, StreamObject) and item.get("/Type") == "/Metadata":
                    texts.append(item.get_data().decode("utf-8", errors="replace"))
            elif isinstance(item, ArrayObject):
                pending.extend(item)
            elif isinstance(item, TextStringObject):
                texts.append(str(item))
            elif isinstance(item, ByteStringObject):
                texts.append(bytes(item).decode("latin-1"))
        for page in reader.pages:
            texts.append(page.extract_text() or "")
            if sum(map(len, texts)) > MAX_TEXT_CHARS:
                raise ApprodoError(TOO_COSTLY)
    except ApprodoError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError,
            AssertionError, IndexError, UnicodeError):
        raise ApprodoError(DAMAGED) from None
    return "\n".join(texts)


def _main() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MAX_MEMORY_BYTES, MAX_MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (MAX_SECONDS, MAX_SECONDS + 1))
    try:
        answer = {"text": _parsed(sys.stdin.buffer.read())}
    except ApprodoError as error:
        answer = {"error": error.message}
    except MemoryError:
        answer = {"error": TOO_COSTLY}
    sys.stdout.write(json.dumps(answer))


if __name__ == "__main__":
    _main()
