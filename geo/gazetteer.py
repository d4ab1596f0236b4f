"""Gazetteer: every settlement, municipality and province by Cyrillic, Latin and postal keys.

Matching runs exact, then normalised, then fuzzy (rapidfuzz), narrowed by municipality,
province and postal code. With nothing else to tell namesakes apart it prefers a town to a
village, then the larger population. Scores run 0-100; below MIN_SCORE there is no match.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from civic.text import fold, is_cyrillic, settlement_key, to_latin
from geo.address import ParsedAddress, parse

MIN_SCORE = 60  # below this a result is a guess, and the geocoder returns no match
FUZZY_CUTOFF = 82  # rapidfuzz ratio for a name anywhere in the country
FUZZY_CUTOFF_LOCAL = 72  # ... inside a municipality or province the query named
AMBIGUITY_PENALTY = 10  # namesakes left after every hint; town/population decided
POSTAL_MISMATCH_PENALTY = 15
UNKNOWN_AREA_PENALTY = 10
MUNICIPALITY_LEVEL_SCORE = 90

# Latin spellings in use beside the official one: Kardjali, Kurdzhali, Vraca, Sofiya.
# Upper-case letters are placeholders, so that a later rule cannot eat an earlier result.
_LATIN_RULES = [
    ("dzh", "J"), ("dj", "J"), ("zh", "J"), ("tch", "C"), ("ch", "C"), ("sht", "ST"),
    ("sh", "S"), ("ts", "C"), ("tz", "C"), ("kh", "H"), ("yu", "U"), ("ju", "U"), ("iu", "U"),
    ("ya", "A"), ("ja", "A"), ("ia", "A"), ("y", "I"), ("w", "V"), ("x", "KS"), ("q", "K"),
    ("ou", "A"), ("u", "A"), ("U", "A"),
]


def latin_key(text: str) -> str:
    """A spelling-tolerant key for Latin text: 'Kardjali' and 'Kurdzhali' meet 'karjali'."""
    text = re.sub(r"^(?:gr|grad|s|selo|town|village|city)\.?\s+", "", text.lower().strip())
    text = re.sub(r"[^a-z ]", "", text.replace("-", " "))
    for old, new in _LATIN_RULES:
        text = text.replace(old, new)
    text = re.sub(r"(.)\1+", r"\1", text.lower())
    return re.sub(r"\s+", " ", text).strip()


def place_key(text: str) -> str:
    """The index key of a place name in either script."""
    return settlement_key(text) if is_cyrillic(text) else latin_key(text)


def _name_keys(name: str) -> set[str]:
    return {k for k in (settlement_key(name), latin_key(to_latin(name))) if k}


@dataclass(frozen=True)
class Match:
    """One geocoding answer at settlement or municipality level."""

    ekatte: str | None
    name: str
    municipality_code: str
    municipality: str
    province_code: str
    province: str
    lon: float | None
    lat: float | None
    precision: str
    score: int


class Gazetteer:
    """Indexes built once from the geography tables; `match` answers a query string."""

    def __init__(
        self, settlements: pd.DataFrame, municipalities: pd.DataFrame, provinces: pd.DataFrame
    ):
        s = settlements.reset_index(drop=True)
        self.ekatte = s["ekatte"].to_numpy()
        self.name = s["name"].to_numpy()
        self.type = s["type"].to_numpy()
        self.muni = s["municipality_code"].to_numpy()
        self.prov = s["province_code"].to_numpy()
        self.population = s["population_2021"].to_numpy()
        geom = s.geometry
        self.lon = np.where(geom.isna(), np.nan, geom.x)
        self.lat = np.where(geom.isna(), np.nan, geom.y)
        self.row_of = {e: i for i, e in enumerate(self.ekatte)}
        self.postal_sets = [set(filter(None, p.split(";"))) for p in s["postal_codes"]]

        self.keys: dict[str, list[int]] = defaultdict(list)
        self.local_keys: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        alt = s["alt_name"] if "alt_name" in s else pd.Series([""] * len(s))
        for i, (name, alt_name) in enumerate(zip(s["name"], alt)):
            for key in _name_keys(name) | (_name_keys(alt_name) if alt_name else set()):
                self.keys[key].append(i)
                self.local_keys[self.muni[i]][key].append(i)
                self.local_keys[self.prov[i]][key].append(i)
        self.all_keys = list(self.keys)

        self.postal: dict[str, list[int]] = defaultdict(list)
        for i, codes in enumerate(self.postal_sets):
            for code in codes:
                self.postal[code].append(i)

        self.muni_name = dict(zip(municipalities["code"], municipalities["name"]))
        self.muni_centre = dict(zip(municipalities["code"], municipalities["centre_ekatte"]))
        self.muni_keys: dict[str, set[str]] = defaultdict(set)
        for code, name in zip(municipalities["code"], municipalities["name"]):
            for key in _name_keys(name):
                self.muni_keys[key].add(code)
        self.prov_name = dict(zip(provinces["code"], provinces["name"]))
        self.prov_centre = dict(zip(provinces["code"], provinces["centre_ekatte"]))
        self.prov_keys: dict[str, set[str]] = defaultdict(set)
        for code, name, name_en in zip(provinces["code"], provinces["name"], provinces["name_en"]):
            for key in _name_keys(name) | {latin_key(name_en), fold(code)}:
                self.prov_keys[key].add(code)
        for key in list(self.prov_keys):  # "София-град" is also "София (столица)"
            if key.endswith(("-град", " grad")):
                self.prov_keys[key.replace("-град", " град")] |= self.prov_keys[key]

    # -- look-ups -------------------------------------------------------------------------
    @staticmethod
    def _codes(index: dict[str, set[str]], text: str) -> set[str]:
        """Codes for a name: its exact key, else the closest key above FUZZY_CUTOFF."""
        key = place_key(text)
        codes = set(index.get(key, set()))
        if not codes:
            best = process.extractOne(key, list(index), scorer=fuzz.ratio,
                                      score_cutoff=FUZZY_CUTOFF)
            codes = set(index[best[0]]) if best else set()
        return codes

    def municipality_codes(self, text: str, provinces: set[str] | None = None) -> set[str]:
        codes = self._codes(self.muni_keys, text)
        return {c for c in codes if c[:3] in provinces} if provinces else codes

    def province_codes(self, text: str) -> set[str]:
        return self._codes(self.prov_keys, text)

    def _settlement_rows(self, name: str, scopes: list[str]) -> tuple[list[int], float]:
        """Rows named `name`: exact key first, then fuzzy (inside the scopes if any)."""
        key = place_key(name)
        if not key:
            return [], 0.0
        rows = self.keys.get(key, [])
        if scopes:
            rows = [i for i in rows if self.muni[i] in scopes or self.prov[i] in scopes]
        if rows:
            return list(rows), 100.0
        if scopes:
            best = None
            for scope in scopes:
                local = self.local_keys.get(scope, {})
                hit = process.extractOne(key, list(local), scorer=fuzz.ratio,
                                         score_cutoff=FUZZY_CUTOFF_LOCAL)
                if hit and (best is None or hit[1] > best[1]):
                    best = (local[hit[0]], hit[1])
            if best:
                return list(best[0]), best[1]
            return [], 0.0
        hits = process.extract(key, self.all_keys, scorer=fuzz.ratio,
                               score_cutoff=FUZZY_CUTOFF, limit=5)
        if not hits:
            return [], 0.0
        top = hits[0][1]
        rows = [i for k, sc, _ in hits if sc == top for i in self.keys[k]]
        return rows, top

    def _pick(self, rows: list[int], type_hint: str | None) -> tuple[int, bool]:
        """Town before village, then the larger population; True when namesakes remained."""
        rows = list(dict.fromkeys(rows))
        if type_hint:
            rows = [i for i in rows if self.type[i] == type_hint] or rows
        best = max(rows, key=lambda i: (self.type[i] == "гр.", self.population[i]))
        return best, len(rows) > 1

    def _settlement_match(self, i: int, score: float) -> Match:
        lon, lat = self.lon[i], self.lat[i]
        return Match(
            ekatte=str(self.ekatte[i]), name=str(self.name[i]),
            municipality_code=str(self.muni[i]), municipality=self.muni_name.get(self.muni[i], ""),
            province_code=str(self.prov[i]), province=self.prov_name.get(self.prov[i], ""),
            lon=None if np.isnan(lon) else float(lon), lat=None if np.isnan(lat) else float(lat),
            precision="settlement", score=int(round(max(0.0, min(100.0, score)))),
        )

    def _centre_match(self, municipality_code: str, score: float) -> Match:
        i = self.row_of[self.muni_centre[municipality_code]]
        m = self._settlement_match(i, score)
        return Match(
            ekatte=None, name=f"община {self.muni_name[municipality_code]}",
            municipality_code=m.municipality_code, municipality=m.municipality,
            province_code=m.province_code, province=m.province, lon=m.lon, lat=m.lat,
            precision="municipality", score=m.score,
        )

    # -- the public answer ------------------------------------------------------------------
    def match(self, query: str | ParsedAddress) -> Match | None:
        """The best place for a query, or None when nothing scores MIN_SCORE or more."""
        p = parse(query) if isinstance(query, str) else query
        found = self._match(p)
        return found if found and found.score >= MIN_SCORE else None

    def _match(self, p: ParsedAddress) -> Match | None:
        provinces = self.province_codes(p.province) if p.province else set()
        munis = self.municipality_codes(p.municipality, provinces) if p.municipality else set()
        # A municipality or province word we cannot place costs score but is no veto.
        unknown = (bool(p.province) and not provinces) + (bool(p.municipality) and not munis)
        found = self._match_in(p, provinces, munis)
        if found is None or not unknown:
            return found
        return replace(found, score=max(0, found.score - UNKNOWN_AREA_PENALTY * unknown))

    def _match_in(self, p: ParsedAddress, provinces: set[str], munis: set[str]) -> Match | None:
        scopes = sorted(munis or provinces)
        if p.settlement:
            rows, score = self._settlement_rows(p.settlement, scopes)
            if not rows and munis:
                # The municipality word may be an old or informal name ("Добричка").
                rows, score = self._settlement_rows(p.settlement, sorted(provinces))
                score -= UNKNOWN_AREA_PENALTY
            if not rows and not scopes:
                return self._place_level(p.settlement)
            if not rows:
                return None
            if p.postal_code:
                coded = [i for i in rows if p.postal_code in self.postal_sets[i]]
                if coded:
                    rows = coded
                elif not any(self.ekatte[i] for i in self.postal.get(p.postal_code, [])
                             if self.muni[i] in {self.muni[r] for r in rows}):
                    score -= POSTAL_MISMATCH_PENALTY
            best, ambiguous = self._pick(rows, p.settlement_type)
            return self._settlement_match(best, score - (AMBIGUITY_PENALTY if ambiguous else 0))
        if p.postal_code and p.postal_code in self.postal:
            best, ambiguous = self._pick(self.postal[p.postal_code], None)
            return self._settlement_match(best, 95 - (AMBIGUITY_PENALTY if ambiguous else 0))
        if len(munis) == 1:
            return self._centre_match(munis.pop(), MUNICIPALITY_LEVEL_SCORE)
        if len(provinces) == 1:
            prov = provinces.pop()
            centre = self.row_of[self.prov_centre[prov]]
            return self._centre_match(str(self.muni[centre]), MUNICIPALITY_LEVEL_SCORE - 20)
        return None

    def _place_level(self, name: str) -> Match | None:
        """A bare name that is no settlement may still name a municipality or province."""
        munis = self.muni_keys.get(place_key(name), set())
        if len(munis) == 1:
            return self._centre_match(next(iter(munis)), MUNICIPALITY_LEVEL_SCORE)
        return None

    def ground_row(self, ekatte: str) -> int | None:
        return self.row_of.get(ekatte)
