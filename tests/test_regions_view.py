"""The Regions page's view in the URL: parsed with Coverage's helpers, bogus values dropped."""

from __future__ import annotations

from ui.coverage_view import whole
from ui.regions_view import View, from_query, to_query

PROVINCES = {"KRZ", "RAZ", "VRC"}
MUNIS = {"KRZ16", "KRZ02", "RAZ26", "VRC32"}


def test_regions_view_round_trips_through_the_url():
    view = View(("KRZ",), ("KRZ16",), 5)
    assert to_query(view) == {"prov": "KRZ", "muni": "KRZ16", "r": "5"}
    assert from_query(to_query(view), PROVINCES, MUNIS) == view
    assert to_query(View(("KRZ", "RAZ"), (), 10)) == {"prov": "KRZ,RAZ", "r": "10"}
    assert from_query({"lang": "en"}, PROVINCES, MUNIS) is None  # no view named: defaults
    assert from_query({"prov": "krz", "muni": "krz16", "r": "5", "lang": "bg"},
                      PROVINCES, MUNIS) == view  # codes in any case


def test_bogus_values_fall_back_to_the_defaults():
    d = View()
    assert from_query({"prov": "XXX"}, PROVINCES, MUNIS) == d  # no known province
    assert from_query({"prov": "XXX", "muni": "KRZ16"}, PROVINCES, MUNIS) == \
        View(d.provinces, ("KRZ16",), d.radius)  # the defaults include KRZ
    assert from_query({"prov": ""}, PROVINCES, MUNIS) == View((), (), d.radius)  # none chosen
    odd = from_query({"prov": "RAZ,XX", "muni": "KRZ16,RAZ26,NOPE", "r": "0"}, PROVINCES,
                     MUNIS)
    assert odd == View(("RAZ",), ("RAZ26",), 1)  # KRZ16 lies outside RAZ; R at least 1 km
    for r, want in (("999", 30), ("-4", 1), ("7.6", 7), ("abc", 10), ("inf", 10), ("nan", 10),
                    ("", 10)):
        assert from_query({"r": r}, PROVINCES, MUNIS).radius == want, r


def test_widget_values_round_trip():
    view = View(("VRC",), ("VRC32",), 12)
    state = view.widget_values()
    assert state == {"r_provinces": ["VRC"], "r_municipalities": ["VRC32"], "r_radius": 12}
    assert View.from_widgets(state) == view


def test_whole_clamps_and_defaults():
    assert whole("3", 10, 30) == 3 and whole("-3", 10, 30) == 0
    assert whole("-3", 10, 30, low=1) == 1 and whole(None, 10, 30) == 10


def test_restore_prefers_the_url_then_the_saved_view_and_keeps_widget_values():
    from ui.coverage_view import restore

    state = {"regions_view": View(("VRC",), (), 7)}
    restore(state, View(("KRZ",), ("KRZ16",), 5), "regions_view", View())
    assert state["r_provinces"] == ["KRZ"] and state["r_radius"] == 5
    state = {"regions_view": View(("VRC",), (), 7), "r_radius": 3}
    restore(state, None, "regions_view", View())
    assert state["r_provinces"] == ["VRC"] and state["r_radius"] == 3  # a widget keeps its own
    state = {}
    restore(state, None, "regions_view", View())
    assert state == View().widget_values()


def test_write_query_keeps_the_language_and_writes_only_changes():
    from ui.coverage_view import write_query

    class Params(dict):
        writes = 0

        def __setitem__(self, key, value):
            Params.writes += 1
            super().__setitem__(key, value)

    params = Params({"lang": "en", "kind": "ngo", "r": "5", "prov": "KRZ"})
    Params.writes = 0
    write_query(params, {"prov": "KRZ", "r": "6"})
    assert params == {"lang": "en", "prov": "KRZ", "r": "6"} and Params.writes == 1


def test_a_library_link_carries_its_page_and_name():
    import re

    from ui.hub_table import LINK_TEXT, page_link

    link = page_link("chitalishte-12", "НЧ „Искра #1“", "tr")
    assert link.startswith("library?id=chitalishte-12&lang=tr#")
    assert re.search(LINK_TEXT, link).group(1) == "НЧ „Искра #1“"  # what the cell shows
    assert page_link("a&b", "x", "en").startswith("library?id=a%26b&lang=en#")
