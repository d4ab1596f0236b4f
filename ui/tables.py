"""Tables for the screen: translated headers, numbers in the reader's format, sortable.

The values stay numbers (a pandas Styler only changes how they are shown), so sorting a
column still sorts by value; downloads keep the machine column names.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd
from babel.numbers import format_decimal

from civic.numbers import LOCALES, fmt_int, fmt_km, fmt_num, fmt_pct, km

INT_COLUMNS = ("population", "residents", "count", "settlements", "organisations", "rank",
               "without_own", "gap_population", "newly_covered", "beyond_r")


def fmt_tenths(value: float | None, lang: str) -> str:
    """A rate with exactly one decimal ('10,0', '9,5'), so a column's figures line up."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return format_decimal(float(value), format="#,##0.0", locale=LOCALES.get(lang, "bg_BG"))


def formatter(column: str, lang: str) -> Callable[[float], str] | None:
    """How to show a column's numbers, judged by its machine name; None for text."""
    if column.endswith("_km"):
        return lambda v: fmt_km(v, lang).removesuffix(" " + km(lang))
    if column.startswith("share") or "_share_" in column or column.endswith("_share") \
            or column.startswith("change"):
        return lambda v: fmt_pct(v, lang)
    if column.startswith("per_10k"):
        return lambda v: fmt_tenths(v, lang)
    if column.startswith("access") or column.endswith("index"):
        return lambda v: fmt_num(v, lang)
    if any(part in column for part in INT_COLUMNS):
        return lambda v: fmt_int(v, lang)
    return None


def styled(table: pd.DataFrame, columns: dict[str, str], lang: str):
    """`table`'s `columns` (machine name → header), renamed and formatted for `lang`."""
    formats = {label: f for col, label in columns.items()
               if (f := formatter(col, lang)) is not None}
    return table[list(columns)].rename(columns=columns).style.format(formats, na_rep="–")
