"""The ambiguous-name query set: settlements whose name occurs more than once nationally.

Generated from the EKATTE register (the settlements table) in the four ways people write
a place with its municipality: "name, municipality", "Latin name, Latin municipality",
"name (municipality)" and "с. name, municipality, province". Names repeated inside one
municipality are left out: the municipality cannot tell those apart.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from civic.text import to_latin

FORMS = ("name, municipality", "Latin name, Latin municipality", "name (municipality)",
         "type name, municipality, province")


def ambiguous_settlements(settlements: pd.DataFrame) -> pd.DataFrame:
    """Settlements whose name occurs more than once nationally but once in their municipality."""
    s = settlements[["ekatte", "name", "type", "municipality_code", "province_code"]]
    nationally = s.groupby("name")["ekatte"].transform("size")
    locally = s.groupby(["name", "municipality_code"])["ekatte"].transform("size")
    return s[(nationally > 1) & (locally == 1)]


def queries(settlements: pd.DataFrame, municipalities: pd.DataFrame,
            provinces: pd.DataFrame) -> Iterator[tuple[str, str, str]]:
    """(form, query, expected EKATTE) for every ambiguous settlement in every form."""
    muni = dict(zip(municipalities["code"], municipalities["name"]))
    prov = dict(zip(provinces["code"], provinces["name"]))
    for row in ambiguous_settlements(settlements).itertuples(index=False):
        m, p = muni[row.municipality_code], prov[row.province_code]
        yield FORMS[0], f"{row.name}, {m}", row.ekatte
        yield FORMS[1], f"{to_latin(row.name)}, {to_latin(m)}", row.ekatte
        yield FORMS[2], f"{row.name} ({m})", row.ekatte
        yield FORMS[3], f"{row.type} {row.name}, {m}, {p}", row.ekatte
