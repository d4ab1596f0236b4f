"""Tables for the screen: translated headers, numbers in the reader's format, sortable.

The values stay numbers (a pandas Styler only changes how they are shown), so sorting a
column still sorts by value; downloads keep the machine column names.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from civic.numbers import fmt_int, fmt_km, fmt_num, fmt_pct, km

INT_COLUMNS = ("population", "residents", "count", "settlements", "organisations", "rank",
               "without_own", "gap_population", "newly_covered", "beyond_r")


def formatter(column: str, lang: str) -> Callable[[float], str] | None:
    """How to show a column's numbers, judged by its machine name; None for text."""
    if column.endswith("_km"):
        return lambda v: fmt_km(v, lang).removesuffix(" " + km(lang))
    if column.startswith("share") or "_share_" in column or column.endswith("_share") \
            or column.startswith("change"):
        return lambda v: fmt_pct(v, lang)
    if column.startswith(("per_10k", "access")) or column.endswith("index"):
        return lambda v: fmt_num(v, lang)
    if any(part in column for part in INT_COLUMNS):
        return lambda v: fmt_int(v, lang)
    return None


def styled(table: pd.DataFrame, columns: dict[str, str], lang: str):
    """`table`'s `columns` (machine name → header), renamed and formatted for `lang`."""
    formats = {label: f for col, label in columns.items()
               if (f := formatter(col, lang)) is not None}
    return table[list(columns)].rename(columns=columns).style.format(formats, na_rep="–")
