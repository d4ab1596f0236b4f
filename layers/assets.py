"""Leaflet served by the app itself (Streamlit static serving), never from a CDN."""

from __future__ import annotations

import folium

STATIC_URL = "/app/static/vendor/leaflet"
LEAFLET_JS = [("leaflet", f"{STATIC_URL}/leaflet.js")]
LEAFLET_CSS = [("leaflet_css", f"{STATIC_URL}/leaflet.css")]


class OfflineMap(folium.Map):
    """A folium Map that loads only Leaflet, from the app (no jQuery, Bootstrap or icons)."""

    default_js = LEAFLET_JS
    default_css = LEAFLET_CSS
