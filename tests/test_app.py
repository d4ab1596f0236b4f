"""The Streamlit app through AppTest: pages run, filters change counts, language switches."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parent.parent / "app.py"


@pytest.fixture()
def app(built):
    return AppTest.from_file(str(APP), default_timeout=120)


def _counts(at) -> dict[str, int]:
    """The Map's counts line as the server first draws it (the panel updates it later)."""
    line = next(e.proto.body for e in at.get("html") if "civic-counts" in e.proto.body)
    text = re.sub(r"<[^>]+>", "", line)
    pairs = re.findall(r"([^·\d]+?)\s*(\d(?:[\d\u00a0\u202f ,]*\d)?)", text)
    return {label.strip(): int(re.sub(r"\D", "", n)) for label, n in pairs}


def _panel_spec(at) -> dict:
    import html
    import json

    body = next(e.proto.body for e in at.get("html") if "civic-filter-panel" in e.proto.body)
    return json.loads(html.unescape(re.search(r'data-spec="([^"]*)"', body).group(1)))


def test_map_page_runs_and_counts_follow_the_url(built):
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    assert not at.exception
    assert _counts(at)["Читалища"] == 315
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params.update({"municipalities": "KRZ14"})
    at.run()
    kirkovo = _counts(at)
    assert kirkovo["Читалища"] == 22
    # every filter, the province set too, lives in the browser's panel, not in widgets
    assert not at.multiselect
    spec = _panel_spec(at)
    assert spec["initial"]["municipalities"] == ["KRZ14"]
    assert spec["initial"]["provinces"] == ["KRZ", "RAZ", "VRC"]
    assert "municipalities" not in at.query_params  # the panel writes its own part
    # the panel is offered every province and municipality; it lists the chosen ones'
    assert len(spec["options"]["provinces"]) == 28
    assert len(spec["bounds"]["provinces"]) == 28
    assert {c[:3] for c, _n in spec["options"]["municipalities"]} == \
        {c for c, _n in spec["options"]["provinces"]}
    # another province set in the URL: the same map element (one per language), other counts
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params.update({"provinces": "RAZ", "municipalities": "KRZ14"})
    at.run()
    assert not at.exception
    assert _counts(at)["Читалища"] == 107  # Kirkovo is not in Razgrad: all of Razgrad
    other = _panel_spec(at)
    assert other["initial"]["provinces"] == ["RAZ"] and other["initial"]["municipalities"] == []
    assert other["map_key"] == spec["map_key"]
    assert "provinces" not in at.query_params  # the panel writes it back


def test_url_reproduces_the_view(built):
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params.update({"lang": "en", "kinds": "ngo", "q": "Ротари"})
    at.run()
    assert not at.exception
    counts = _counts(at)
    assert counts["NGOs"] >= 2 and counts["Chitalishta"] == 0
    assert at.subheader[0].value == "Civil sector map"


def test_language_switch(app):
    at = app.run()
    assert at.subheader[0].value == "Карта на гражданския сектор"
    at.selectbox(key="lang").set_value("tr").run()
    assert at.subheader[0].value == "Sivil toplum haritası"
    assert _panel_spec(at)["words"]["province"] == "İl"


def _first_share(at) -> float:
    """The first figure's share on the Coverage page (its figures are one st.html element)."""
    body = next(h.value for h in at.html if "civic-figure-value" in h.value)
    value = html.unescape(re.search(r'civic-figure-value">([^<]+)<', body).group(1))
    return float(value.lstrip("<").rstrip("%").replace(",", "."))


def test_coverage_page_radius_and_kinds_change_gaps(built):
    at = AppTest.from_file(str(APP.parent / "pages" / "coverage.py"), default_timeout=180)
    at.run()
    assert not at.exception
    ngo = _first_share(at)  # the default kind, NGO, comes first
    assert ngo >= 15  # about a fifth of residents: never the old "0 %"
    assert at.query_params["kind"] == "ngo" and at.query_params["r"] == "10"
    at.radio(key="c_kind").set_value("any").run()
    assert _first_share(at) < ngo
    at.radio(key="c_kind").set_value("ngo").run()
    at.slider(key="c_radius").set_value(25).run()
    assert _first_share(at) < ngo
    at.multiselect(key="c_municipalities").set_value(["KRZ14"]).run()  # Kirkovo
    assert not at.exception and at.query_params["muni"] == "KRZ14"
    assert not at.dataframe  # the tables are drawn once their section is opened
    at.session_state["c_tables"] = True
    at.run()
    gaps = at.dataframe[0].value
    assert set(gaps.iloc[:, 1]) <= {"Кирково"}  # municipality names, not codes


def test_regions_page_compares_provinces(built):
    at = AppTest.from_file(str(APP.parent / "pages" / "regions.py"), default_timeout=180)
    at.run()
    assert not at.exception
    assert len(at.get("vega_lite_chart")) >= 8  # every chart drawn, each with its numbers
    assert len(at.get("download_button")) >= 8
    ranks = at.dataframe[-1].value
    assert len(ranks) == 28 and list(ranks.columns)[0] == "Област"  # translated headers
    at.multiselect(key="r_provinces").set_value(["KRZ"]).run()
    assert not at.exception
