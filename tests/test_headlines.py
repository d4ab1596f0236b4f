"""Coverage headlines name what they count; bar charts never hide a kind at 0."""

from __future__ import annotations

import re
from pathlib import Path

import altair as alt
import pandas as pd
import pytest

from civic.i18n import translator
from ui import coverage_view as cv
from ui.charts import LABEL, horizontal_bars, labelled, vertical_bars, zero_filled

EN, BG, TR = translator("en"), translator("bg"), translator("tr")
PAGES = Path(__file__).resolve().parent.parent / "pages"


def test_distance_headline_names_straight_line_radius_and_the_known_ngos():
    text = cv.headline(EN, "ngo", 10, 87, False, "21.8%", "86,667")
    assert text.startswith("**21.8%** of residents (86,667)")
    assert "more than 10 km (straight line)" in text
    assert "of the 87 known NGOs" in text
    bg = cv.headline(BG, "ngo", 10, 87, False, "21,8%", "86 667")
    assert "по права линия" in bg and "87" in bg and "НПО" in bg
    tr = cv.headline(TR, "ngo", 10, 87, False, "%21,8", "86.667")
    assert "kuş uçuşu" in tr and "87" in tr


def test_presence_headline_at_radius_zero_says_own_settlement_not_distance():
    text = cv.headline(EN, "chitalishte", 0, 87, False, "1.0%", "85")
    assert "no chitalishte of its own" in text and "km" not in text
    assert "without any of the 87 known NGOs" in cv.headline(EN, "ngo", 0, 87, False, "x", "y")


def test_library_figures_name_the_library_definition():
    assert "libraries known by name" in cv.headline(EN, "library", 10, 87, False, "x", "y")
    assert "every chitalishte" in cv.headline(EN, "library", 10, 87, True, "x", "y")
    assert cv.kind_label(EN, "library", 87, False) == "Libraries known by name"
    assert cv.kind_label(EN, "ngo", 87, False) == "Known NGOs (87)"


@pytest.mark.parametrize("kind, words", [
    ("ngo", "have none of the 87 known NGOs"),
    ("chitalishte", "have no chitalishte of their own"),
    ("library", "have no library of their own (libraries known by name)"),
    ("any", "have no organisation of any kind of their own")])
def test_presence_sentences_say_of_their_own_per_kind(kind, words):
    text = cv.presence_sentence(EN, kind, 87, False, "383", "683")
    assert text == f"383 of 683 inhabited settlements {words}"


def test_the_two_groups_are_labelled_apart():
    assert cv.distance_heading(EN, 10) == "Distance (straight line, R = 10 km)"
    assert cv.presence_heading(EN) == "Presence in the settlement itself"
    assert "R = 0" in cv.distance_heading(EN, 0)
    assert cv.distance_heading(BG, 10) == "Разстояние (по права линия, R = 10 км)"
    assert "straight line" in cv.distance_caption(EN, 10, "85", "0.7 km")


def test_figure_cards_escape_their_text_and_mark_the_chosen_kind():
    html = cv.figure_cards([
        cv.Figure("Known NGOs (87) ◀", "<0,1%", "of residents <b>", "NGOs: \"known\"", True),
        cv.Figure(note="383 of 683 have no chitalishte")])
    assert len(re.findall(r'class="civic-figure[ "]', html)) == 2  # one card per figure
    assert 'class="civic-figure current" title="NGOs: &quot;known&quot;"' in html
    assert '"civic-figure-value">&lt;0,1%<' in html and "&lt;b&gt;" in html and "<b>" not in html
    assert '<div class="civic-figure"><div class="civic-figure-text">383 of 683' in html


def _layers(chart: alt.LayerChart) -> list[dict]:
    spec = chart.to_dict()
    rows = next(iter(spec["datasets"].values()))
    return spec["layer"], rows


def _kinds() -> pd.DataFrame:
    table = pd.DataFrame({"province": ["A"] * 4, "kind": ["ngo", "chit", "lib", "any"],
                          "share": [0.3, 0.0, 0.15, 0.0]})
    return labelled(table, ["30%", "0", "15%", "0"])


