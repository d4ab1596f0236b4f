"""Text rules for Bulgarian names: normalisation for joins and the official Latin spelling."""

from __future__ import annotations

import re
import unicodedata

from transliterate import translit

# Latin letters that look like Cyrillic ones and slip into registers ("КОСТAЛЕВО").
_LOOKALIKES = str.maketrans(
    "AaBCcEeHKkMOoPpTXxYy",
    "АаВСсЕеНКкМОоРрТХхУу",
)
# The settlement-type words, the one definition every parser and index uses. A type word
# is a word of its own: "гр. Разград", "с.Бенковски", "s Benkovski" — never the start of
# a name ("Грамада", "Gramada", "Селановци").
TOWN_WORDS = ("град", "гр", "grad", "gr", "town", "city")
VILLAGE_WORDS = ("село", "с", "selo", "s", "village")
STATION_WORDS = ("гара", "gara")
_WORD_END = r"(?:\.\s*|\s+)(?=\S)"
TOWN_PREFIX = re.compile(rf"^\s*(?:{'|'.join(TOWN_WORDS)}){_WORD_END}", re.IGNORECASE)
VILLAGE_PREFIX = re.compile(rf"^\s*(?:{'|'.join(VILLAGE_WORDS)}){_WORD_END}", re.IGNORECASE)
STATION_PREFIX = re.compile(rf"^\s*(?:{'|'.join(STATION_WORDS)})\s+(?=\S)", re.IGNORECASE)
_TYPE_PREFIX = re.compile(rf"^(?:{'|'.join(TOWN_WORDS + VILLAGE_WORDS)}){_WORD_END}",
                          re.IGNORECASE)
_REGISTER_TYPE = re.compile(r"^\s*(?:град|село|гара)\s+", re.IGNORECASE)
_QUOTES = re.compile(r"[\"'„“”«»‘’`″]")
_DASHES = re.compile(r"[‐‑‒–—―-]")
_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case, Cyrillic look-alikes, no quotes, single spaces: the key for exact joins."""
    text = unicodedata.normalize("NFC", str(text)).translate(_LOOKALIKES).lower()
    text = text.replace("ѝ", "и").replace("ё", "е")
    text = _QUOTES.sub("", text)
    text = _DASHES.sub("-", text)
    text = re.sub(r"\s*-\s*", "-", text)
    return _SPACE.sub(" ", text).strip(" .,;")


def settlement_key(name: str) -> str:
    """Fold a settlement name and drop its type words (ГРАД, СЕЛО, гр., с., s., gr.)."""
    key = fold(name)
    while True:
        stripped = _TYPE_PREFIX.sub("", key)
        if stripped == key:
            return key
        key = stripped


def type_hint(raw: str) -> str | None:
    """'гр.' or 'с.' when a name starts with a type word ("гара X" is a village), else None."""
    if TOWN_PREFIX.match(raw or ""):
        return "гр."
    if VILLAGE_PREFIX.match(raw or "") or STATION_PREFIX.match(raw or ""):
        return "с."
    return None


def strip_type(raw: str) -> tuple[str, str | None]:
    """(name without its one leading type word, 'гр.' / 'с.' / None)."""
    for pattern, kind in ((TOWN_PREFIX, "гр."), (VILLAGE_PREFIX, "с.")):
        found = pattern.match(raw or "")
        if found:
            return raw[found.end():].strip(" ."), kind
    return raw, None


def strip_register_type(raw: str) -> str:
    """The register's 'ГРАД X' / 'СЕЛО X' / 'ГАРА X': drop that one leading type word."""
    return _REGISTER_TYPE.sub("", raw or "", count=1)


def is_cyrillic(text: str) -> bool:
    """True when the text has more Cyrillic than Latin letters."""
    cyr = sum(1 for ch in text if "\u0400" <= ch <= "\u04ff")
    lat = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return cyr > lat


_IA_END = re.compile(r"ия\b")
_IA_END_UP = re.compile(r"ИЯ\b")


def to_latin(text: str) -> str:
    """Official Bulgarian Latin spelling (Streamlined System, Transliteration Act 2009).

    `transliterate` gives the letter table; the Act's one exception, word-final
    "ия" as "ia" (София → Sofia), is applied first.
    """
    if not text:
        return ""
    text = _IA_END.sub("иа", text)
    text = _IA_END_UP.sub("ИА", text)
    return translit(text, "bg", reversed=True)
