"""Languages of the families: ISO 639-1 codes, their Italian names, the scripts written right to left.

The pupil context file may say which language a family reads ("arabo", "ar",
"Arabic"); the letters of the compulsory-education procedure are offered in it.
"""

from __future__ import annotations

import re

from models.core.errors import ApprodoError

ITALIAN = "it"
# ISO 639-1 code: the language's name in Italian. The languages of the families schools in Lombardy meet most.
LANGUAGES: dict[str, str] = {
    "it": "italiano", "ar": "arabo", "zh": "cinese", "sq": "albanese", "ro": "rumeno", "uk": "ucraino",
    "en": "inglese", "fr": "francese", "es": "spagnolo", "pt": "portoghese", "ru": "russo", "ur": "urdu",
    "bn": "bengalese", "hi": "hindi", "pa": "punjabi", "tl": "filippino", "ta": "tamil", "si": "singalese",
    "fa": "persiano", "ps": "pashto", "ti": "tigrino", "am": "amarico", "so": "somalo", "wo": "wolof",
    "tr": "turco", "pl": "polacco", "de": "tedesco", "mk": "macedone", "sr": "serbo", "bs": "bosniaco",
}
# Other ways a context file or a user writes them.
_ALIASES = {
    "romeno": "ro", "moldavo": "ro", "mandarino": "zh", "cinese mandarino": "zh", "tagalog": "tl",
    "bangla": "bn", "bengali": "bn", "farsi": "fa", "dari": "fa", "panjabi": "pa", "cingalese": "si",
    "arabic": "ar", "chinese": "zh", "albanian": "sq", "romanian": "ro", "ukrainian": "uk", "english": "en",
    "french": "fr", "spanish": "es", "portuguese": "pt", "russian": "ru", "italian": "it", "filipino": "tl",
    "francais": "fr", "français": "fr", "espanol": "es", "español": "es", "shqip": "sq", "romana": "ro",
    "română": "ro", "українська": "uk", "العربية": "ar", "中文": "zh",
}
RTL = frozenset({"ar", "fa", "ur", "ps"})
# The language tag Word and LibreOffice use for spelling and shaping, where the bare code is not enough.
WORD_TAGS = {"ar": "ar-SA", "fa": "fa-IR", "ur": "ur-PK", "ps": "ps-AF", "zh": "zh-CN", "en": "en-GB",
              "pt": "pt-PT", "it": "it-IT"}


def language_name(code: str) -> str:
    return LANGUAGES.get(code, code)


def normalise_language(value: str | None) -> str | None:
    """An ISO 639-1 code from a code ('ar', 'AR', 'ar-MA') or a name ('arabo', 'Arabic'); None if unknown,
    '' if empty."""
    text = " ".join(str(value or "").strip().lower().split())
    if not text:
        return ""
    if text in LANGUAGES:
        return text
    if re.fullmatch(r"[a-z]{2}[-_][a-z]{2}", text) and text[:2] in LANGUAGES:
        return text[:2]
    by_name = {name: code for code, name in LANGUAGES.items()}
    return by_name.get(text) or _ALIASES.get(text)


def check_language(value: str) -> str:
    code = normalise_language(value)
    if not code:
        raise ApprodoError(f"Lingua «{value}» sconosciuta: usa un codice di due lettere (it, ar, zh, sq, ro, uk, en,"
                           " fr, es…) o il nome in italiano (arabo, cinese, albanese…).")
    return code
