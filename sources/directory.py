"""Import the compiled civic directories: NGOs and libraries of KRZ, RAZ and VRC.

A directory row with the legal form читалище is a register chitalishte seen again: it
enriches that entry. A directory library kept by a chitalishte takes the place of the
chitalishte's presumed library, so each chitalishte has one library point, never two.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz

from civic.text import fold, to_latin
from civic.vocabularies import LEGAL_FORMS, PRECISION_SCORE, split_fields, stable_id
from geo.gazetteer import Gazetteer
from sources.chitalishta import ImportResult

NGO_SOURCE = "civic_directory_ngos"
LIBRARY_SOURCE = "civic_directory_libraries"
PRESUMED_SOURCE = "presumed_chitalishte_library"
_CHITALISHTE_WORDS = re.compile(
    r"\b(нчхп|нч|народно читалище|читалище|читалището|г|год)\b\.?", re.IGNORECASE
)
_QUOTED = re.compile(r"„([^“”\"]+)[“”\"]")
SAME_CHITALISHTE_SCORE = 80
ONLY_CHITALISHTE_SCORE = 50


def read_directory(path: Path) -> pd.DataFrame:
    """A directory CSV as stripped strings, with its 1-based file line number in `line`."""
    df = pd.read_csv(path, dtype=str).fillna("")
    df = df.apply(lambda c: c.str.strip())
    df["line"] = range(2, len(df) + 2)
    return df


def chitalishte_key(name: str) -> str:
    """A chitalishte name without 'НЧ', quotes, 'г.' and dashes: 'пробуда 1926'."""
    text = _CHITALISHTE_WORDS.sub(" ", fold(name)).replace("-", " ")
    return fold(text)


def match_chitalishte(name: str, candidates: list[dict]) -> dict | None:
    """The register chitalishte a directory name means, among those of one settlement."""
    quoted = _QUOTED.findall(name)
    if not quoted and len(candidates) == 1:
        return candidates[0]  # "the library of the chitalishte in с. X": X has only one
    key = chitalishte_key(quoted[-1] if quoted else name)
    best, best_score = None, -1.0
    for cand in candidates:
        score = fuzz.token_set_ratio(key, chitalishte_key(cand["name"]))
        if score > best_score:
            best, best_score = cand, score
    if best is None:
        return None
    cutoff = ONLY_CHITALISHTE_SCORE if len(candidates) == 1 else SAME_CHITALISHTE_SCORE
    return best if best_score >= cutoff else None


Locate = Callable[[str], "str | None"]  # address text → EKATTE (the geocoder's gazetteer)


def _place(row: pd.Series, places: Gazetteer, settlements: pd.DataFrame,
           locate: Locate | None = None):
    """(ekatte, precision, note) for a directory row, or (None, None, reason).

    The row's settlement column decides; an address is geocoded as well, and a street
    address that names another settlement is noted. Rows with no usable settlement take
    the settlement their address names, else the municipality centre.
    """
    municipalities = [m.strip() for m in row["municipality"].split(";") if m.strip()]
    province = row["province"]
    prov = places.province_code(province)
    if not prov:
        return None, None, f"unknown province '{province}'"
    by_address = None
    if locate is not None and row.get("address"):
        found = locate(f"{row['address']}, област {province}")
        by_address = found if found and settlements.at[found, "province_code"] == prov else None
    if row["settlement"] and len(municipalities) <= 1:
        res = places.resolve(row["settlement"], municipalities[0] if municipalities else "",
                             province)
        if res.ekatte:
            note = ""
            if by_address and by_address != res.ekatte:
                note = f"the address names {settlements.at[by_address, 'name']}, not the settlement"
            return res.ekatte, "settlement", note
        if by_address:
            return by_address, "settlement", f"{res.reason}; placed by its address"
        return None, None, res.reason
    if by_address:
        return by_address, "settlement", "placed at the settlement its address names"
    if not municipalities:
        note = "only the province is known; placed at the centre of its capital municipality"
        return places.province_centre[prov], "municipality", note
    muni = places.municipality_code(municipalities[0], prov)
    if not muni:
        return None, None, f"unknown municipality '{municipalities[0]}' in {province}"
    note = (
        f"works in several municipalities ({row['municipality']}); placed at the centre of "
        f"{municipalities[0]}"
        if len(municipalities) > 1
        else f"no settlement given; placed at the centre of {municipalities[0]}"
    )
    return places.municipality_centre[muni], "municipality", note


def _base(row: pd.Series, ekatte: str, precision: str, note: str, settlements, source: str,
          source_file: str, now: datetime) -> dict:
    s = settlements.loc[ekatte]
    return {
        "name": row["name"],
        "name_latin": to_latin(row["name"]),
        "ekatte": ekatte if precision != "municipality" else None,
        "settlement": s["name"] if precision != "municipality" else None,
        "municipality_code": s["municipality_code"],
        "province_code": s["province_code"],
        "address": row.get("address") or None,
        "lon": s.geometry.x,
        "lat": s.geometry.y,
        "precision": precision,
        "precision_score": PRECISION_SCORE[precision],
        "precision_note": note or (
            "placed at the settlement centre" if precision == "settlement" else None
        ),
        "status": "active",
        "uic": None,
        "register_number": None,
        "phone": None,
        "email": None,
        "website": row.get("website") or None,
        "source": source,
        "source_url": row.get("source_url") or None,
        "source_date": row.get("source_date") or None,
        "source_file": source_file,
        "imported_at": now,
        "presumed": False,
        "parent_id": None,
        "subtype": None,
    }


def _by_settlement(chitalishta: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for row in chitalishta:
        if row["ekatte"]:
            out.setdefault(row["ekatte"], []).append(row)
    return out


def _placed_rows(df: pd.DataFrame, places: Gazetteer, s_idx: pd.DataFrame,
                 locate: Locate | None, result: ImportResult):
    """(row, ekatte, precision, note) for each row that has a name and a place.

    The others go into `result.rejected` with their reason.
    """
    for _, row in df.iterrows():
        if not row["name"]:
            result.rejected.append({"row": row["line"], "name": "", "reason": "missing name"})
            continue
        ekatte, precision, note = _place(row, places, s_idx, locate)
        if ekatte is None:
            result.rejected.append({"row": row["line"], "name": row["name"], "reason": note})
            continue
        yield row, ekatte, precision, note


def import_ngos(
    df: pd.DataFrame, places: Gazetteer, settlements: pd.DataFrame,
    chitalishta: list[dict], source_file: str, locate: Locate | None = None,
) -> ImportResult:
    """NGO rows for the store; читалище rows enrich `chitalishta` in place instead."""
    result = ImportResult(read=len(df))
    now = datetime.now()
    s_idx = settlements.set_index("ekatte")
    local = _by_settlement(chitalishta)
    seen: set[str] = set()
    for row, ekatte, precision, note in _placed_rows(df, places, s_idx, locate, result):
        form = LEGAL_FORMS.get(fold(row["legal_form"]), "other")
        fields = split_fields(row["fields"])
        if form == "chitalishte":
            match = match_chitalishte(row["name"], local.get(ekatte, []))
            if match is None:
                place = s_idx.at[ekatte, "name"]
                result.rejected.append({
                    "row": row["line"], "name": row["name"],
                    "reason": f"chitalishte not found in the register for {place}",
                })
                continue
            _enrich(match, fields, row)
            result.enriched.append({"row": row["line"], "name": row["name"], "id": match["id"]})
            continue
        rec = _base(row, ekatte, precision, note, s_idx, NGO_SOURCE, source_file, now)
        rec.update({
            "id": stable_id("ngo", row["name"], row["province"]),
            "kind": "ngo",
            "legal_form": form,
            "fields": ";".join(fields),
        })
        if rec["id"] in seen:
            result.rejected.append({"row": row["line"], "name": row["name"],
                                    "reason": "duplicate of an earlier row"})
            continue
        seen.add(rec["id"])
        result.rows.append(rec)
    return result


def _enrich(chitalishte: dict, fields: list[str], row: pd.Series) -> None:
    merged = list(dict.fromkeys([*(chitalishte["fields"] or "").split(";"), *fields]))
    chitalishte["fields"] = ";".join(f for f in merged if f)
    chitalishte["website"] = chitalishte["website"] or row.get("website") or None
    chitalishte["see_also_url"] = row.get("source_url") or None


def import_libraries(
    df: pd.DataFrame, places: Gazetteer, settlements: pd.DataFrame,
    chitalishta: list[dict], source_file: str, locate: Locate | None = None,
) -> ImportResult:
    """Known libraries, then one presumed library for every chitalishte without one."""
    result = ImportResult(read=len(df))
    now = datetime.now()
    s_idx = settlements.set_index("ekatte")
    local = _by_settlement(chitalishta)
    claimed: set[str] = set()
    for row, ekatte, precision, note in _placed_rows(df, places, s_idx, locate, result):
        rec = _base(row, ekatte, precision, note, s_idx, LIBRARY_SOURCE, source_file, now)
        rec.update({
            "id": stable_id("library", row["name"], row["settlement"], row["province"]),
            "kind": "library", "legal_form": None, "fields": "culture;education",
            "subtype": row["kind"] or "other",
        })
        if row["kind"] == "chitalishte":
            parent = match_chitalishte(row["name"], local.get(ekatte, []))
            if parent is not None and parent["id"] not in claimed:
                claimed.add(parent["id"])
                rec.update({k: parent[k] for k in ("lon", "lat", "precision", "precision_score",
                                                   "precision_note", "status")})
                rec["parent_id"] = parent["id"]
            else:
                rec["precision_note"] = "its chitalishte was not identified in the register"
        result.rows.append(rec)
    for ch in chitalishta:
        if ch["id"] not in claimed:
            result.rows.append(presumed_library(ch, now))
    return result


def presumed_library(ch: dict, now: datetime) -> dict:
    """The library every chitalishte keeps by law, at the chitalishte's own point."""
    rec = {k: ch[k] for k in (
        "ekatte", "settlement", "municipality_code", "province_code", "address", "lon", "lat",
        "precision", "precision_score", "precision_note", "status", "phone", "email",
        "website", "source_url", "source_date", "source_file",
    )}
    name = f"Библиотека при {ch['name']}"
    rec.update({
        "id": f"library-presumed-{ch['register_number']}",
        "kind": "library", "subtype": "presumed", "presumed": True, "parent_id": ch["id"],
        "legal_form": None, "name": name, "name_latin": to_latin(name),
        "fields": "culture;education", "uic": None, "register_number": None,
        "source": PRESUMED_SOURCE, "imported_at": now,
    })
    return rec
