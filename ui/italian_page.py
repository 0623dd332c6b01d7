"""The page Streamlit serves, made Italian: `<html lang="it">` and Italian words for Streamlit's own English.

Streamlit's index.html says `lang="en"`, and its widgets carry English of their own that no Python option
reaches (the file uploader's "Drag and drop file here", a form's "Press Enter to submit form", the buttons'
and tables' labels read by a screen reader). This ASGI middleware (server.py) rewrites the page as it is
served: the language becomes Italian, and a small script (SCRIPT_URL, a file: the Content-Security-Policy of
ui/http_guard.py allows no inline script) replaces those texts and labels in the page with
the Italian of TRANSLATIONS, as they appear, so that what is shown and what a screen reader says agree.
Only whole texts listed here change; anything else Streamlit writes stays as it is (the README says what).
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

# Streamlit's English → the Italian a person reads or hears. Whole texts (trimmed), and attribute values
# (aria-label, title, placeholder) alike.
TRANSLATIONS: dict[str, str] = {
    # forms
    "Press Enter to submit form": "Premi Invio per inviare il modulo",
    "Press Enter to apply": "Premi Invio per confermare",
    "Press ⌘+Enter to apply": "Premi ⌘+Invio per confermare",
    "Press Ctrl+Enter to apply": "Premi Ctrl+Invio per confermare",
    "Show password text": "Mostra la password",
    "Hide password text": "Nascondi la password",
    # file uploader
    "Drag and drop file here": "Trascina qui il file",
    "Drag and drop files here": "Trascina qui i file",
    "Drag and drop a file here": "Trascina qui il file",
    "Browse files": "Scegli i file",
    "Add files": "Aggiungi file",
    "add icon": "icona aggiungi",
    "Upload": "Carica",
    "Delete": "Elimina",
    "Remove file": "Togli il file",
    "Error:": "Errore:",
    "Clear value": "Cancella il valore",
    "Clear all": "Cancella tutto",
    # date input
    "Choose date": "Scegli la data",
    "Choose a date": "Scegli una data",
    "Choose date range": "Scegli il periodo",
    "Clear date": "Cancella la data",
    "Clear dates": "Cancella le date",
    "Previous month.": "Mese precedente",
    "Next month.": "Mese successivo",
    "Previous month": "Mese precedente",
    "Next month": "Mese successivo",
    "Use arrow keys to navigate dates. Enter to select. Escape to close.":
        "Usa le frecce per muoverti tra i giorni, Invio per scegliere, Esc per chiudere.",
    "Month": "Mese",
    "Year": "Anno",
    # tables (st.dataframe toolbar)
    "Download as CSV": "Scarica come CSV",
    "Clear selection": "Togli la selezione",
    "Search": "Cerca",
    "Fullscreen": "Schermo intero",
    "Close fullscreen": "Esci dallo schermo intero",
    "Show/hide columns": "Mostra o nascondi colonne",
    "Sort ascending": "Ordina in modo crescente",
    "Sort descending": "Ordina in modo decrescente",
    "Pin column": "Blocca la colonna",
    "Unpin column": "Sblocca la colonna",
    "Hide column": "Nascondi la colonna",
    "Autosize": "Larghezza automatica",
    "Format": "Formato",
    # the frame of the page
    "Collapse sidebar": "Chiudi il menu laterale",
    "Expand sidebar": "Apri il menu laterale",
    "Main menu": "Menu principale",
    "Close": "Chiudi",
    "Running...": "In esecuzione…",
    "Copy to clipboard": "Copia negli appunti",
    "Select all": "Seleziona tutto",
    "No results": "Nessun risultato",
    "No options to select": "Nessuna opzione da scegliere",
    "Choose an option": "Scegli un'opzione",
    "Choose options": "Scegli le opzioni",
    "Open": "Apri",
    "open": "apri",
    "Selected": "Scelto",
    "Selected values": "Valori scelti",
    "Skip to main content": "Vai al contenuto principale",
    "Link to heading": "Link a questo titolo",
    "Show data": "Mostra i dati",
    "Show password": "Mostra la password",
    "Hide password": "Nascondi la password",
    "file upload": "caricamento del file",
    "Increment": "Aumenta",
    "Decrement": "Diminuisci",
    "Vega visualization": "Grafico",
    "yyyy": "aaaa",
    "dd": "gg",
}

# Streamlit's English that starts a longer text: the start is replaced, the rest (a label, a size) kept.
PREFIXES: dict[str, str] = {
    "Help for ": "Aiuto: ",
    "Remove ": "Togli ",
    "day, ": "giorno, ",
    "month, ": "mese, ",
    "year, ": "anno, ",
    "Limit ": "Limite ",
    "Choose date, ": "Scegli la data, ",
    "Choose date range, ": "Scegli il periodo, ",
}

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_MESI = ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre",
         "novembre", "dicembre")
# Streamlit's English inside a longer text: (JavaScript regular expression, replacement with $1...).
PATTERNS: list[tuple[str, str]] = [
    (r"^(\d+(?:\.\d+)?)MB per file", "$1 MB per file"),
    (r"^(.+) files are not allowed\.$", "i file di tipo $1 non sono ammessi."),  # after "Error: " (its own text)
    (r"^File must be (.+) or smaller\.$", "Il file deve essere al massimo di $1."),
    # the month field of a date, read by a screen reader as "12 – December" (its own English, whatever the locale)
    *((rf"^(\d{{1,2}}) – {month}$", f"$1 – {mese}") for month, mese in zip(_MONTHS, _MESI, strict=True)),
]

_ATTRIBUTES = ("aria-label", "aria-valuetext", "title", "placeholder")

# The script: translate what is there, then what Streamlit adds or changes (a MutationObserver). It sets
# only values found in the table, so a rerun that writes the English again is translated again.
_SCRIPT = """(function () {
  var T = %(table)s, P = %(prefixes)s, R = %(patterns)s, A = %(attributes)s;
  // Streamlit's calendar and number formats follow navigator.language (no option of Streamlit sets them): the app
  // is Italian, so the browser's language, as the page reads it, is Italian too (months, weekdays, Monday first).
  try {
    Object.defineProperty(navigator, "language", {get: function () { return "it-IT"; }, configurable: true});
    Object.defineProperty(navigator, "languages", {get: function () { return ["it-IT", "it"]; }, configurable: true});
  } catch (e) { /* an older browser: its own language stays */ }
  for (var r = 0; r < R.length; r++) R[r][0] = new RegExp(R[r][0]);
  function italian(value) {  // the Italian for a text, or null when there is nothing to change
    var key = value.trim();
    if (!key) return null;
    if (Object.prototype.hasOwnProperty.call(T, key)) return value.replace(key, T[key]);
    for (var start in P) if (key.indexOf(start) === 0) return value.replace(start, P[start]);
    for (var i = 0; i < R.length; i++) if (R[i][0].test(key)) return value.replace(key, key.replace(R[i][0], R[i][1]));
    return null;
  }
  function fixText(node) {
    var changed = italian(node.nodeValue);
    if (changed !== null) node.nodeValue = changed;
  }
  function fixElement(el) {
    for (var i = 0; i < A.length; i++) {
      var v = el.getAttribute(A[i]), changed = v && italian(v);
      if (changed) el.setAttribute(A[i], changed);
    }
  }
  function walk(root) {
    if (root.nodeType === 3) { fixText(root); return; }
    if (root.nodeType !== 1) return;
    fixElement(root);
    var w = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    for (var n = w.nextNode(); n; n = w.nextNode()) { if (n.nodeType === 3) fixText(n); else fixElement(n); }
  }
  document.documentElement.lang = "it";
  new MutationObserver(function (changes) {
    for (var i = 0; i < changes.length; i++) {
      var c = changes[i];
      if (c.type === "characterData") fixText(c.target);
      else if (c.type === "attributes") fixElement(c.target);
      else for (var j = 0; j < c.addedNodes.length; j++) walk(c.addedNodes[j]);
    }
  }).observe(document.documentElement, {subtree: true, childList: true, characterData: true,
                                        attributes: true, attributeFilter: A});
  if (document.body) walk(document.body);
})();
"""


SCRIPT_URL = "/approdo/italiano.js"  # a file of the server: the Content-Security-Policy allows no inline script


def script() -> str:
    return _SCRIPT % {"table": json.dumps(TRANSLATIONS, ensure_ascii=False),
                      "prefixes": json.dumps(PREFIXES, ensure_ascii=False),
                      "patterns": json.dumps(PATTERNS, ensure_ascii=False), "attributes": json.dumps(_ATTRIBUTES)}


async def serve_script(_request: Request) -> Response:
    return Response(script(), media_type="text/javascript; charset=utf-8",
                    headers={"Cache-Control": "no-cache"})


ROUTES = [Route(SCRIPT_URL, serve_script, methods=["GET"])]


def italian(index_html: str) -> str:
    """Streamlit's index.html in Italian: the language, and the script that translates its widgets (loaded
    first in <head>, so it watches the page before Streamlit draws anything)."""
    page = index_html.replace('<html lang="en">', '<html lang="it">', 1)
    return page.replace("<head>", f'<head><script src="{SCRIPT_URL}"></script>', 1)


class ItalianPage:
    """ASGI middleware: the HTML that Streamlit serves (index.html at every page's address) made Italian."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        accept = dict(scope.get("headers", [])).get(b"accept", b"")
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD") or b"text/html" not in accept:
            await self.app(scope, receive, send)
            return
        # A browser asking for a page (Accept: text/html). The page is small: ask Streamlit for it
        # uncompressed, and as a body (not a file to send), to edit it.
        headers = [(name, value) for name, value in scope["headers"] if name != b"accept-encoding"]
        extensions = {k: v for k, v in scope.get("extensions", {}).items() if k != "http.response.pathsend"}
        scope = {**scope, "headers": headers, "extensions": extensions}
        start: dict | None = None
        body: list[bytes] = []

        async def edit(message):
            nonlocal start
            if message["type"] == "http.response.start":
                content_type = dict(message.get("headers", [])).get(b"content-type", b"")
                if content_type.startswith(b"text/html") and message.get("status") == 200:
                    start = message  # held until the whole body is here
                    return
                await send(message)
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return
            page = italian(b"".join(body).decode("utf-8")).encode("utf-8")
            fixed = [(k, v) for k, v in start.get("headers", []) if k != b"content-length"]
            fixed.append((b"content-length", str(len(page)).encode()))
            await send({**start, "headers": fixed})
            await send({"type": "http.response.body", "body": page if scope["method"] == "GET" else b""})

        await self.app(scope, receive, edit)
