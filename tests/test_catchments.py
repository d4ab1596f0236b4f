"""Library catchments: hand-made points with known answers, and the real build's partition."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from shapely.geometry import Point

import store
from geo.catchments import assign, catchment_table, library_sites

# FIXTURE (hand-made): villages on one east-west line in EPSG:7801 at known km offsets.
_TO_LONLAT = Transformer.from_crs("EPSG:7801", "EPSG:4326", always_xy=True)
X0, Y0 = 500_000.0, 4_600_000.0


def _lonlat(dx_km: float) -> tuple[float, float]:
    return _TO_LONLAT.transform(X0 + dx_km * 1000, Y0)


def _settlements(offsets, pops, provinces=None) -> gpd.GeoDataFrame:
    rows = []
    for i, (dx, pop) in enumerate(zip(offsets, pops)):
        lon, lat = _lonlat(dx)
        prov = provinces[i] if provinces else "TST"
        rows.append({"ekatte": f"9000{i}", "name": f"Село {i}",
                     "municipality_code": f"{prov}01", "province_code": prov,
                     "population_2021": pop, "geometry": Point(lon, lat)})
    return gpd.GeoDataFrame(rows, crs="EPSG:4326")


def _orgs(items) -> pd.DataFrame:
    """items: (id, kind, dx_km, ekatte, presumed[, status])."""
    rows = []
    for org_id, kind, dx, ekatte, presumed, *status in items:
        lon, lat = _lonlat(dx)
        rows.append({"id": org_id, "kind": kind, "name": f"org {org_id}", "presumed": presumed,
                     "subtype": None, "ekatte": ekatte, "municipality_code": "TST01",
                     "province_code": "TST", "lon": lon, "lat": lat,
                     "status": status[0] if status else "active"})
    return pd.DataFrame(rows)


def test_libraries_at_one_point_are_one_site_represented_by_the_known_one():
    orgs = _orgs([("b", "library", 0, "90000", True), ("a", "library", 0, "90000", True),
                  ("z", "library", 0, "90000", False), ("c", "library", 5, "90001", True),
                  ("d", "library", 5, "90001", True), ("x", "library", 9, "90002", True,
                                                      "closed"),
                  ("n", "ngo", 0, "90000", False), ("h", "chitalishte", 5, "90001", False)])
    sites = library_sites(orgs)
    assert list(sites["site_id"]) == ["c", "z"]  # sorted by site id; closed "x" left out
    by = sites.set_index("site_id")
    assert by.at["z", "presumed"] == np.False_ and sorted(by.at["z", "members"]) == ["a", "b", "z"]
    assert by.at["c", "members"] == ["c", "d"]  # all presumed: the smallest id stands
    assert by.at["c", "presumed"]  # a site of presumed libraries only says so


def test_each_settlement_goes_to_its_nearest_site_and_a_tie_to_the_smallest_id():
    s = _settlements(offsets=(0, 4, 10, 16, 30), pops=(100, 50, 20, 0, 7))
    orgs = _orgs([("m", "library", 0, "90000", True), ("k", "library", 20, None, True)])
    a = assign(s, library_sites(orgs)).set_index("ekatte")
    assert list(a["site_id"]) == ["m", "m", "k", "k", "k"]  # 10 km is a tie: "k" < "m"
    assert a.at["90001", "distance_km"] == pytest.approx(4, abs=1e-3)
    assert a.at["90002", "distance_km"] == pytest.approx(10, abs=1e-3)
    assert list(a["inhabited"]) == [True, True, True, False, True]
    # the tie goes to the smaller id whichever comes first in the frame
    swapped = _orgs([("k", "library", 0, "90000", True), ("m", "library", 20, None, True)])
    assert assign(s, library_sites(swapped)).set_index("ekatte").at["90002", "site_id"] == "k"


def test_catchment_table_counts_only_the_chosen_inhabited_settlements():
    # villages at 0, 4, 10, 16 (empty), 30 km; 30 km lies in another province
    s = _settlements(offsets=(0, 4, 10, 16, 30), pops=(100, 50, 20, 0, 7),
                     provinces=["TST", "TST", "TST", "TST", "OTH"])
    orgs = _orgs([("m", "library", 0, "90000", True), ("k", "library", 19, "90003", True),
                  ("n", "ngo", 2, "90000", False), ("c", "chitalishte", 0, "90000", False),
                  ("c2", "chitalishte", 10, "90002", False)])
    table = catchment_table(s, orgs, radius_km=5, provinces=["TST"]).set_index("site_id")
    assert list(table.index) == ["k", "m"]  # beyond R first: 20 residents vs 0
    assert table.at["m", "settlements"] == 2 and table.at["m", "residents"] == 150
    assert table.at["m", "ngos"] == 1 and table.at["m", "chitalishta"] == 1
    assert table.at["m", "beyond_r"] == 0 and table.at["m", "beyond_r_share"] == 0
    # k holds 90002 (20, the NGO is 8 km away) and the empty 90003; 90004 is not chosen
    assert table.at["k", "settlements"] == 1 and table.at["k", "residents"] == 20
    assert table.at["k", "beyond_r"] == 20 and table.at["k", "beyond_r_share"] == 1
    assert table.at["k", "chitalishta"] == 1 and table.at["k", "settlement"] == "Село 3"
    everything = catchment_table(s, orgs, radius_km=5)
    assert everything["residents"].sum() == 177 and everything["settlements"].sum() == 4
    assert catchment_table(s, orgs, 5, municipalities=["OTH01"])["residents"].tolist() == [7]


@pytest.fixture(scope="module")
def real(built):
    orgs = store.load_organisations()
    return store.load_settlements(), orgs[orgs["status"] == "active"]


def test_catchments_partition_the_inhabited_settlements_of_every_province(real):
    settlements, orgs = real
    sites = library_sites(orgs)
    a = assign(settlements, sites)
    located = settlements[settlements.geometry.notna()]
    assert len(a) == len(located) and a["site_id"].notna().all()
    assert set(a["site_id"]) <= set(sites["site_id"])
    for code in sorted(settlements["province_code"].unique()):
        inhabited = located[(located["province_code"] == code)
                            & (located["population_2021"] > 0)]
        table = catchment_table(settlements, orgs, 10.0, provinces=[code])
        mine = a[a["ekatte"].isin(inhabited["ekatte"])]
        assert mine["ekatte"].is_unique and len(mine) == len(inhabited), code
        assert table["site_id"].is_unique, code
        assert table["settlements"].sum() == len(inhabited), code
        assert table["residents"].sum() == inhabited["population_2021"].sum(), code
        assert (table["beyond_r"] <= table["residents"]).all(), code
        assert table["beyond_r"].is_monotonic_decreasing, code


def test_catchments_of_the_three_provinces_agree_with_the_published_figures(real):
    settlements, orgs = real
    krz = catchment_table(settlements, orgs, 10.0, provinces=["KRZ"])
    assert (krz["settlements"].sum(), krz["residents"].sum()) == (457, 141177)
    both = catchment_table(settlements, orgs, 10.0, provinces=["KRZ", "RAZ", "VRC"])
    parts = [catchment_table(settlements, orgs, 10.0, provinces=[c]) for c in
             ("KRZ", "RAZ", "VRC")]
    assert both["residents"].sum() == sum(p["residents"].sum() for p in parts)
    muni = catchment_table(settlements, orgs, 10.0, municipalities=["KRZ16"])
    located = settlements[settlements.geometry.notna()]
    assert muni["residents"].sum() == located.loc[
        located["municipality_code"] == "KRZ16", "population_2021"].sum()
    # a site across the border keeps its own province code
    assert set(both["province_code"]) - {"KRZ", "RAZ", "VRC"}


def _lonlat_to_metric(lon, lat) -> np.ndarray:
    to_metric = Transformer.from_crs("EPSG:4326", "EPSG:7801", always_xy=True)
    x, y = to_metric.transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.column_stack([x, y])


def test_cli_catchments_agree_with_a_recomputation_from_the_exports(built, tmp_path):
    """The exports alone (organisations CSV, settlements GeoJSON) give the same catchments."""
    import json

    from scipy.spatial import cKDTree

    from cli import main

    o_csv, s_geojson, c_json = (str(tmp_path / n) for n in ("o.csv", "s.geojson", "c.json"))
    assert main(["export", "organisations", "--format", "csv", "--out", o_csv]) == 0
    assert main(["coverage", "--province", "ALL", "--kinds", "ngo", "--format", "geojson",
                 "--out", s_geojson]) == 0
    assert main(["hubs", "catchments", "--province", "KRZ", "--radius-km", "10", "--json",
                 "--out", c_json]) == 0
    orgs = pd.read_csv(tmp_path / "o.csv", dtype={"ekatte": str})
    features = json.loads((tmp_path / "s.geojson").read_text(encoding="utf-8"))["features"]
    s = pd.DataFrame([{**f["properties"], "lon": f["geometry"]["coordinates"][0],
                       "lat": f["geometry"]["coordinates"][1]} for f in features])
    doc = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    # the sites: one per point, named by its known library, else by its smallest id
    lib = orgs[(orgs["kind"] == "library") & (orgs["status"] == "active")]
    lib = lib.sort_values(["presumed", "id"]).drop_duplicates(["lon", "lat"])
    tree = cKDTree(_lonlat_to_metric(lib["lon"], lib["lat"]))
    xy = _lonlat_to_metric(s["lon"], s["lat"])
    s["site"] = lib["id"].to_numpy()[tree.query(xy)[1]]
    ngo = orgs[(orgs["kind"] == "ngo") & (orgs["status"] == "active")]
    near = cKDTree(_lonlat_to_metric(ngo["lon"], ngo["lat"])).query(xy)[0]
    s["beyond"] = np.where(near <= 10_000, 0, s["population"])
    s["ngos"] = s["ekatte"].map(ngo["ekatte"].value_counts()).fillna(0)
    mine = s[(s["province_code"] == "KRZ") & (s["population"] > 0)]
    expected = mine.groupby("site").agg(settlements=("ekatte", "size"),
                                        residents=("population", "sum"),
                                        beyond_r=("beyond", "sum"), ngos=("ngos", "sum"))
    got = pd.DataFrame(doc["catchments"]).set_index("site_id")
    assert doc["province"] == ["KRZ"] and doc["radius_km"] == 10
    assert "straight-line" in doc["definition"] and "nearest" in doc["definition"]
    assert (doc["settlements"], doc["residents"]) == (len(mine), mine["population"].sum())
    assert sorted(got.index) == sorted(expected.index)
    for col in ("settlements", "residents", "beyond_r", "ngos"):
        assert (got[col] == expected.loc[got.index, col].astype(int)).all(), col
    assert list(got["beyond_r"]) == sorted(got["beyond_r"], reverse=True)


def test_cli_catchments_text_and_bad_municipality(built, capsys):
    from cli import main

    assert main(["hubs", "catchments", "--province", "RAZ", "--municipality", "RAZ26"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("library") and "straight-line" in out
    assert "library catchments" in out
    assert main(["hubs", "catchments", "--province", "RAZ", "--municipality", "KRZ16"]) == 2
    assert capsys.readouterr().err.startswith("civicmap hubs: unknown municipality")


def test_cli_hub_plan_for_all_provinces_states_its_method(built, tmp_path):
    import json

    from cli import main

    out = tmp_path / "all.json"
    assert main(["hubs", "--province", "ALL", "--k", "4", "--out", str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert len(doc["provinces"]) == 28
    for name in ("existing", "new_sites"):
        plan = doc[name]
        assert len(plan["sites"]) == 4 and plan["method"].startswith("decomposition")
        assert sum(s["newly_covered"] for s in plan["sites"]) == plan["newly_covered"] > 0
    assert {s["kind"] for s in doc["existing"]["sites"]} <= {"chitalishte", "library"}


# -- the map layer ----------------------------------------------------------------------------


def _square():
    """Four villages on a 10 km square, two libraries on its west and east sides."""
    rows = []
    for i, (dx, dy, pop) in enumerate([(0, 0, 100), (0, 10, 50), (10, 0, 30), (10, 10, 0)]):
        lon, lat = _TO_LONLAT.transform(X0 + dx * 1000, Y0 + dy * 1000)
        rows.append({"ekatte": f"9100{i}", "name": f"Село {i}", "municipality_code": "TST01",
                     "province_code": "TST", "population_2021": pop,
                     "geometry": Point(lon, lat)})
    s = gpd.GeoDataFrame(rows, crs="EPSG:4326")
    orgs = _orgs([("w", "library", 0, "91000", True), ("e", "library", 10, "91002", True),
                  ("n", "ngo", 0, "91000", False)])
    orgs.loc[0, "name"] = "Библиотека <b>Запад</b>"
    return s, orgs


def _features(group) -> list[dict]:
    import folium

    return [f["properties"] for c in group._children.values() if isinstance(c, folium.GeoJson)
            for f in c.data["features"]]


def test_catchment_layer_draws_one_coloured_polygon_per_site_with_a_translated_tooltip():
    import folium
    from shapely.geometry import box

    from layers.catchments import catchment_layer, catchment_shapes, share_colour

    s, orgs = _square()
    table = catchment_table(s, orgs, radius_km=5)
    # west: 100 at the NGO, 50 ten km north of it (beyond R); east: 30, all beyond R
    assert dict(zip(table["site_id"], table["beyond_r_share"])) == {"e": 1.0, "w": 0.3333}
    shapes = catchment_shapes(s, assign(s, library_sites(orgs)), ["TST"])
    assert sorted(shapes["site_id"]) == ["e", "w"]
    # the cells fill the hull buffered by 2 km, and split it at the 5 km line
    west, east = (shapes.set_index("site_id").to_crs("EPSG:7801").geometry[k] for k in "we")
    assert west.intersection(east).area == pytest.approx(0, abs=1e3)
    hull = box(X0, Y0, X0 + 10_000, Y0 + 10_000).buffer(2000)
    assert (west.area + east.area) == pytest.approx(hull.area, rel=0.01)
    assert west.centroid.x < X0 + 5000 < east.centroid.x
    group = catchment_layer(s, orgs, table, "bg", ["TST"])
    fmap = folium.Map()
    group.add_to(fmap)
    html = fmap.get_root().render()
    assert share_colour(1.0) in html and share_colour(0.3333) in html
    assert share_colour(0.3333) != share_colour(1.0)
    label = {("w" if "Запад" in f["label"] else "e"): f["label"] for f in _features(group)}
    assert label["w"].startswith("Библиотека &lt;b&gt;Запад&lt;/b&gt;: 150 ")
    assert "33%" in label["w"] and "100%" in label["e"] and "<b>" not in label["w"]
    # an assignment instead of the table: residents only, grey
    grey = catchment_layer(s, orgs, assign(s, library_sites(orgs)), "en", ["TST"])
    assert {f["colour"] for f in _features(grey)} == {share_colour(None)}


def test_one_provinces_catchment_layer_stays_small(real):
    import folium

    from layers.catchments import catchment_layer

    settlements, orgs = real
    outline = store.load_provinces().set_index("code").geometry["KRZ"]
    table = catchment_table(settlements, orgs, 10.0, provinces=["KRZ"])
    group = catchment_layer(settlements, orgs, table, "tr", ["KRZ"], outline=outline)
    assert len(_features(group)) >= len(table)
    empty = len(folium.Map().get_root().render())
    fmap = folium.Map()
    group.add_to(fmap)
    size = len(fmap.get_root().render().encode("utf-8")) - empty
    assert 10_000 < size < 300_000
