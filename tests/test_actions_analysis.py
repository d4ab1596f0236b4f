"""Published civic actions in the analysis (geo.actions) and the Compass's actions page.

Tiny hand-made actions, municipalities and settlements: what counts (published, once per
action, not online in a municipality), who is within R, and the report's escaping.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from pyproj import Transformer
from shapely.geometry import Point

from civic.action import ACTION_COLUMNS, Action
from geo.actions import (
    by_cause_and_type,
    hosts,
    municipality_actions,
    municipality_figures,
    online_actions,
    settlements_without_action,
)
from reports.compass import CompassData, actions_summary, render_html

PAGES = Path(__file__).resolve().parent.parent / "pages"
NOW = datetime(2026, 6, 1, 12, 0)
ORIGIN = (25.0, 42.5)  # lon, lat of the action's place in the tests


def east_of(origin: tuple[float, float], km: float) -> tuple[float, float]:
    """A point `km` east of `origin`, measured in EPSG:7801 (the project's metric CRS)."""
    to_m = Transformer.from_crs("EPSG:4326", "EPSG:7801", always_xy=True)
    back = Transformer.from_crs("EPSG:7801", "EPSG:4326", always_xy=True)
    x, y = to_m.transform(*origin)
    return back.transform(x + km * 1000, y)


def act(n: int, start: datetime, hours: int = 2, **values) -> dict:
    """One stored action row (checked by the Action record), at ORIGIN in municipality T01."""
    values = {"title": f"Action {n}", "cause": "culture", "type": "exhibition",
              "start": start, "end": start + timedelta(hours=hours), "host_id": "org1",
              "source": "import", "ekatte": "00001", "settlement": "Едно",
              "municipality_code": "T01", "province_code": "TST", "lon": ORIGIN[0],
              "lat": ORIGIN[1], **values}
    return Action(id=f"a{n}", **values).row()


def frame(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(ACTION_COLUMNS))


MUNIS = pd.DataFrame({"code": ["T01", "T02"], "province_code": ["TST", "TST"],
                      "name": ["Първа", "Втора"], "name_latin": ["Parva", "Vtora"],
                      "population": [20_000, 5_000]})


def places(*points: tuple[float, float], population=None) -> gpd.GeoDataFrame:
    n = len(points)
    return gpd.GeoDataFrame({
        "ekatte": [f"{i + 1:05d}" for i in range(n)], "name": [f"S{i + 1}" for i in range(n)],
        "name_latin": [f"S{i + 1}" for i in range(n)],
        "municipality_code": ["T01"] * n, "province_code": ["TST"] * n,
        "population_2021": population or [100] * n,
        "geometry": [Point(p) for p in points]}, crs="EPSG:4326")


def counts(actions: pd.DataFrame) -> dict:
    m = municipality_actions(actions, MUNIS, NOW).set_index("municipality_code")
    return {"last": int(m.at["T01", "actions_last_12m"]),
            "upcoming": int(m.at["T01", "actions_upcoming"])}


def test_a_past_published_action_counts_in_the_last_12_months_a_cancelled_one_never():
    past = act(1, NOW - timedelta(days=30))
    assert counts(frame(past)) == {"last": 1, "upcoming": 0}
    cancelled = act(2, NOW - timedelta(days=30), status="cancelled")
    proposed = act(3, NOW + timedelta(days=30), status="proposed")
    assert counts(frame(cancelled, proposed)) == {"last": 0, "upcoming": 0}
    older = act(4, NOW - timedelta(days=400))  # more than 12 months ago
    assert counts(frame(older)) == {"last": 0, "upcoming": 0}


def test_a_recurring_action_counts_once_however_many_occurrences():
    weekly = act(1, NOW - timedelta(days=21), rrule="FREQ=WEEKLY;COUNT=8")
    assert counts(frame(weekly)) == {"last": 1, "upcoming": 1}
    m = municipality_actions(frame(weekly), MUNIS, NOW).set_index("municipality_code")
    assert m.at["T01", "per_10k_last_12m"] == 0.5  # one action per 20,000 residents
    assert m.at["T02", "actions_last_12m"] == 0  # every municipality, zeros where none


def test_upcoming_means_within_the_year_ahead():
    soon, far = act(1, NOW + timedelta(days=30)), act(2, NOW + timedelta(days=400))
    assert counts(frame(soon)) == {"last": 0, "upcoming": 1}
    assert counts(frame(far)) == {"last": 0, "upcoming": 0}


def test_online_actions_are_in_no_municipality_and_counted_apart():
    # online, though hosted from a settlement of T01: still in no municipality, no place
    online = act(1, NOW + timedelta(days=3), online=True)
    placed = act(2, NOW + timedelta(days=3))
    actions = frame(online, placed)
    m = municipality_actions(actions, MUNIS, NOW)
    assert m["actions_upcoming"].sum() == 1
    assert online_actions(actions, NOW) == {"last_12m": 0, "upcoming": 1}
    gaps = settlements_without_action(places(east_of(ORIGIN, 5)), frame(online), 10, NOW)
    assert len(gaps) == 1 and pd.isna(gaps.at[0, "nearest_action_km"])  # nowhere to be near


def test_a_settlement_9_km_away_is_covered_at_r_10_not_at_r_5():
    s = places(east_of(ORIGIN, 9))
    actions = frame(act(1, NOW + timedelta(days=3)))
    assert settlements_without_action(s, actions, 10, NOW).empty
    gaps = settlements_without_action(s, actions, 5, NOW)
    assert list(gaps["ekatte"]) == ["00001"]
    assert gaps.at[0, "nearest_action_km"] == pytest.approx(9, abs=0.01)


def test_only_inhabited_settlements_and_only_counted_actions_cover():
    s = places(east_of(ORIGIN, 1), east_of(ORIGIN, 2), population=[100, 0])
    cancelled = frame(act(1, NOW + timedelta(days=3), status="cancelled"))
    assert list(settlements_without_action(s, cancelled, 10, NOW)["ekatte"]) == ["00001"]
    # the Compass asks about the last 12 months only: an upcoming action does not cover
    upcoming = frame(act(2, NOW + timedelta(days=3)))
    assert settlements_without_action(s, upcoming, 10, NOW).empty
    assert len(settlements_without_action(s, upcoming, 10, NOW, include_upcoming=False)) == 1


def test_r_zero_means_the_settlements_own_actions():
    s = places(ORIGIN, east_of(ORIGIN, 1))
    actions = frame(act(1, NOW + timedelta(days=3)))  # in settlement 00001
    assert list(settlements_without_action(s, actions, 0, NOW)["ekatte"]) == ["00002"]


def test_an_action_without_a_point_stands_at_its_settlements_centre():
    s = places(east_of(ORIGIN, 20), east_of(ORIGIN, 40))
    row = act(1, NOW + timedelta(days=3), lon=None, lat=None)  # in 00001
    gaps = settlements_without_action(s, frame(row), 10, NOW)
    assert list(gaps["ekatte"]) == ["00002"]
    assert gaps.at[0, "nearest_action_km"] == pytest.approx(20, abs=0.01)


def test_municipality_figures_count_settlements_without_an_action():
    s = places(east_of(ORIGIN, 3), east_of(ORIGIN, 30))
    m = municipality_figures(frame(act(1, NOW - timedelta(days=3))), MUNIS, s, 10, NOW)
    m = m.set_index("municipality_code")
    assert m.at["T01", "inhabited_settlements"] == 2
    assert m.at["T01", "settlements_without_action"] == 1


def test_by_cause_and_type_and_hosts():
    actions = frame(act(1, NOW + timedelta(days=3)),
                    act(2, NOW + timedelta(days=4), cause="environment",
                        type="volunteer_action", host_id="org2"),
                    act(3, NOW + timedelta(days=5), cause="environment",
                        type="volunteer_action", host_id="org2"),
                    act(4, NOW + timedelta(days=5), host_id="org1", status="cancelled"))
    got = by_cause_and_type(actions, NOW)
    assert got["total"] == 3
    assert got["cause"] == {"environment": 2, "culture": 1}
    assert got["type"] == {"volunteer_action": 2, "exhibition": 1}
    orgs = pd.DataFrame({"id": ["org1", "org2"], "name": ["Читалище", "Сдружение"],
                         "kind": ["chitalishte", "ngo"]})
    h = hosts(actions, orgs)
    assert list(h["host_id"]) == ["org2", "org1"] and list(h["actions"]) == [2, 1]
    assert list(h["name"]) == ["Сдружение", "Читалище"]


def _html(actions: pd.DataFrame) -> str:
    s = places(ORIGIN, east_of(ORIGIN, 30))
    tables = {"settlements": s, "municipalities": MUNIS,
              "provinces": pd.DataFrame({"code": ["TST"], "name": ["Тест"],
                                         "name_latin": ["Test"]}),
              "all_orgs": pd.DataFrame({"id": ["org1"], "name": ["<b>Host</b> & co"],
                                        "kind": ["ngo"]})}
    summary = actions_summary(actions, ["TST"], "en", tables, 10.0, NOW)
    data = CompassData([], "en", 10.0, 0, [], summary)
    return render_html(data, [])


def test_compass_lists_actions_escaped():
    html = _html(frame(act(1, NOW - timedelta(days=3), title="<script>alert(1)</script>")))
    assert "Civic actions" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html
    assert "&lt;b&gt;Host&lt;/b&gt; &amp; co" in html
    # of the two inhabited settlements, the one 30 km away had no action within R
    assert "1 / 2" in html


def test_compass_counts_only_what_took_place_in_the_last_12_months_as_coverage():
    html = _html(frame(act(1, NOW + timedelta(days=3))))
    assert "2 / 2" in html  # the only action is upcoming: nothing took place yet
    assert "Първа (Parva), Втора (Vtora)" in html  # municipalities with none


def test_compass_says_when_no_actions_have_been_published():
    html = _html(frame())
    assert "No civic actions have been published on the civic map yet." in html
    assert "Hosts" not in html


def test_compass_leaves_the_page_out_without_actions():
    data = CompassData([], "en", 10.0, 0, [])
    assert "Civic actions" not in render_html(data, [])


# --- on the real build (sparingly): the Compass for Kardzhali and the two pages ------------

def _kardzhali_actions(settlements) -> pd.DataFrame:
    """One past action in Кърджали (KRZ16), one cancelled: hand-made, never stored."""
    town = settlements.set_index("ekatte").loc["40909"]
    now = datetime.now().replace(second=0, microsecond=0)
    place = {"ekatte": "40909", "settlement": town["name"], "municipality_code": "KRZ16",
             "province_code": "KRZ", "lon": town.geometry.x, "lat": town.geometry.y}
    return frame(act(1, now - timedelta(days=20), title="<i>Изложба</i>", **place),
                 act(2, now - timedelta(days=10), status="cancelled", **place))


def test_compass_actions_page_for_kardzhali(built, settlements):
    import store
    from reports.compass import compass_data

    municipalities, provinces, orgs = (store.load_municipalities(), store.load_provinces(),
                                       store.load_organisations())
    actions = _kardzhali_actions(settlements).assign(host_id=orgs["id"].iloc[0])
    data = compass_data(["KRZ"], "en", settlements, municipalities, provinces, orgs, 10.0,
                        actions)
    a = data.actions
    assert a.total == 1 and a.hosts[0]["name"] == orgs["name"].iloc[0]
    row = a.provinces[0]
    assert 0 < row["without"] < row["inhabited"]
    assert "Kardzhali" not in row["municipalities"] and "Kirkovo" in row["municipalities"]
    html = render_html(data, [])
    assert "&lt;i&gt;Изложба&lt;/i&gt;" in html
    without = compass_data(["KRZ"], "en", settlements, municipalities, provinces, orgs, 10.0)
    assert without.actions is None  # callers that pass no actions get no actions page


@pytest.fixture()
def page_actions(monkeypatch, settlements):
    """The pages' `ui.data.actions()` reading hand-made rows instead of the store."""
    import store.actions
    from ui import data

    rows = _kardzhali_actions(settlements)
    monkeypatch.setattr(store.actions, "load_actions", lambda: rows)
    data.actions.clear()
    yield rows
    data.actions.clear()


def test_regions_page_shows_published_actions_per_municipality(built, page_actions):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PAGES / "regions.py"), default_timeout=180)
    at.query_params["lang"] = "en"
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    table = at.dataframe[-1].value.set_index("Municipality")
    assert table.at["Кърджали (Kardzhali)", "Published actions, last 12 months"] == 1
    assert table["Published actions, last 12 months"].sum() == 1  # the cancelled one: not
    assert table.at["Кирково (Kirkovo)", "Inhabited settlements with no published action "
                    "within R"] > 0


def test_coverage_page_says_when_no_actions_are_published(built):
    from streamlit.testing.v1 import AppTest

    from ui import data

    data.actions.clear()
    at = AppTest.from_file(str(PAGES / "coverage.py"), default_timeout=180)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    assert any("No actions have been published yet" in i.value and "(/actions?lang=en)"
               in i.value for i in at.info)
