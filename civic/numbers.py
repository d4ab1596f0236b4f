"""Numbers as a reader of each language expects them (Babel): thousands, percent, km."""

from __future__ import annotations

import math
from functools import cache

from babel import Locale
from babel.numbers import format_decimal, format_percent

LOCALES = {"bg": "bg_BG", "en": "en_GB", "tr": "tr_TR"}
KM = {"bg": "км", "en": "km", "tr": "km"}


def _locale(lang: str) -> str:
    return LOCALES.get(lang, "bg_BG")


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def fmt_int(value: float | None, lang: str) -> str:
    """A whole number with the language's thousands separator ('12 345'); '–' if missing."""
    if _missing(value):
        return "–"
    return format_decimal(round(float(value)), format="#,##0", locale=_locale(lang))


def fmt_pct(value: float | None, lang: str, digits: int = 1) -> str:
    """A 0-1 share as a percentage with `digits` decimals: '20,8%', Turkish '%20,8'.

    A share above 0 that would round to 0 shows as '<0,1%': "nobody" is never said of a few.
    """
    if _missing(value):
        return "–"
    pattern = _percent_pattern(lang, digits)
    smallest = 10 ** -(digits + 2)
    if 0 < float(value) < smallest / 2:
        return "<" + format_percent(smallest, format=pattern, locale=_locale(lang))
    return format_percent(float(value), format=pattern, locale=_locale(lang))


@cache
def _percent_pattern(lang: str, digits: int) -> str:
    """The locale's own percent pattern (where the sign goes) with `digits` decimals."""
    pattern = Locale.parse(_locale(lang)).percent_formats[None].pattern
    return pattern.replace("#,##0", "#,##0." + "0" * digits) if digits else pattern


def fmt_km(value: float | None, lang: str) -> str:
    """Kilometres with one decimal ('5,4 km'); '–' when there is none to measure to."""
    if _missing(value):
        return "–"
    return format_decimal(float(value), format="#,##0.0", locale=_locale(lang)) + " " + km(lang)


def km(lang: str) -> str:
    """The kilometre's abbreviation in `lang`."""
    return KM.get(lang, "km")


def fmt_num(value: float | None, lang: str, digits: int = 1) -> str:
    """Any number with up to `digits` decimals, in the language's style."""
    if _missing(value):
        return "–"
    pattern = "#,##0." + "#" * digits if digits else "#,##0"
    return format_decimal(float(value), format=pattern, locale=_locale(lang))
