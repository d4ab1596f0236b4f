"""Resolve structured place names (settlement, municipality, province) to EKATTE codes.

Used by every importer: register rows and directory rows name their place in words,
in upper or lower case, with or without the type word, sometimes with Latin look-alikes
or a typo. Exact keys first, then a fuzzy match inside the named municipality only.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import pandas as pd
from rapidfuzz import fuzz, process

from civic.text import fold, settlement_key

_TOWN = re.compile(r"^\s*(град|гр\.?)\s", re.IGNORECASE)
_VILLAGE = re.compile(r"^\s*(село|с\.|гара)\s", re.IGNORECASE)
_REGISTER_TYPE = re.compile(r"^\s*(град|село|гара)\s+", re.IGNORECASE)
_STATION = "гара "
# A typo inside one municipality ("КОСТAЛЕВО" for Костелево) still scores above this.
FUZZY_CUTOFF = 85


def type_hint(raw: str) -> str | None:
    """'гр.' or 'с.' when the raw name starts with a type word, else None."""
    if _TOWN.match(raw or ""):
        return "гр."
    if _VILLAGE.match(raw or ""):
        return "с."
    return None


def strip_register_type(raw: str) -> str:
    """The register's 'ГРАД X' / 'СЕЛО X' / 'ГАРА X': drop that one leading type word."""
    return _REGISTER_TYPE.sub("", raw or "", count=1)


@dataclass(frozen=True)
class Resolution:
    ekatte: str | None
    reason: str = ""
    method: str = ""


class PlaceIndex:
    """Look-ups from folded names to codes, built once from the geography tables."""

    def __init__(
        self, settlements: pd.DataFrame, municipalities: pd.DataFrame, provinces: pd.DataFrame
    ):
        self.settlements = settlements.set_index("ekatte", drop=False)
        self.province_by_key = {fold(n): c for n, c in zip(provinces["name"], provinces["code"])}
        self.province_by_key.update({fold(c): c for c in provinces["code"]})
        self.municipality_by_key: dict[tuple[str, str], str] = {}
        for name, code, prov in zip(
            municipalities["name"], municipalities["code"], municipalities["province_code"]
        ):
            self.municipality_by_key[(prov, fold(name))] = code
        self.municipality_centre = dict(
            zip(municipalities["code"], municipalities["centre_ekatte"])
        )
        self.province_centre = dict(zip(provinces["code"], provinces["centre_ekatte"]))
        self.by_name: dict[str, list[str]] = defaultdict(list)
        self.by_municipality: dict[str, dict[str, list[str]]] = defaultdict(
            lambda: defaultdict(list)
        )
        alt = settlements["alt_name"] if "alt_name" in settlements else [""] * len(settlements)
        for ekatte, name, alt_name, muni in zip(
            settlements["ekatte"], settlements["name"], alt, settlements["municipality_code"]
        ):
            for n in {name, alt_name} - {""}:
                key = settlement_key(n)
                self.by_name[key].append(ekatte)
                self.by_municipality[muni][key].append(ekatte)

    def province_code(self, name: str) -> str | None:
        return self.province_by_key.get(fold(name or "").removeprefix("област "))

    def municipality_code(self, name: str, province_code: str | None) -> str | None:
        key = fold(name or "").removeprefix("община ")
        if province_code:
            return self.municipality_by_key.get((province_code, key))
        found = {c for (_, k), c in self.municipality_by_key.items() if k == key}
        return found.pop() if len(found) == 1 else None

    def candidates(
        self, name: str, municipality_code: str | None = None, province_code: str | None = None
    ) -> list[str]:
        """EKATTE codes of settlements with this name, narrowed by the codes given."""
        out = self.by_name.get(settlement_key(name or ""), [])
        s = self.settlements
        if municipality_code:
            out = [e for e in out if s.at[e, "municipality_code"] == municipality_code]
        if province_code:
            out = [e for e in out if s.at[e, "province_code"] == province_code]
        return list(dict.fromkeys(out))

    def _fuzzy(self, name: str, municipality_code: str) -> list[str]:
        names = self.by_municipality.get(municipality_code, {})
        best = process.extractOne(
            settlement_key(name).replace(" ", ""),
            {k: k.replace(" ", "") for k in names},
            scorer=fuzz.ratio,
            score_cutoff=FUZZY_CUTOFF,
        )
        return names[best[2]] if best else []

    def resolve(self, settlement: str, municipality: str = "", province: str = "") -> Resolution:
        """One EKATTE for a settlement named with its municipality and province, or a reason."""
        prov = self.province_code(province) if province else None
        if province and not prov:
            return Resolution(None, f"unknown province '{province}'")
        muni = self.municipality_code(municipality, prov) if municipality else None
        hint = type_hint(settlement)
        name = settlement_key(strip_register_type(settlement))
        method = "exact"
        found = self.candidates(name, muni, prov)
        if not found and name.startswith(_STATION):
            # "гара X" is the railway-station village inside the land of X.
            found = [
                e for e in self.candidates(name[len(_STATION):], muni, prov)
                if self.settlements.at[e, "ground_parent"]
            ]
            method = "station"
        if not found and muni:
            found, method = self._fuzzy(name, muni), "fuzzy"
        if not found and muni and prov:
            # The named municipality may be wrong (a village filed under its neighbour).
            found, method = self.candidates(name, None, prov), "province"
        if len(found) > 1 and hint:
            found = [e for e in found if self.settlements.at[e, "type"] == hint] or found
        if len(found) > 1 and method == "exact":
            # Same name twice in one place: the station village sits inside the other's land.
            s = self.settlements
            found = [
                e for e in found
                if not s.at[e, "ground_parent"]
                and not str(s.at[e, "alt_name"] if "alt_name" in s else "").startswith(_STATION)
            ] or found
        if len(found) == 1:
            return Resolution(found[0], method=method)
        where = ", ".join(x for x in (municipality, province) if x)
        if not found:
            return Resolution(None, f"no settlement '{settlement}' in {where or 'Bulgaria'}")
        return Resolution(None, f"{len(found)} settlements named '{settlement}' in {where}")
