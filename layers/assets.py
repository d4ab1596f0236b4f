"""Leaflet and its clustering plugin served by the app itself (Streamlit static serving).

Both come from the npm registry (the Makefile's vendor rules), never from a CDN; so does
fflate, which `civicmap.js` fetches itself (`/app/static/vendor/fflate/index.js`) only in
a browser without `DecompressionStream`.
"""

from __future__ import annotations

from pathlib import Path

import folium
import rjsmin
from branca.element import MacroElement
from jinja2 import Template

STATIC_URL = "/app/static/vendor/leaflet"
LEAFLET_JS = [("leaflet", f"{STATIC_URL}/leaflet.js")]
LEAFLET_CSS = [("leaflet_css", f"{STATIC_URL}/leaflet.css")]
# leaflet.markercluster: the organisation marks are clustered on a phone at low zoom
CLUSTER_URL = "/app/static/vendor/leaflet.markercluster"
CLUSTER_JS = [("markercluster", f"{CLUSTER_URL}/leaflet.markercluster.js")]
CLUSTER_CSS = [("markercluster_css", f"{CLUSTER_URL}/MarkerCluster.css")]


class OfflineMap(folium.Map):
    """A folium Map that loads only Leaflet, from the app (no jQuery, Bootstrap or icons)."""

    default_js = LEAFLET_JS
    default_css = LEAFLET_CSS


def compact_json() -> None:
    r"""Let folium write non-ASCII text as UTF-8 instead of \uXXXX escapes.

    Bulgarian names are Cyrillic: escaped, each letter costs six bytes instead of two, which
    tripled the map payload. Jinja's `tojson` still escapes <, >, & and ' for safe embedding.
    """
    from folium.template import Environment

    env = folium.GeoJson._template.environment
    assert isinstance(env, Environment)
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}


compact_json()


class MapScript(MacroElement):
    """`civicmap.js` (organisations and settlements drawn from compact records), once per map."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this.script }}
        {% endmacro %}
    """)

    def __init__(self):
        """Read the script next to this module."""
        super().__init__()
        self._name = "MapScript"
        self.script = rjsmin.jsmin((Path(__file__).parent / "civicmap.js").read_text(
            encoding="utf-8"))


class MetricScale(MacroElement):
    """A scale bar in metres and kilometres only (folium's shows miles and feet too)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        (function () {
            // on a phone the attribution spans the width: the scale sits above it
            var css = document.createElement('style');
            css.textContent = '@media (max-width:560px){.leaflet-bottom.leaflet-left'
                + '{bottom:18px}}';
            document.head.appendChild(css);
        })();
        {% endmacro %}
    """)

    def __init__(self):
        """No options: metric, bottom left (above the attribution on a phone)."""
        super().__init__()
        self._name = "MetricScale"
