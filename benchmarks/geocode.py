"""Geocoder accuracy and speed on the real chitalishta register; prints JSON.

Each active chitalishte is geocoded from its address text alone — the register's own
words for street, settlement, municipality and province — without any EKATTE hint, and
checked against the settlement the build joined it to. A harder variant drops the
municipality and province words. The generated ambiguous-name set (geo.ambiguous: every
settlement whose name occurs more than once nationally) is scored per written form:
right = the confident answer is the expected EKATTE; confident_wrong = a confident answer
that is another settlement; the rest come back as candidates. Run after `civicmap build`.
"""

from __future__ import annotations

import json
import statistics
import time

import geopandas as gpd
import numpy as np

import store
from geo.ambiguous import FORMS, queries
from geo.gazetteer import Gazetteer
from sources.chitalishta import read_register
from sources.manifest import locate

PROVINCES = ("KRZ", "RAZ", "VRC")


def ambiguous_accuracy(gaz: Gazetteer, settlements, municipalities, provinces) -> dict:
    """Per written form: queries, share right, confident wrong answers, answered as candidates."""
    out = {f: {"queries": 0, "right": 0, "confident_wrong": 0, "candidates": 0} for f in FORMS}
    for form, query, expected in queries(settlements, municipalities, provinces):
        found = gaz.match(query)
        tally = out[form]
        tally["queries"] += 1
        if found is not None and found.confident:
            tally["right" if found.ekatte == expected else "confident_wrong"] += 1
        elif found is not None and found.candidates:
            tally["candidates"] += 1
    for tally in out.values():
        tally["right"] = round(tally["right"] / max(1, tally["queries"]), 4)
    return out


def main() -> None:
    """Print the figures as JSON."""
    settlements = store.load_settlements()
    municipalities, provinces = store.load_municipalities(), store.load_provinces()
    gaz = Gazetteer(settlements, municipalities, provinces)
    orgs = store.load_organisations().set_index("id")
    reg = read_register(locate("chitalishta_register.csv"))
    reg["id"] = "chitalishte-" + reg["register_number"]
    reg = reg[reg["id"].isin(orgs.index)]
    reg = reg.drop(columns="status").join(
        orgs[["ekatte", "province_code", "status", "precision", "lon", "lat"]],
                   on="id")
    reg = reg[(reg["status"] == "active") & reg["ekatte"].notna()]

    full = (reg["address"] + ", " + reg["settlement"] + ", община " + reg["municipality"]
            + ", област " + reg["province"]).tolist()
    bare = (reg["address"] + ", " + reg["settlement"]).tolist()

    started = time.perf_counter()
    answers = [gaz.match(q) for q in full]
    elapsed = time.perf_counter() - started
    bare_answers = [gaz.match(q) for q in bare]

    truth = reg["ekatte"].tolist()
    hit = np.array([a is not None and a.confident and a.ekatte == t
                    for a, t in zip(answers, truth)])
    bare_hit = np.array([a is not None and a.confident and a.ekatte == t
                         for a, t in zip(bare_answers, truth)])
    bare_wrong = sum(a is not None and a.confident and a.ekatte != t
                     for a, t in zip(bare_answers, truth))
    bare_asked = sum(a is not None and not a.confident for a in bare_answers)
    prov = reg["province_code"].to_numpy()

    def share(mask: np.ndarray, sel: np.ndarray | None = None) -> float:
        sel = np.ones(len(mask), bool) if sel is None else sel
        return round(float(mask[sel].mean()), 4) if sel.any() else 0.0

    src = reg["precision"].to_numpy() == "source_point"
    gps = gpd.GeoSeries.from_xy(reg["lon"][src], reg["lat"][src], crs=4326).to_crs(7801)
    found = [a for a, s in zip(answers, src) if s]
    ok = np.array([a is not None and a.confident and a.lon is not None for a in found])
    guess = gpd.GeoSeries.from_xy([a.lon for a, k in zip(found, ok) if k],
                                  [a.lat for a, k in zip(found, ok) if k], crs=4326).to_crs(7801)
    dist_km = np.asarray(gps[ok].distance(guess, align=False)) / 1000

    misses = [{"query": q, "expected": t, "got": a.ekatte if a else None}
              for q, t, a, h in zip(full, truth, answers, hit) if not h][:10]
    print(json.dumps({
        "queries": len(full),
        "accuracy_full_address": {"national": share(hit),
                                  **{p: share(hit, prov == p) for p in PROVINCES}},
        "accuracy_street_and_settlement_only": {
            "national": share(bare_hit), **{p: share(bare_hit, prov == p) for p in PROVINCES},
            "confident_wrong": int(bare_wrong), "answered_with_candidates": int(bare_asked)},
        "ambiguous_names_by_form": ambiguous_accuracy(gaz, settlements, municipalities,
                                                      provinces),
        "source_point_distance_km": {
            "count": int(len(dist_km)),
            "median": round(statistics.median(dist_km), 3),
            "p90": round(float(np.percentile(dist_km, 90)), 3),
        },
        "queries_per_second": round(len(full) / elapsed),
        "sample_misses": misses,
    }, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
