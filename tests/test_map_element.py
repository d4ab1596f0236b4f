"""The map sent once-rendered is what `st_folium` itself would send for the same map."""

from __future__ import annotations

import copy

import branca.colormap
import folium
import pytest
import streamlit_folium as sf

from ui import map_element


def _small_map() -> folium.Map:
    fmap = folium.Map(location=[43.2, 23.5], zoom_start=9, tiles=None)
    folium.GeoJson({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Враца <b>"},
         "geometry": {"type": "Point", "coordinates": [23.55, 43.21]}}]},
                   tooltip=folium.GeoJsonTooltip(["name"])).add_to(fmap)
    folium.CircleMarker([43.3, 23.6], radius=5, popup="Мездра").add_to(fmap)
    branca.colormap.LinearColormap(["white", "red"], vmin=0, vmax=1).add_to(fmap)
    return fmap


@pytest.fixture
def sent(monkeypatch):
    """What streamlit-folium hands its component for a call, instead of rendering it."""
    calls: list[dict] = []
    monkeypatch.setattr(sf, "_component_func", lambda **kw: calls.append(kw) or kw["default"])
    return calls


def test_prepared_parts_match_st_folium(sent):
    base = _small_map()
    sf.st_folium(copy.deepcopy(base), key="m", height=300, returned_objects=[])
    theirs = sent[-1]
    ours = map_element.prepare(copy.deepcopy(base))
    assert ours.script == theirs["script"]
    assert ours.header == theirs["header"]
    assert ours.html == theirs["html"]
    assert ours.id == theirs["id"]
    assert list(ours.css_links) == theirs["css_links"]
    assert list(ours.js_links) == theirs["js_links"]
    assert "d3.v4.min.js" in ours.js_links[0]


def test_show_map_renders_once_and_sends_the_same_element_every_run(sent, monkeypatch):
    base = _small_map()
    rendered = []
    real = map_element.prepare
    monkeypatch.setattr(map_element, "prepare", lambda m: rendered.append(m) or real(m))
    first = map_element.show_map(base, "nearby_map", 320, ["last_clicked"])
    map_element.show_map(base, "nearby_map", 320, ["last_clicked"])
    assert first == {"last_clicked": None}
    assert sent[0]["key"] == sent[1]["key"] and sent[0]["script"] == sent[1]["script"]
    assert sent[0]["returned_objects"] == ["last_clicked"]
    sf.st_folium(copy.deepcopy(base), key="nearby_map", height=320,
                 returned_objects=["last_clicked"])
    assert sent[2]["key"] == sent[0]["key"]  # same hash: the browser keeps its element
    assert len(rendered) == 1 and rendered[0] is not base


def test_show_map_refuses_what_it_does_not_return():
    with pytest.raises(ValueError, match="bounds"):
        map_element.show_map(_small_map(), "m", 300, ["bounds"])
