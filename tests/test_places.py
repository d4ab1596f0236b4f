"""The offline basemap without a browser: label zooms, tile fallback, the placement lookup."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from civic.i18n import place_names
from geo.places import settlement_at
from layers.basemap import FallbackTiles, Geography, Tiles, label_zoom, label_zooms
from layers.nearby import nearby_map

ROOT = Path(__file__).resolve().parent.parent


def _places() -> gpd.GeoDataFrame:
    """Two villages side by side with grounds, a hamlet on the first's ground, one without."""
    return gpd.GeoDataFrame({
        "ekatte": ["00001", "00002", "00003", "00004"],
        "name": ["Горно", "Долно", "Махала", "Безземно"],
        "name_latin": ["Gorno", "Dolno", "Mahala", "Bezzemno"],
        "municipality_code": ["M1", "M1", "M1", "M2"],
        "population_2021": [2500, 30, 5, 0],
        "ground": gpd.GeoSeries([box(0, 0, 1, 1), box(1, 0, 2, 1), None, None]),
    }, geometry=[Point(0.5, 0.5), Point(1.5, 0.5), Point(0.9, 0.9), Point(3.5, 0.5)],
        crs="EPSG:4326")


def _munis() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"code": ["M1", "M2"], "centre_ekatte": ["00001", "00004"]},
                            geometry=[box(0, 0, 2, 1), box(2, 0, 4, 1)], crs="EPSG:4326")


def test_a_click_in_a_ground_names_its_settlement():
    assert settlement_at(0.2, 0.3, _places(), _munis()) == "00001"
    assert settlement_at(1.7, 0.3, _places(), _munis()) == "00002"


def test_a_hamlet_on_its_parents_ground_wins_near_its_point():
    places = _places()
    places.loc[2, "ground"] = box(0, 0, 1, 1)  # the hamlet shares Gorno's ground
    assert settlement_at(0.85, 0.85, places) == "00003"
    assert settlement_at(0.4, 0.4, places) == "00001"


def test_without_a_ground_the_nearest_point_in_the_municipality():
    # (2.1, 0.5) is nearer Dolno's point, but in M2, whose only settlement is Bezzemno
    assert settlement_at(2.1, 0.5, _places(), _munis()) == "00004"
    assert settlement_at(2.1, 0.5, _places()) is None  # no municipalities: no guess
    assert settlement_at(9.0, 9.0, _places(), _munis()) is None  # outside everything
    assert settlement_at(0.2, 0.3, _places().drop(columns="ground"), _munis()) == "00001"


def test_label_zooms_bigger_places_first():
    assert label_zoom(39_450, province_centre=True) == 6
    assert label_zoom(25_000) == 8
    assert label_zoom(3_000) == 10
    assert label_zoom(800, municipality_centre=True) == 9
    assert label_zoom(40) == 12
    assert label_zoom(0) == 13
    assert label_zoom(float("nan")) == 13
    assert label_zooms(_places(), None, _munis()) == "9cc9"


def test_a_tile_layer_falls_back_by_itself():
    fmap = nearby_map(25.4, 41.6, 5, _places().iloc[0:0].assign(distance_km=[]),
                      Tiles(url="http://127.0.0.1:9/{z}/{x}/{y}.png"))
    html = fmap.get_root().render()
    assert 'civicTiles(' in html and '"http://127.0.0.1:9/{z}/{x}/{y}.png"' in html
    assert "L.tileLayer(" not in html.replace("L.tileLayer(url", "")  # only the fallback's
    none = nearby_map(25.4, 41.6, 5, _places().iloc[0:0].assign(distance_km=[]),
                      Tiles(url=None)).get_root().render()
    assert "civicTiles(" not in none.split("function civicTiles")[-1]
    assert FallbackTiles(Tiles()).errors <= 2


@pytest.mark.parametrize(("lang", "label"), [("bg", "Горно"), ("en", "Gorno"),
                                             ("tr", "Gorno")])
def test_small_map_carries_names_and_municipality_lines(lang, label):
    places = _places().assign(province_code="P")
    fmap = nearby_map(1.5, 0.5, 150, places.iloc[0:0].assign(distance_km=[]), Tiles(url=None),
                      Geography(None, places, _munis().assign(name="Общ", name_latin="Obsht")),
                      lang)
    html = fmap.get_root().render()
    assert "civicSettlements(" in html and "civicBoundaries(" in html
    assert '"lz":"9cc9"' in html
    assert label in _label_names(place_names(places, lang))


def _label_names(names: list[str]) -> list[str]:
    """What civicmap.js's civicLabelName makes of `place_names` output, run in node."""
    node = shutil.which("node")
    if not node:
        pytest.skip("node is not installed")
    script = (ROOT / "layers" / "civicmap.js").read_text(encoding="utf-8")
    start = script.index("function civicLabelName")
    code = script[start:script.index("var CIVIC_LABEL_CSS")]
    out = subprocess.run([node, "-e", code + f"process.stdout.write(JSON.stringify("
                          f"{json.dumps(names)}.map(civicLabelName)))"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_label_names_are_the_page_languages_form():
    assert _label_names(["Кърджали", "Кърджали (Kardzhali)", "Кърджали (Kırcaali)"]) == [
        "Кърджали", "Kardzhali", "Kırcaali"]


def test_real_settlements_are_found_where_they_are(settlements):
    from store import load_municipalities

    munis = load_municipalities()
    kardzhali = settlements[settlements["ekatte"] == "40909"].iloc[0]
    assert settlement_at(kardzhali.geometry.x, kardzhali.geometry.y, settlements,
                         munis) == "40909"
    # every settlement with a ground is found from its own point, or a neighbour that
    # shares the ground (a point on a border may fall in the next ground)
    sample = settlements[settlements["ground"].notna()].sample(200, random_state=1)
    found = [settlement_at(p.x, p.y, settlements, munis) for p in sample.geometry]
    assert sum(f == e for f, e in zip(found, sample["ekatte"])) >= 0.95 * len(sample)
    assert all(f is not None for f in found)


def test_national_basemap_names_every_place_and_stays_small(settlements):
    """All 28 provinces: every settlement has a label zoom, the base map stays light."""
    import re

    from layers.basemap import base_map
    from store import load_municipalities, load_provinces

    provinces = load_provinces()
    fmap, _control = base_map(provinces, load_municipalities(), settlements,
                              sorted(provinces["code"]), "en", Tiles())
    html = fmap.get_root().render()
    zooms = re.search(r'"lz":"([0-9a-d]+)"', html).group(1)
    assert len(zooms) == settlements.geometry.notna().sum()
    # the province centres from the country view (Sofia is the centre of two provinces)
    assert zooms.count("6") == provinces["centre_ekatte"].nunique() >= 27
    # 385 kB measured (boundaries, 5,256 places, the script): the organisations (about
    # 700 kB) ride on top of it, so the whole national map stays near 1 MB
    assert len(html.encode()) < 420_000, len(html.encode())
