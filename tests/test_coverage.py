"""Coverage metrics: a hand-made geometry with known answers, properties, and real data."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer
from shapely.geometry import Point

import store
from geo.coverage import Options, municipality_coverage, settlement_coverage
from geo.hubs import existing_hubs, new_hubs

# FIXTURE (hand-made): four villages on one east-west line near Kardzhali, 0, 4, 10 and
# 30 km apart in EPSG:7801, and three organisations placed at known distances.
_TO_LONLAT = Transformer.from_crs("EPSG:7801", "EPSG:4326", always_xy=True)
X0, Y0 = 500_000.0, 4_600_000.0


def _lonlat(dx_km: float) -> tuple[float, float]:
    return _TO_LONLAT.transform(X0 + dx_km * 1000, Y0)


def _settlements(offsets=(0, 4, 10, 30), pops=(1000, 200, 50, 0)) -> gpd.GeoDataFrame:
    rows = []
    for i, (dx, pop) in enumerate(zip(offsets, pops)):
        lon, lat = _lonlat(dx)
        rows.append({"ekatte": f"9000{i}", "name": f"Село {i}", "municipality_code": "TST01",
                     "province_code": "TST", "population_2021": pop,
                     "geometry": Point(lon, lat)})
    return gpd.GeoDataFrame(rows, crs="EPSG:4326")


def _orgs(items) -> pd.DataFrame:
    rows = []
    for i, (kind, dx, ekatte, presumed) in enumerate(items):
        lon, lat = _lonlat(dx)
        rows.append({"id": f"o{i}", "kind": kind, "name": f"org {i}", "presumed": presumed,
                     "ekatte": ekatte, "municipality_code": "TST01", "province_code": "TST",
                     "lon": lon, "lat": lat, "status": "active"})
    return pd.DataFrame(rows)


FIXED_ORGS = [("ngo", 0, "90000", False), ("chitalishte", 4, "90001", False),
              ("library", 4, "90001", True)]


def test_hand_made_geometry_every_number_known():
    options = Options(radius_km=5, include_presumed_libraries=True)
    cov = settlement_coverage(_settlements(), _orgs(FIXED_ORGS), options)
    c = cov.set_index("ekatte")
    assert c.loc["90000", "nearest_ngo_km"] == pytest.approx(0, abs=0.01)
    assert c.loc["90000", "nearest_chitalishte_km"] == pytest.approx(4, abs=0.01)
    assert c.loc["90002", "nearest_ngo_km"] == pytest.approx(10, abs=0.01)
    assert c.loc["90002", "nearest_any_km"] == pytest.approx(6, abs=0.01)
    # the presumed library is its chitalishte: "any" counts the NGO and the chitalishte
    assert c.loc["90000", "within_r_any"] == 2 and c.loc["90002", "within_r_any"] == 0
    assert c.loc["90001", "in_settlement_chitalishte"] == 1
    assert c.loc["90001", "in_settlement_library"] == 1
    assert c.loc["90001", "in_settlement_any"] == 1
    assert list(c["gap"]) == [False, False, True, False]  # 30 km village has no residents
    assert list(c["gap_ngo"]) == [False, False, True, False]
    # presence: village 0 has its own NGO (1), chitalishte and library at 4 km of 5 (1-4/10)
    assert c.loc["90000", "presence_index"] == round(100 * (1 + 0.6 + 0.6) / 3)
    assert c.loc["90002", "presence_index"] == round(100 * (0 + 0.4 + 0.4) / 3)
    # 2SFCA: the NGO and the chitalishte each serve villages 0 and 1 (1200 people)
    expected = (1 + 1) / 1200 * 10_000
    assert c.loc["90000", "access_2sfca"] == pytest.approx(expected, rel=1e-3)
    assert c.loc["90002", "access_2sfca"] == 0
    known = settlement_coverage(_settlements(), _orgs(FIXED_ORGS), Options(radius_km=5))
    assert np.isinf(known["nearest_library_km"]).all()  # no library known by name


def test_own_settlement_radius_counts_only_own_organisations():
    cov = settlement_coverage(_settlements(), _orgs(FIXED_ORGS), Options(radius_km=0))
    c = cov.set_index("ekatte")
    assert list(c["beyond_ngo"]) == [False, True, True, True]
    assert list(c["gap_chitalishte"]) == [True, False, True, False]


def test_hand_made_municipality_figures():
    s = _settlements()
    orgs = _orgs(FIXED_ORGS)
    cov = settlement_coverage(s, orgs, Options(radius_km=5))
    munis = pd.DataFrame({"code": ["TST01"], "province_code": ["TST"], "name": ["Тест"],
                          "population": [1250]})
    m = municipality_coverage(cov, orgs, munis, Options(radius_km=5)).iloc[0]
    assert (m["count_ngo"], m["count_chitalishte"], m["count_library"]) == (1, 1, 0)
    assert (m["count_library_presumed"], m["count_any"]) == (1, 2)
    assert m["per_10k_ngo"] == pytest.approx(8.0)
    assert (m["residents_beyond_r"], m["gap_settlements"], m["gap_population"]) == (50, 1, 50)
    assert m["share_beyond_r"] == pytest.approx(0.04)
    assert m["pw_mean_km"] == pytest.approx((1000 * 0 + 200 * 0 + 50 * 6) / 1250, abs=0.01)
    ngo = municipality_coverage(cov, orgs, munis, Options(radius_km=5), focus="ngo").iloc[0]
    assert ngo["pw_mean_km"] == pytest.approx((1000 * 0 + 200 * 4 + 50 * 10) / 1250, abs=0.01)


def test_hand_made_hubs():
    s = _settlements(offsets=(0, 20, 22, 60), pops=(100, 500, 400, 300))
    orgs = _orgs([("ngo", 0, "90000", False), ("chitalishte", 21, "90001", False),
                  ("chitalishte", 60, "90003", False)])
    plan = existing_hubs(s, orgs, radius_km=5, k=1)
    assert plan.uncovered_before == 1200 and plan.newly_covered == 900
    assert list(plan.sites["id"]) == ["o1"]
    variant = new_hubs(s, orgs, radius_km=5, k=2)
    assert variant.newly_covered == 1200


offsets = st.lists(st.floats(0, 80), min_size=1, max_size=8)


@settings(max_examples=40, deadline=None)
@given(org_offsets=offsets, r1=st.floats(1, 20), extra=st.floats(0, 30))
def test_larger_radius_never_adds_gaps(org_offsets, r1, extra):
    s = _settlements(offsets=(0, 7, 15, 33, 50), pops=(10, 20, 30, 40, 50))
    orgs = _orgs([("ngo", dx, None, False) for dx in org_offsets])
    small = settlement_coverage(s, orgs, Options(radius_km=r1), with_access=False)
    large = settlement_coverage(s, orgs, Options(radius_km=r1 + extra), with_access=False)
    assert not (large["gap"] & ~small["gap"]).any()
    assert (large["within_r_any"] >= small["within_r_any"]).all()


@settings(max_examples=40, deadline=None)
@given(org_offsets=offsets, new=st.floats(0, 80), kind=st.sampled_from(["ngo", "chitalishte"]))
def test_adding_an_organisation_never_raises_a_distance(org_offsets, new, kind):
    s = _settlements(offsets=(0, 7, 15, 33, 50), pops=(10, 20, 30, 40, 50))
    base = [("library", dx, None, False) for dx in org_offsets]
    before = settlement_coverage(s, _orgs(base), Options(radius_km=5), with_access=False)
    after = settlement_coverage(s, _orgs([*base, (kind, new, None, False)]),
                                Options(radius_km=5), with_access=False)
    cols = [c for c in before if c.startswith("nearest_")]
    assert (after[cols].to_numpy() <= before[cols].to_numpy() + 1e-9).all()
    assert (after["presence_index"] >= before["presence_index"]).all()


@pytest.fixture(scope="module")
def real(built):
    orgs = store.load_organisations()
    orgs = orgs[orgs["status"] == "active"]
    cov = settlement_coverage(store.load_settlements(), orgs, Options(radius_km=5))
    return cov, orgs


def test_kardzhali_lacks_own_chitalishta_far_more_than_razgrad_and_vratsa(real):
    cov, _ = real
    inhabited = cov[cov["population"] > 0]
    without = (inhabited["in_settlement_chitalishte"] == 0).groupby(
        inhabited["province_code"]).sum()
    assert without["KRZ"] > 300
    assert without["KRZ"] > 5 * (without["RAZ"] + without["VRC"])


def test_national_ranks_only_where_the_data_reaches(real):
    """Known NGOs cover three provinces: their reach is ranked among those three only."""
    from geo.regions import province_figures

    cov, orgs = real
    figures = province_figures(store.load_provinces(), cov, orgs, store.load_settlements(),
                               Options(radius_km=5)).set_index("code")
    with_ngos = set(orgs.loc[orgs["kind"] == "ngo", "province_code"])
    assert with_ngos == {"KRZ", "RAZ", "VRC"}
    assert sorted(figures["rank_ngo"].dropna()) == [1, 2, 3]
    assert set(figures.index[figures["rank_ngo"].notna()]) == with_ngos
    assert figures["rank_chitalishte"].notna().all()  # the register is national
    assert figures["rank_chitalishte"].max() > 3


def test_municipality_sums_equal_province_totals(real):
    cov, orgs = real
    munis = store.load_municipalities()
    table = municipality_coverage(cov, orgs, munis, Options(radius_km=5), ["KRZ", "RAZ", "VRC"])
    provinces = store.load_provinces().set_index("code")
    by_province = table.groupby("province_code")
    for code in ("KRZ", "RAZ", "VRC"):
        assert by_province["population"].sum()[code] == provinces.at[code, "population"]
        gaps = cov[(cov["province_code"] == code) & cov["gap"]]
        assert by_province["gap_population"].sum()[code] == gaps["population"].sum()
        active = orgs[(orgs["province_code"] == code) & (orgs["kind"] == "chitalishte")]
        assert by_province["count_chitalishte"].sum()[code] == len(active)
    # ranks: by share beyond R, ties broken by the population-weighted distance
    mine = table[table["province_code"].isin(["KRZ", "RAZ", "VRC"])].sort_values(
        "rank_in_selection")
    keys = list(zip(mine["share_beyond_r"], mine["pw_mean_km"]))
    assert keys == sorted(keys)
    assert (mine["rank_in_selection"] == 1).sum() == 1  # shares tie at 0; distances do not
    assert len(mine) == 24 and mine["rank_in_selection"].nunique() >= 20


def test_real_numbers_are_sane(real):
    cov, _ = real
    assert len(cov) >= 5250
    assert np.isfinite(cov["nearest_chitalishte_km"]).all()
    assert cov["presence_index"].between(0, 100).all()
    # a gap is the nearest organisation beyond R, by a distance the gap flag never used
    inhabited = cov[cov["population"] > 0]
    assert (inhabited.loc[inhabited["gap"], "nearest_any_km"] > 5).all()
    assert (inhabited.loc[~inhabited["gap"], "nearest_any_km"] <= 5 + 1e-3).all()
    assert (inhabited.loc[inhabited["gap_ngo"], "nearest_ngo_km"] > 5).all()
    # 2SFCA is positive wherever residents have an organisation within R
    reach = inhabited[~inhabited["gap"]]
    assert (reach["access_2sfca"] > 0).all()


def test_too_many_hub_candidates_are_decomposed_by_province(monkeypatch):
    import geo.hubs

    s = _settlements(offsets=(0, 20, 22, 60), pops=(100, 500, 400, 300))
    s["province_code"] = ["AAA", "AAA", "BBB", "BBB"]
    orgs = _orgs([("chitalishte", 21, "90001", False), ("chitalishte", 60, "90003", False),
                  ("library", 0, "90000", False)])
    exact = existing_hubs(s, orgs, radius_km=5, k=2)
    monkeypatch.setattr(geo.hubs, "MAX_CANDIDATES", 1)
    plan = existing_hubs(s, orgs, radius_km=5, k=2)
    assert plan.method == geo.hubs.DECOMPOSED and exact.method == geo.hubs.EXACT
    # AAA picks its chitalishte at 21 km (reaching 20 and 22 km: 900 people), BBB the one at
    # 60 km; the pool's best two are those: the same answer as the exact model
    assert list(plan.sites["id"]) == list(exact.sites["id"]) == ["o0", "o1"]
    assert plan.newly_covered == exact.newly_covered == 1200
    assert new_hubs(s, orgs, radius_km=5, k=2).method == geo.hubs.DECOMPOSED


def test_the_decomposition_keeps_the_best_province_plan():
    import geo.hubs

    # AAA alone would choose its own site at 0 km (100 people); the site at 21 km sits in
    # AAA's neighbour BBB but reaches AAA's 20 km village too: the pooled re-solve sees it
    s = _settlements(offsets=(0, 20, 22, 60), pops=(100, 500, 400, 300))
    s["province_code"] = ["AAA", "AAA", "BBB", "BBB"]
    orgs = _orgs([("library", 0, "90000", False), ("chitalishte", 21, "90002", False),
                  ("chitalishte", 60, "90003", False)])
    plan = geo.hubs.national_hubs(s, orgs, radius_km=5, k=1)
    assert plan.method == geo.hubs.DECOMPOSED
    assert list(plan.sites["id"]) == ["o1"] and plan.newly_covered == 900


def test_hubs_only_inside_the_chosen_settlements_and_for_the_chosen_kind():
    s = _settlements(offsets=(0, 20, 22, 60), pops=(100, 500, 400, 300))
    orgs = _orgs([("library", 0, "90000", False), ("chitalishte", 21, "90001", False),
                  ("chitalishte", 60, "90003", False)])
    chosen = s[s["ekatte"].isin(["90000", "90003"])]
    plan = existing_hubs(chosen, orgs, radius_km=5, k=1)
    assert set(plan.sites["ekatte"]) <= {"90000", "90003"}
    assert plan.uncovered_before == 400  # no NGO anywhere: both chosen villages count
    libraries = existing_hubs(s, orgs, radius_km=5, k=3, kind="library")
    assert libraries.uncovered_before == 1200  # village 0 has its library


def test_classes_never_collapse_when_values_differ():
    from geo.classify import classify

    idx, breaks = classify(pd.Series([0.0, 0.0, 0.001, 0.2, 0.33, 0.5, 1.0, 0.7, 0.02]), 0.01)
    assert len(breaks) - 1 == 5 and len(set(idx)) == 5
    assert breaks == sorted(breaks) and all(round(b * 100, 6).is_integer() for b in breaks)
    assert idx[6] == 4 and idx[0] == 0  # the largest share is in the darkest class
    idx, breaks = classify(pd.Series([0.0, 0.001, 0.002, 0.5]), 0.01)  # rounding must not
    assert len(set(idx)) == 4  # merge 0.1 % and 0.2 % into one class
    idx, breaks = classify(pd.Series([0.3, 0.3]), 0.01)
    assert set(idx) == {0}


def test_coverage_view_round_trips_through_the_url():
    from ui.coverage_view import View, from_query, to_query

    view = View(("KRZ",), ("KRZ14",), "library", 5, True, "distance", 2)
    query = to_query(view)
    assert from_query(query, {"KRZ", "RAZ"}, {"KRZ14", "RAZ11"}) == view
    assert from_query({"lang": "en"}, {"KRZ"}, set()) is None  # no view named: defaults
    odd = from_query({"prov": "KRZ,XX", "muni": "RAZ11", "kind": "pizza", "r": "999"},
                     {"KRZ", "RAZ"}, {"RAZ11"})
    assert odd == View(("KRZ",), (), "ngo", 30, False, "share", 3)


def test_hub_label_names_the_place_once_and_says_what_the_number_counts():
    from layers.coverage import hub_label

    assert hub_label(1, "Точилари", "Точилари", 13470, "en") == \
        "1. Точилари: +13,470 residents within R"
    assert hub_label(2, "НЧ Просвета", "Кирково", 5, "bg") == \
        "2. НЧ Просвета, Кирково: +5 жители в обхват R"


def test_hub_plan_for_all_provinces_beats_every_province_alone(real):
    import geo.hubs

    _cov, orgs = real
    settlements = store.load_settlements()
    plan = geo.hubs.national_hubs(settlements, orgs, radius_km=10, k=5)
    assert plan.method == geo.hubs.DECOMPOSED and len(plan.sites) == 5
    hubs = orgs.set_index("id").loc[plan.sites["id"]]
    assert set(hubs["kind"]) <= {"chitalishte", "library"}
    assert (hubs["status"] == "active").all() and not hubs["presumed"].any()
    assert plan.sites["newly_covered"].sum() == plan.newly_covered <= plan.uncovered_before
    best = max(existing_hubs(settlements[settlements["province_code"] == code], orgs,
                             radius_km=10, k=5).newly_covered
               for code in settlements["province_code"].unique())
    assert plan.newly_covered >= best > 0


def test_greedy_start_and_a_stopped_model_are_said(monkeypatch):
    from scipy import sparse

    import geo.hubs

    # three clients; site 0 reaches the first two (5 + 4), site 1 the last two (4 + 6)
    reach = sparse.csr_matrix(np.array([[1, 0], [1, 1], [0, 1]], dtype=bool))
    w = np.array([5.0, 4.0, 6.0])
    assert geo.hubs._greedy(reach, w, 1) == [1] and geo.hubs._greedy(reach, w, 2) == [1, 0]
    assert geo.hubs._greedy(reach, w, 2, [0]) == [0, 1]
    assert geo.hubs._solve(reach, w, 1, start=[0], seconds=5) == ([1], True)

    s = _settlements(offsets=(0, 20, 22, 60), pops=(100, 500, 400, 300))
    s["province_code"] = ["AAA", "AAA", "BBB", "BBB"]
    orgs = _orgs([("library", 0, "90000", False), ("chitalishte", 21, "90002", False),
                  ("chitalishte", 60, "90003", False)])
    solve = geo.hubs._solve
    assert geo.hubs.TIME_LIMITED not in geo.hubs.national_hubs(s, orgs, 5, 1).method

    def at_the_limit(reach, weights, k, start=None, seconds=None):
        return (list(start), False) if start is not None else solve(reach, weights, k)

    monkeypatch.setattr(geo.hubs, "_solve", at_the_limit)
    stopped = geo.hubs.national_hubs(s, orgs, 5, 1)
    assert stopped.method.endswith(geo.hubs.TIME_LIMITED)
    assert stopped.newly_covered == 900  # the greedy start already finds the best site