def test_a_zero_bar_gets_a_visible_stub_and_a_0_label():
    chart = horizontal_bars(_kinds(), alt.X("share:Q"), alt.Y("province:N"),
                            alt.Color("kind:N"), "kind:N", [], "share")
    layers, rows = _layers(chart)
    text = [la for la in layers if la["mark"]["type"] == "text"]
    assert text and text[0]["encoding"]["text"]["field"] == LABEL
    assert [r[LABEL] for r in rows if r["share"] == 0] == ["0", "0"]
    stubs = [la for la in layers if la.get("transform")]
    assert stubs and _stubbed(stubs[0], rows) == [0.0, 0.0]  # the zeros, not 30 % or 15 %
    enc = stubs[0]["encoding"]
    assert enc["x"] == {"value": 0} and enc["x2"]["value"] > 0  # a few pixels wide
    assert enc["color"]["field"] == "kind"  # in the kind's own colour, as in the legend
    # room past the longest bar for its label
    assert layers[0]["encoding"]["x"]["scale"]["domain"][1] > 0.3


def _stubbed(layer: dict, rows: list[dict]) -> list[float]:
    """The values of the rows the stub layer's filter keeps ("datum['v'] <= limit")."""
    field, limit = re.fullmatch(r"\(datum\['(\w+)'\] <= ([\d.e-]+)\)",
                                layer["transform"][0]["filter"]).groups()
    return [r[field] for r in rows if r[field] <= float(limit)]


def test_a_bar_too_short_to_see_gets_the_stub_too():
    table = labelled(pd.DataFrame({"province": ["A"] * 3, "kind": ["ngo", "chit", "lib"],
                                   "share": [0.3, 0.001, 0.1]}), ["30%", "0.1%", "10%"])
    layers, rows = _layers(horizontal_bars(table, alt.X("share:Q"), alt.Y("province:N"),
                                           alt.Color("kind:N"), "kind:N", [], "share"))
    assert _stubbed(next(la for la in layers if la.get("transform")), rows) == [0.001]


def test_vertical_bars_carry_labels_and_stubs_too():
    table = labelled(pd.DataFrame({"band": ["0–19", "0–19"], "p": ["A", "B"],
                                   "n": [0, 5]}), ["0", "5"])
    layers, rows = _layers(vertical_bars(table, alt.X("band:N"), alt.Y("n:Q"),
                                         alt.Color("p:N"), "p:N", [], "n"))
    assert any(la["mark"]["type"] == "text" for la in layers)
    assert any(la.get("transform") for la in layers)


def test_missing_combinations_become_zero_rows():
    table = pd.DataFrame({"p": ["A", "A", "B"], "f": ["x", "y", "x"], "n": [1, 2, 3]})
    full = zero_filled(table, ["p", "f"], "n").set_index(["p", "f"])["n"]
    assert full[("B", "y")] == 0 and len(full) == 4


def test_coverage_page_shows_both_labelled_groups(built):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PAGES / "coverage.py"), default_timeout=180)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    texts = [m.value for m in at.markdown]
    assert "(straight line) from the nearest of the" in texts[0]
    assert "##### Distance (straight line, R = 10 km)" in texts
    assert "##### Presence in the settlement itself" in texts
    assert any("inhabited settlements have no chitalishte of their own" in h.value
               for h in at.html)
    figures = next(h.value for h in at.html if "civic-figure-value" in h.value)
    assert 'civic-figure current"' in figures  # the chosen kind first, in bold
    assert 'civic-figure-label">Known NGOs (' in figures


def test_regions_charts_label_every_bar(built):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PAGES / "regions.py"), default_timeout=180)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    charts = at.get("vega_lite_chart")
    labelled_charts = [c for c in charts if LABEL in c.proto.spec]
    assert len(labelled_charts) >= 6  # kinds ×3, fields, presence, mother tongue
    headings = [m.value for m in at.markdown]
    # the distance charts say they count straight-line distance, with R in km
    assert ("#### Residents more than 10 km (straight line) from the nearest organisation of "
            "each kind" in headings)
    assert ("#### Mean distance (straight line) to the nearest organisation of each kind"
            in headings)
