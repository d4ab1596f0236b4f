"""Gazetteer: settlements, municipalities and provinces by Cyrillic, Latin, Turkish, postal keys.

The one place resolver of the project: the build, `civicmap import`, proposals, Nearby,
the Data page and `civicmap geocode` all ask it. `match` reads free text as people write
it ("Буковец, Бяла Слатина", "Мъдрец (Кърджали)", "s. Kremen, Kirkovo"); `resolve` reads
a register row's settlement, municipality and province columns.

Matching runs exact, then normalised, then fuzzy (rapidfuzz). Every part after a comma or
in brackets that names a municipality or a province is a hint, marked ("общ. X") or not.
A settlement the hints agree with wins; when the hints contradict every namesake, or
several namesakes remain and nothing tells them apart (a town beats villages), the answer
says so: a score below MIN_SCORE, the candidates and a short note — never a silent pick.
Scores run 0-100.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from civic.text import (
    STATION_PREFIX,
    TOWN_PREFIX,
    VILLAGE_PREFIX,
    fold,
    is_cyrillic,
    settlement_key,
    strip_register_type,
    to_latin,
    type_hint,
)
from geo.address import ParsedAddress, parse

MIN_SCORE = 60  # below this an answer is not confident: the geocoder gives candidates
FUZZY_CUTOFF = 82  # rapidfuzz ratio for a name anywhere in the country
FUZZY_CUTOFF_LOCAL = 72  # ... inside a municipality or province the query named
FUZZY_CUTOFF_HINT = 88  # an unmarked part read as a municipality or province name
REGISTER_FUZZY_CUTOFF = 85  # a register typo inside its municipality ("КОСТAЛЕВО")
AMBIGUITY_PENALTY = 10  # namesakes in one municipality, or a town among villages
POSTAL_MISMATCH_PENALTY = 15
UNKNOWN_AREA_PENALTY = 10  # per marked area word we cannot place, or a hint not met
MUNICIPALITY_LEVEL_SCORE = 90
AMBIGUOUS_SCORE = 50  # several namesakes, nothing to choose by
CONTRADICTED_SCORE = 40  # the hints name a place where no settlement has this name
MAX_CANDIDATES = 12
_AREA_WORD = re.compile(r"^(?:общ\.?|община|обл\.?|област)\s+", re.IGNORECASE)

# Latin spellings in use beside the official one: Kardjali, Kurdzhali, Vraca, Sofiya.
# Upper-case letters are placeholders, so that a later rule cannot eat an earlier result.
_LATIN_RULES = [
    ("dzh", "J"), ("dj", "J"), ("zh", "J"), ("tch", "C"), ("ch", "C"), ("sht", "ST"),
    ("sh", "S"), ("ts", "C"), ("tz", "C"), ("kh", "H"), ("yu", "U"), ("ju", "U"), ("iu", "U"),
    ("ya", "A"), ("ja", "A"), ("ia", "A"), ("y", "I"), ("w", "V"), ("x", "KS"), ("q", "K"),
    ("ou", "A"), ("u", "A"), ("U", "A"),
]
# Turkish letters fold to plain Latin ones: "Kırcaali" and "Kircaali" meet.
_TURKISH = str.maketrans("ıİşŞçÇğĞöÖüÜâÂîÎûÛ", "iIsScCgGoOuUaAiIuU")


def latin_key(text: str) -> str:
    """A spelling-tolerant key for Latin text: 'Kardjali' and 'Kurdzhali' meet 'karjali'."""
    text = text.translate(_TURKISH).strip()
    for prefix in (TOWN_PREFIX, VILLAGE_PREFIX):
        text = prefix.sub("", text, count=1)
    text = re.sub(r"[^a-z ]", "", text.lower().replace("-", " "))
    for old, new in _LATIN_RULES:
        text = text.replace(old, new)
    text = re.sub(r"(.)\1+", r"\1", text.lower())
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=1 << 16)
def place_key(text: str) -> str:
    """The index key of a place name in either script (cached: names repeat)."""
    return settlement_key(text) if is_cyrillic(text) else latin_key(text)


def _name_keys(name: str) -> set[str]:
    """Every key a name is found by: its Cyrillic key and its Latin spelling's key."""
    if not name:
        return set()
    if not is_cyrillic(name):
        return {k for k in (latin_key(name),) if k}
    return {k for k in (settlement_key(name), latin_key(to_latin(name))) if k}


