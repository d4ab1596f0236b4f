"""Rendered map parts are text: data in them is never run as a Jinja template."""

from __future__ import annotations

import re

import folium
import pytest
from branca.element import MacroElement
from jinja2 import Template

import layers  # noqa: F401 - importing layers applies plain_macros()
from layers.elements import BRANCA_RENDER, render_macros
from layers.organisations import safe_json

pytestmark = pytest.mark.unit


class Records(MacroElement):
    """A layer that carries its data in its script, as OrganisationLayer does."""

    _template = Template("{% macro script(this, kwargs) %}var d = {{ this.data }};"
                         "{% endmacro %}")

    def __init__(self, data):
        super().__init__()
        self.data = safe_json(data)


def _map(name: str) -> folium.Map:
    fmap = folium.Map(tiles=None, location=[42, 25], zoom_start=7)
    Records({"n": name}).add_to(fmap)
    folium.GeoJson({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"label": name},
         "geometry": {"type": "Point", "coordinates": [25, 42]}}]},
                   tooltip=folium.GeoJsonTooltip(fields=["label"])).add_to(fmap)
    return fmap


def _without_ids(text: str) -> str:
    """Element ids are random per map."""
    return re.sub(r"_[0-9a-f]{32}", "_ID", text)


def test_template_code_in_data_stays_text():
    name = "НЧ {{ 7*7 }} {{ cycler.__init__.__globals__.os.getpid() }} {% if 1 %}x{% endif %}"
    html = _map(name).get_root().render()
    assert 'var d = {"n":"НЧ {{ 7*7 }} {{ cycler.__init__.__globals__.os.getpid() }} ' \
           '{% if 1 %}x{% endif %}"};' in html
    assert "НЧ 49" not in html


def test_same_bytes_as_branca_for_plain_data(monkeypatch):
    """Without template code in the data, the output is branca's own, byte for byte."""
    ours = _map("Читалище „Светлина – 1928“ <b>&").get_root().render()
    monkeypatch.setattr(MacroElement, "render", BRANCA_RENDER)
    theirs = _map("Читалище „Светлина – 1928“ <b>&").get_root().render()
    assert _without_ids(ours) == _without_ids(theirs)
    assert MacroElement.render is BRANCA_RENDER
    monkeypatch.undo()
    assert MacroElement.render is render_macros
