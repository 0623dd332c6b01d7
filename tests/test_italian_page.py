"""The page as the server sends it: lang="it" and the script that makes Streamlit's own English Italian; other
answers (scripts, JSON, the cookie routes) pass untouched."""

import json
import re

from tests.async_helpers import run_apart
from ui.italian_page import PATTERNS, PREFIXES, SCRIPT_URL, TRANSLATIONS, ItalianPage, italian, script

INDEX = b'<!doctype html><html lang="en"><head><title>Streamlit</title></head><body></body></html>'


def serve(body: bytes, content_type: bytes, accept: bytes = b"text/html", method: str = "GET"):
    """Run the middleware around an app that answers `body`; return (what the app saw, the messages sent)."""
    seen = {}

    async def app(scope, receive, send):
        seen.update(scope)
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body[:10], "more_body": True})
        await send({"type": "http.response.body", "body": body[10:]})

    sent = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": method, "path": "/rischio", "extensions": {"http.response.pathsend": {}},
             "headers": [(b"accept", accept), (b"accept-encoding", b"gzip")]}
    run_apart(ItalianPage(app)(scope, None, send))
    return seen, sent


def test_the_page_is_served_in_italian_uncompressed_with_its_length():
    seen, sent = serve(INDEX, b"text/html; charset=utf-8")
    assert dict(seen["headers"]).get(b"accept-encoding") is None  # asked for plain, to edit it
    assert "http.response.pathsend" not in seen["extensions"]
    start, body = sent
    page = body["body"].decode()
    # The script is a file of the server (the Content-Security-Policy allows no inline script), loaded first.
    assert page.startswith(f'<!doctype html><html lang="it"><head><script src="{SCRIPT_URL}"></script><title>')
    assert dict(start["headers"])[b"content-length"] == str(len(body["body"])).encode()
    table = json.loads(re.search(r"var T = (\{.*?\}), P = ", script()).group(1))
    assert table["Press Enter to submit form"] == "Premi Invio per inviare il modulo"
    assert table["Drag and drop file here"] == "Trascina qui il file"


def test_other_answers_pass_untouched():
    script = b"console.log('Drag and drop file here')" * 3
    seen, sent = serve(script, b"application/javascript", accept=b"*/*")
    assert dict(seen["headers"])[b"accept-encoding"] == b"gzip"
    assert b"".join(m.get("body", b"") for m in sent) == script
    _, sent = serve(b'{"ok": true}', b"application/json", method="POST")
    assert b"".join(m.get("body", b"") for m in sent) == b'{"ok": true}'


def test_every_translation_is_italian_and_no_english_is_left_as_a_value():
    for english, italian_text in {**TRANSLATIONS, **PREFIXES}.items():
        assert italian_text and italian_text != english
        assert italian_text.strip() not in TRANSLATIONS  # a translated text is never translated again
    assert italian("<html lang=\"en\"><head></head>").count("<script") == 1


def test_streamlit_s_english_inside_longer_texts_becomes_italian():
    def translated(text: str) -> str | None:  # what the script does, in Python ($1 is \1)
        for pattern, replacement in PATTERNS:
            if re.search(pattern, text):
                return re.sub(pattern, re.sub(r"\$(\d)", r"\\\1", replacement), text)
        return None

    assert translated("200MB per file • CSV, TXT, XLSX") == "200 MB per file • CSV, TXT, XLSX"
    assert translated("application/pdf files are not allowed.") == "i file di tipo application/pdf non sono ammessi."
    assert translated("File must be 200.0MB or smaller.") == "Il file deve essere al massimo di 200.0MB."
    assert translated("12 – December") == "12 – dicembre" and translated("3 – March") == "3 – marzo"
    assert translated("Alunno IS100380") is None


def test_streamlit_reads_italian_as_the_browser_s_language():
    # The calendar's months and weekdays follow navigator.language: the page's script sets it before Streamlit runs.
    assert 'Object.defineProperty(navigator, "language", {get: function () { return "it-IT"; }' in script()
