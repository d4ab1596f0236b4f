"""`civicmap gaps`: JSON shape, an independent recount, the KRZ figures, no double counting."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pandas as pd
import pytest

import store
from cli import main
from geo.coverage import Options, municipality_coverage, organisation_counts, summarise

KEYS = {"settlements_without_own", "residents_beyond_r", "share_beyond_r", "pw_mean_km"}
EARTH_KM = 6371.0088


def _gaps(capsys, *args: str) -> dict:
    assert main(["gaps", *args]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def exported(built, tmp_path_factory):
    """Organisations as `civicmap export` writes them, settlements as the build stores them."""
    out = tmp_path_factory.mktemp("gaps") / "orgs.csv"
    assert main(["export", "organisations", "--format", "csv", "--out", str(out)]) == 0
    orgs = pd.read_csv(out, dtype={"ekatte": str}, encoding="utf-8-sig")
    s = store.load_settlements()
    places = pd.DataFrame({"ekatte": s["ekatte"], "province": s["province_code"],
                           "population": s["population_2021"], "lon": s.geometry.x,
                           "lat": s.geometry.y})
    return orgs, places


def _haversine_min(lon, lat, olon, olat) -> np.ndarray:
    """Distance in km from each (lon, lat) to the nearest of (olon, olat), brute force."""
    p1, l1 = np.radians(lat)[:, None], np.radians(lon)[:, None]
    p2, l2 = np.radians(olat)[None, :], np.radians(olon)[None, :]
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2) ** 2
    return (2 * EARTH_KM * np.arcsin(np.sqrt(a))).min(axis=1)


def _brute(orgs: pd.DataFrame, places: pd.DataFrame, kind: str, radius: float) -> dict:
    live = orgs[(orgs["status"] == "active") & orgs["lon"].notna()]
    mine = live[live["kind"] == kind] if kind != "any" else live
    mine = mine[~mine["presumed"].astype(str).str.lower().eq("true")]
    p = places[places["population"] > 0]
    d = _haversine_min(p["lon"].to_numpy(), p["lat"].to_numpy(), mine["lon"].to_numpy(),
                       mine["lat"].to_numpy())
    pop = p["population"].to_numpy(float)
    own = p["ekatte"].isin(set(mine["ekatte"].dropna()))
    return {"settlements_without_own": int((~own).sum()),
            "share_beyond_r": float(pop[d > radius].sum() / pop.sum()),
            "pw_mean_km": float((d * pop).sum() / pop.sum())}


def test_json_shape_exactly(built, capsys):
    doc = _gaps(capsys, "--province", "KRZ,RAZ,VRC", "--radius-km", "10", "--json")
    assert set(doc) == {"radius_km", "provinces"} and doc["radius_km"] == 10
    assert set(doc["provinces"]) == {"KRZ", "RAZ", "VRC"}
    for figures in doc["provinces"].values():
        assert set(figures) == {"inhabited_settlements", "residents", "kinds"}
        assert set(figures["kinds"]) == {"ngo", "chitalishte", "library", "any"}
        for values in figures["kinds"].values():
            assert set(values) == KEYS
            assert isinstance(values["settlements_without_own"], int)
            assert 0 <= values["share_beyond_r"] <= 1


@pytest.mark.parametrize("radius", [5.0, 10.0])
def test_gaps_agree_with_brute_force_haversine(exported, capsys, radius):
    orgs, places = exported
    doc = _gaps(capsys, "--province", "KRZ,RAZ,VRC", "--radius-km", str(radius), "--json")
    for code, figures in doc["provinces"].items():
        here = places[places["province"] == code]
        assert figures["inhabited_settlements"] == int((here["population"] > 0).sum())
        for kind in ("ngo", "chitalishte", "library", "any"):
            want = _brute(orgs, here, kind, radius)
            got = figures["kinds"][kind]
            assert got["settlements_without_own"] == want["settlements_without_own"], kind
            assert abs(got["share_beyond_r"] - want["share_beyond_r"]) <= 0.01, (code, kind)
            assert abs(got["pw_mean_km"] - want["pw_mean_km"]) <= 0.15, (code, kind)


def test_kardzhali_figures(built, capsys):
    krz = _gaps(capsys, "--province", "KRZ", "--radius-km", "10", "--json")["provinces"]["KRZ"]
    assert krz["inhabited_settlements"] == 457
    assert krz["kinds"]["ngo"]["share_beyond_r"] >= 0.15
    assert krz["kinds"]["chitalishte"]["settlements_without_own"] == 361
    assert krz["kinds"]["ngo"]["settlements_without_own"] >= 440


def test_presumed_libraries_only_when_asked(built, capsys):
    known = _gaps(capsys, "--province", "VRC", "--json")["provinces"]["VRC"]["kinds"]
    both = _gaps(capsys, "--province", "VRC", "--json", "--presumed")["provinces"]["VRC"]["kinds"]
    assert known["library"]["share_beyond_r"] >= 0.25  # a library known by name: far
    assert both["library"]["share_beyond_r"] < known["library"]["share_beyond_r"]
    assert both["any"] == known["any"]  # presumed libraries never change "any"


def test_csv_per_municipality(built, capsys):
    assert main(["gaps", "--province", "KRZ", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 7 and {r["province_code"] for r in rows} == {"KRZ"}
    assert {"municipality", "ngo_share_beyond_r", "any_pw_mean_km", "radius_km",
            "library_definition"} <= set(rows[0])
    assert sum(int(r["chitalishte_settlements_without_own"]) for r in rows) == 361


@pytest.mark.parametrize("args", [["--province", "XX"], ["--radius-km", "-3"]])
def test_bad_options_exit_2_with_a_message(built, capsys, args):
    assert main(["gaps", *args]) == 2
    assert "civicmap gaps:" in capsys.readouterr().err


# Hand-made: one chitalishte with its presumed library, one NGO, one library known by name.
def _orgs() -> pd.DataFrame:
    rows = [("c1", "chitalishte", False, "A"), ("p1", "library", True, "A"),
            ("n1", "ngo", False, "A"), ("l1", "library", False, "B")]
    return pd.DataFrame([{"id": i, "kind": k, "presumed": p, "municipality_code": m,
                          "name": i, "ekatte": "1", "lon": 25.0, "lat": 42.0,
                          "province_code": "P", "status": "active"} for i, k, p, m in rows])


def test_a_chitalishte_and_its_presumed_library_are_one_organisation():
    for presumed in (False, True):
        counts = organisation_counts(_orgs(), Options(include_presumed_libraries=presumed),
                                     "municipality_code")
        assert counts.at["A", "count_any"] == 2  # the chitalishte and the NGO
        assert counts.at["B", "count_any"] == 1
        assert counts.at["A", "count_library"] == (1 if presumed else 0)
        assert counts.at["A", "count_library_presumed"] == 1


def test_per_10k_counts_each_organisation_once():
    munis = pd.DataFrame({"code": ["A", "B"], "province_code": ["P", "P"],
                          "name": ["А", "Б"], "population": [10_000, 5_000]})
    cov = pd.DataFrame({"ekatte": ["1"], "settlement": ["x"], "municipality_code": ["A"],
                        "province_code": ["P"], "population": [100]})
    for kind in ("ngo", "chitalishte", "library", "any"):
        cov[f"in_settlement_{kind}"] = 1
        cov[f"beyond_{kind}"] = False
        cov[f"gap_{kind}"] = False
        cov[f"nearest_{kind}_km"] = 0.0
    m = municipality_coverage(cov, _orgs(), munis, Options(include_presumed_libraries=True))
    a = m.set_index("municipality_code").loc["A"]
    assert a["per_10k_any"] == 2.0
    assert a["count_any"] == a["count_ngo"] + a["count_chitalishte"]


def test_real_per_10k_never_counts_presumed_libraries(built):
    orgs = store.load_organisations()
    orgs = orgs[orgs["status"] == "active"]
    counts = organisation_counts(orgs, Options(include_presumed_libraries=True),
                                 "province_code").loc["KRZ"]
    known = orgs[(orgs["province_code"] == "KRZ") & ~orgs["presumed"].astype(bool)]
    assert counts["count_any"] == len(known)
    assert counts["count_library_presumed"] > 50
    assert counts["count_any"] < counts["count_ngo"] + counts["count_chitalishte"] \
        + counts["count_library"]


def test_summary_of_hand_made_settlements():
    cov = pd.DataFrame({"ekatte": ["1", "2", "3"], "municipality_code": ["A"] * 3,
                        "population": [300, 100, 0]})
    for kind in ("ngo", "chitalishte", "library", "any"):
        cov[f"in_settlement_{kind}"] = [1, 0, 0]
        cov[f"nearest_{kind}_km"] = [0.0, 12.0, 40.0]
        cov[f"beyond_{kind}"] = [False, True, True]
    row = summarise(cov, "municipality_code").loc["A"]
    assert row["inhabited_settlements"] == 2 and row["residents"] == 400
    assert row["ngo_settlements_without_own"] == 1
    assert row["ngo_residents_beyond_r"] == 100 and row["ngo_share_beyond_r"] == 0.25
    assert row["ngo_pw_mean_km"] == 3.0  # (300 * 0 + 100 * 12) / 400; the empty one ignored
