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
_TYPE_PREFIX = re.compile(r"^(?:град|гр|село|с|gr|grad|s|selo)\.?\s+", re.IGNORECASE)
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