def _area_name(text: str) -> str:
    """'община Кирково' / 'обл. Кърджали' → the bare name."""
    return _AREA_WORD.sub("", (text or "").strip())


@dataclass(frozen=True)
class Candidate:
    """One settlement a query may mean, with where it lies."""

    ekatte: str
    name: str
    municipality: str
    province: str
    name_tr: str = ""

    def label(self) -> str:
        """'Бенковски (Кирково, Кърджали)'."""
        return f"{self.name} ({self.municipality}, {self.province})"


@dataclass(frozen=True)
class Match:
    """One geocoding answer at settlement or municipality level.

    `candidates` lists the settlements the query may mean when the answer is not sure
    (score below MIN_SCORE); `note` says why in a few words.
    """

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
    candidates: tuple[Candidate, ...] = ()
    note: str = ""
    name_tr: str = ""

    @property
    def confident(self) -> bool:
        """True when the answer may be used without asking the user."""
        return self.score >= MIN_SCORE


@dataclass(frozen=True)
class Resolution:
    """A register row's place: an EKATTE code, or None and the reason."""

    ekatte: str | None
    reason: str = ""
    method: str = ""


@dataclass(frozen=True)
class _Hint:
    """One part of a query that names a municipality or a province."""

    text: str
    munis: frozenset[str] = frozenset()
    provs: frozenset[str] = frozenset()
    marked: bool = False

    def met_by(self, muni: str, prov: str) -> bool:
        return muni in self.munis or prov in self.provs


@dataclass
class _Rows:
    """Settlement rows a name found, with the score of the name match."""

    rows: list[int]
    score: float
    notes: list[str] = field(default_factory=list)


class Gazetteer:
    """Indexes built once from the geography tables; `match` and `resolve` answer."""

    def __init__(
        self, settlements: pd.DataFrame, municipalities: pd.DataFrame, provinces: pd.DataFrame
    ):
        """Build the name, key and area indexes once from the three geography tables."""
        s = settlements.reset_index(drop=True)
        self.ekatte = s["ekatte"].to_numpy()
        self.name = s["name"].to_numpy()
        self.type = s["type"].to_numpy()
        self.muni = s["municipality_code"].to_numpy()
        self.prov = s["province_code"].to_numpy()
        self.population = s["population_2021"].to_numpy()
        blank = pd.Series([""] * len(s))
        self.alt_name = (s["alt_name"] if "alt_name" in s else blank).fillna("").to_numpy()
        self.name_tr = (s["name_tr"] if "name_tr" in s else blank).fillna("").to_numpy()
        self.ground_parent = (s["ground_parent"] if "ground_parent" in s else blank
                              ).fillna("").to_numpy()
        geom = s.geometry
        self.lon = np.where(geom.isna(), np.nan, geom.x)
        self.lat = np.where(geom.isna(), np.nan, geom.y)
        self.row_of = {e: i for i, e in enumerate(self.ekatte)}
        self.postal_sets = [set(filter(None, p.split(";"))) for p in s["postal_codes"]]
        self._code_memo: dict[tuple[int, str, int], frozenset[str]] = {}
        self._index_settlements()
        self._index_areas(municipalities, provinces)

    def _index_settlements(self) -> None:
        self.keys: dict[str, list[int]] = defaultdict(list)
        self.local_keys: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        self.register_keys: dict[str, list[int]] = defaultdict(list)  # Cyrillic names only
        for i, names in enumerate(zip(self.name, self.alt_name, self.name_tr)):
            keys: set[str] = set()
            for n in names:
                keys |= _name_keys(n)
            for key in keys:
                self.keys[key].append(i)
                self.local_keys[self.muni[i]][key].append(i)
                self.local_keys[self.prov[i]][key].append(i)
            for n in {names[0], names[1]} - {""}:
                self.register_keys[settlement_key(n)].append(i)
        self.all_keys = list(self.keys)
        self.postal: dict[str, list[int]] = defaultdict(list)
        for i, codes in enumerate(self.postal_sets):
            for code in codes:
                self.postal[code].append(i)

    def _index_areas(self, municipalities: pd.DataFrame, provinces: pd.DataFrame) -> None:
        self.muni_name = dict(zip(municipalities["code"], municipalities["name"]))
        self.municipality_centre = dict(zip(municipalities["code"],
                                            municipalities["centre_ekatte"]))
        self.muni_keys: dict[str, set[str]] = defaultdict(set)
        for code, name in zip(municipalities["code"], municipalities["name"]):
            for key in _name_keys(name) | self._centre_tr_keys(self.municipality_centre[code]):
                self.muni_keys[key].add(code)
        self.prov_name = dict(zip(provinces["code"], provinces["name"]))
        self.province_centre = dict(zip(provinces["code"], provinces["centre_ekatte"]))
        self.prov_keys: dict[str, set[str]] = defaultdict(set)
        for code, name, name_en in zip(provinces["code"], provinces["name"], provinces["name_en"]):
            keys = _name_keys(name) | {latin_key(name_en), fold(code), latin_key(code)}
            for key in keys | self._centre_tr_keys(self.province_centre[code]):
                self.prov_keys[key].add(code)
        for key in list(self.prov_keys):  # "София-град" is also "София (столица)"
            if key.endswith(("-град", " grad")):
                self.prov_keys[key.replace("-град", " град")] |= self.prov_keys[key]
        # kept for callers of the folded PlaceIndex
        self.muni_centre, self.prov_centre = self.municipality_centre, self.province_centre

    def _centre_tr_keys(self, ekatte: str) -> set[str]:
        """A centre's Turkish name also names its municipality or province (Mestanlı)."""
        i = self.row_of.get(ekatte)
        return _name_keys(self.name_tr[i]) if i is not None and self.name_tr[i] else set()

    # -- areas ------------------------------------------------------------------------------
    def _codes(self, index: dict[str, set[str]], text: str, cutoff: int = FUZZY_CUTOFF
               ) -> set[str]:
        """Codes for a name: its exact key, else the closest key at `cutoff` or above."""
        memo = (id(index), text, cutoff)
        if memo not in self._code_memo:
            key = place_key(_area_name(text))
            codes = set(index.get(key, set()))
            if not codes and key and cutoff <= 100:
                best = process.extractOne(key, list(index), scorer=fuzz.ratio,
                                          score_cutoff=cutoff)
                codes = set(index[best[0]]) if best else set()
            if len(self._code_memo) > 1 << 16:
                self._code_memo.clear()
            self._code_memo[memo] = frozenset(codes)
        return set(self._code_memo[memo])

    def municipality_codes(self, text: str, provinces: set[str] | None = None) -> set[str]:
        """Municipality codes a name may mean, inside the provinces if given."""
        codes = self._codes(self.muni_keys, text)
        return {c for c in codes if c[:3] in provinces} if provinces else codes

    def province_codes(self, text: str) -> set[str]:
        """Province codes a name may mean ('Кърджали', 'Kardzhali', 'KRZ')."""
        return self._codes(self.prov_keys, text)

    def province_code(self, name: str) -> str | None:
        """The one province an exact name or code means, else None."""
        codes = self._codes(self.prov_keys, name or "", cutoff=101)
        return codes.pop() if len(codes) == 1 else None

    def municipality_code(self, name: str, province_code: str | None = None) -> str | None:
        """The one municipality an exact name means (inside the province if given)."""
        codes = self._codes(self.muni_keys, name or "", cutoff=101)
        if province_code:
            codes = {c for c in codes if c[:3] == province_code}
        return codes.pop() if len(codes) == 1 else None

    def candidate(self, i: int) -> Candidate:
        """The settlement in row i as a candidate."""
        return Candidate(ekatte=str(self.ekatte[i]), name=str(self.name[i]),
                         municipality=self.muni_name.get(self.muni[i], ""),
                         province=self.prov_name.get(self.prov[i], ""),
                         name_tr=str(self.name_tr[i]))

    # -- free text --------------------------------------------------------------------------
    def match(self, query: str | ParsedAddress) -> Match | None:
        """The best place for a query; None when nothing comes near.

        An answer below MIN_SCORE is a question back: it carries the candidates.
        """
        p = parse(query) if isinstance(query, str) else query
        found = self._match(p)
        if found is None or (found.score < MIN_SCORE and not found.candidates):
            return None
        return found

    def _hints(self, p: ParsedAddress) -> tuple[list[_Hint], int]:
        """The query's municipality and province hints, and a count of unknown area words.

        The count is of marked area words (municipality, province) that named no known place.
        """
        hints: list[_Hint] = []
        unknown = 0
        provinces: set[str] = set()
        if p.province:
            provinces = self.province_codes(p.province)
            unknown += not provinces
            if provinces:
                hints.append(_Hint(p.province, provs=frozenset(provinces), marked=True))
        if p.municipality:
            munis = self.municipality_codes(p.municipality, provinces)
            unknown += not munis
            if munis:
                hints.append(_Hint(p.municipality, munis=frozenset(munis), marked=True))
        for part in p.others:
            munis = self._codes(self.muni_keys, part, FUZZY_CUTOFF_HINT)
            provs = self._codes(self.prov_keys, part, FUZZY_CUTOFF_HINT)
            if munis or provs:
                hints.append(_Hint(part, frozenset(munis), frozenset(provs)))
        return hints, unknown

    def _match(self, p: ParsedAddress) -> Match | None:
        hints, unknown = self._hints(p)
        found = self._match_in(p, hints)
        if found is None or not unknown:
            return found
        return replace(found, score=max(0, found.score - UNKNOWN_AREA_PENALTY * unknown))

    def _scopes(self, hints: list[_Hint]) -> list[str]:
        """Where the hints point: their municipalities, else their provinces."""
        munis = sorted({m for h in hints for m in h.munis})
        return munis or sorted({c for h in hints for c in h.provs})

    def _named(self, name: str, hints: list[_Hint]) -> _Rows:
        """Rows named `name`: exact key, else fuzzy inside the hints' areas, else anywhere."""
        key = place_key(name)
        if not key:
            return _Rows([], 0.0)
        rows = list(self.keys.get(key, []))
        if rows and (not hints or any(h.met_by(self.muni[i], self.prov[i])
                                      for i in rows for h in hints)):
            return _Rows(rows, 100.0)
        if hints:
            local = self._fuzzy_local(key, self._scopes(hints)) or self._fuzzy_local(
                key, sorted({c for h in hints for c in h.provs}))
            if local.rows:
                return local
        if rows:
            return _Rows(rows, 100.0)
        hits = process.extract(key, self.all_keys, scorer=fuzz.ratio,
                               score_cutoff=FUZZY_CUTOFF, limit=5)
        if not hits:
            return _Rows([], 0.0)
        top = hits[0][1]
        return _Rows([i for k, sc, _ in hits if sc == top for i in self.keys[k]], top)

    def _fuzzy_local(self, key: str, scopes: list[str]) -> _Rows:
        best: _Rows = _Rows([], 0.0)
        for scope in scopes:
            local = self.local_keys.get(scope, {})
            hit = process.extractOne(key, list(local), scorer=fuzz.ratio,
                                     score_cutoff=FUZZY_CUTOFF_LOCAL)
            if hit and hit[1] > best.score:
                best = _Rows(list(local[hit[0]]), hit[1])
        return best

    def _match_in(self, p: ParsedAddress, hints: list[_Hint]) -> Match | None:
        if p.settlement:
            named = self._named(p.settlement, hints)
            if not named.rows:
                return self._place_level(p.settlement) if not hints else None
            return self._choose(named, hints, p)
        if p.postal_code and p.postal_code in self.postal:
            return self._decide(self.postal[p.postal_code], 95.0, None, "")
        munis = {m for h in hints for m in h.munis}
        if len(munis) == 1:
            return self._centre_match(munis.pop(), MUNICIPALITY_LEVEL_SCORE)
        provinces = {c for h in hints for c in h.provs}
        if len(provinces) == 1:
            centre = self.row_of[self.province_centre[provinces.pop()]]
            return self._centre_match(str(self.muni[centre]), MUNICIPALITY_LEVEL_SCORE - 20)
        return None

    def _choose(self, named: _Rows, hints: list[_Hint], p: ParsedAddress) -> Match:
        """Narrow the named rows by hints and postal code, then decide."""
        rows, score = list(dict.fromkeys(named.rows)), named.score
        if hints:
            met = {i: sum(h.met_by(self.muni[i], self.prov[i]) for h in hints) for i in rows}
            most = max(met.values())
            if most == 0:
                where = ", ".join(h.text for h in hints)
                return self._undecided(rows, CONTRADICTED_SCORE,
                                       f"no {p.settlement} in {where}; namesakes elsewhere")
            in_muni = [i for i in rows if met[i] == most
                       and any(self.muni[i] in h.munis for h in hints)]
            rows = in_muni or [i for i in rows if met[i] == most]
            score -= UNKNOWN_AREA_PENALTY * (len(hints) - most)
        if p.postal_code:
            coded = [i for i in rows if p.postal_code in self.postal_sets[i]]
            if coded:
                rows = coded
            elif not any(self.muni[i] in {self.muni[r] for r in rows}
                         for i in self.postal.get(p.postal_code, [])):
                score -= POSTAL_MISMATCH_PENALTY
        return self._decide(rows, score, p.settlement_type, p.settlement)

    def _decide(self, rows: list[int], score: float, kind: str | None, name: str) -> Match:
        """One row, a town among villages, namesakes inside one municipality — or candidates."""
        rows = list(dict.fromkeys(rows))
        if kind:
            rows = [i for i in rows if self.type[i] == kind] or rows
        if len(rows) == 1:
            return self._settlement_match(rows[0], score)
        towns = [i for i in rows if self.type[i] == "гр."]
        if len(towns) == 1 or len({self.muni[i] for i in rows}) == 1:
            best = towns[0] if len(towns) == 1 else self._largest(rows)
            return self._settlement_match(best, score - AMBIGUITY_PENALTY)
        return self._undecided(rows, min(score, AMBIGUOUS_SCORE),
                               f"{len(rows)} places named {name or self.name[rows[0]]}")

    def _largest(self, rows: Iterable[int]) -> int:
        return max(rows, key=lambda i: (self.type[i] == "гр.", self.population[i]))

    def _undecided(self, rows: list[int], score: float, note: str) -> Match:
        """The likeliest row as a guess below MIN_SCORE, with every candidate."""
        ordered = sorted(dict.fromkeys(rows), key=lambda i: (self.type[i] != "гр.",
                                                            -self.population[i]))
        best = self._settlement_match(ordered[0], min(score, MIN_SCORE - 1))
        return replace(best, candidates=tuple(self.candidate(i)
                                              for i in ordered[:MAX_CANDIDATES]), note=note)

    def _settlement_match(self, i: int, score: float) -> Match:
        lon, lat = self.lon[i], self.lat[i]
        return Match(
            ekatte=str(self.ekatte[i]), name=str(self.name[i]),
            municipality_code=str(self.muni[i]), municipality=self.muni_name.get(self.muni[i], ""),
            province_code=str(self.prov[i]), province=self.prov_name.get(self.prov[i], ""),
            lon=None if np.isnan(lon) else float(lon), lat=None if np.isnan(lat) else float(lat),
            precision="settlement", score=int(round(max(0.0, min(100.0, score)))),
            name_tr=str(self.name_tr[i]),
        )

    def _centre_match(self, municipality_code: str, score: float) -> Match:
        i = self.row_of[self.municipality_centre[municipality_code]]
        m = self._settlement_match(i, score)
        return replace(m, ekatte=None, name=f"община {self.muni_name[municipality_code]}",
                       precision="municipality", name_tr="")

    def _place_level(self, name: str) -> Match | None:
        """A bare name that is no settlement may still name a municipality or province."""
        munis = self.muni_keys.get(place_key(name), set())
        if len(munis) == 1:
            return self._centre_match(next(iter(munis)), MUNICIPALITY_LEVEL_SCORE)
        return None

    # -- register rows ----------------------------------------------------------------------
    def candidates(self, name: str, municipality_code: str | None = None,
                   province_code: str | None = None) -> list[str]:
        """EKATTE codes of settlements with this (Cyrillic) name, narrowed by the codes."""
        rows = self.register_keys.get(settlement_key(name or ""), [])
        if municipality_code:
            rows = [i for i in rows if self.muni[i] == municipality_code]
        if province_code:
            rows = [i for i in rows if self.prov[i] == province_code]
        return list(dict.fromkeys(str(self.ekatte[i]) for i in rows))

    def _register_fuzzy(self, name: str, municipality_code: str) -> list[str]:
        """A register typo inside one municipality: the closest name, spaces ignored."""
        names = {k: k.replace(" ", "") for k, rows in self.local_keys.get(municipality_code,
                                                                           {}).items()
                 if is_cyrillic(k)}
        best = process.extractOne(settlement_key(name).replace(" ", ""), names,
                                  scorer=fuzz.ratio, score_cutoff=REGISTER_FUZZY_CUTOFF)
        if not best:
            return []
        return [str(self.ekatte[i]) for i in self.local_keys[municipality_code][best[2]]]

    def _register_found(self, name: str, muni: str | None, prov: str | None) -> tuple[list[str],
                                                                                      str]:
        found, method = self.candidates(name, muni, prov), "exact"
        station = STATION_PREFIX.match(name)
        if not found and station:
            # "гара X" is the railway-station village inside the land of X.
            found = [e for e in self.candidates(name[station.end():], muni, prov)
                     if self.ground_parent[self.row_of[e]]]
            method = "station"
        if not found and muni:
            found, method = self._register_fuzzy(name, muni), "fuzzy"
        if not found and muni and prov:
            # The named municipality may be wrong (a village filed under its neighbour).
            found, method = self.candidates(name, None, prov), "province"
        return found, method

    def resolve(self, settlement: str, municipality: str = "", province: str = "") -> Resolution:
        """One EKATTE for a settlement named with its municipality and province, or a reason."""
        prov = self.province_code(province) if province else None
        if province and not prov:
            return Resolution(None, f"unknown province '{province}'")
        muni = self.municipality_code(municipality, prov) if municipality else None
        hint = type_hint(settlement)
        name = settlement_key(strip_register_type(settlement))
        found, method = self._register_found(name, muni, prov)
        if len(found) > 1 and hint:
            found = [e for e in found if self.type[self.row_of[e]] == hint] or found
        if len(found) > 1 and method == "exact":
            # Same name twice in one place: the station village sits inside the other's land.
            found = [e for e in found if not self.ground_parent[self.row_of[e]]
                     and not STATION_PREFIX.match(self.alt_name[self.row_of[e]])] or found
        if len(found) == 1:
            return Resolution(found[0], method=method)
        where = ", ".join(x for x in (municipality, province) if x)
        if not found:
            return Resolution(None, f"no settlement '{settlement}' in {where or 'Bulgaria'}")
        return Resolution(None, f"{len(found)} settlements named '{settlement}' in {where}")
