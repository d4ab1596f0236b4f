"""The nearby map: the search point, the radius circle and the organisations found."""

from __future__ import annotations

import folium
import pandas as pd

from layers.assets import OfflineMap
from layers.basemap import Tiles, zoom_for
from layers.safe import tooltip
from layers.style import KIND_COLOURS


def nearby_map(lon: float | None, lat: float | None, radius_km: float, results: pd.DataFrame,
               tiles: Tiles, centre: tuple[float, float] = (25.4, 42.7)) -> folium.Map:
    """A small map framed on the radius around the point (all Bulgaria without a point)."""
    if lon is None:
        fmap = OfflineMap(location=[centre[1], centre[0]], zoom_start=6, tiles=None,
                          prefer_canvas=True)
    else:
        dlat = radius_km / 111.0
        dlon = radius_km / (111.0 * 0.74)
        bounds = (lon - dlon, lat - dlat, lon + dlon, lat + dlat)
        fmap = OfflineMap(location=[lat, lon], zoom_start=zoom_for(bounds, 360, 300),
                          tiles=None, prefer_canvas=True)
    if tiles.url:
        folium.TileLayer(tiles.url, attr=tiles.attribution, max_zoom=18).add_to(fmap)
    if lon is None:
        return fmap
    folium.Circle([lat, lon], radius=radius_km * 1000, color="#2166ac", weight=2,
                  fill=True, fill_opacity=0.05).add_to(fmap)
    folium.CircleMarker([lat, lon], radius=7, color="#ffffff", weight=3, fill=True,
                        fill_color="#2166ac", fill_opacity=1).add_to(fmap)
    for rank, rec in enumerate(results.itertuples(), start=1):
        colour = KIND_COLOURS.get(rec.kind, "#555555")
        folium.CircleMarker(
            [rec.lat, rec.lon], radius=7, color=colour, weight=2, fill=True,
            fill_color=colour, fill_opacity=0.8,
            tooltip=tooltip(f"{rank}. {rec.name} — {rec.distance_km:.1f} km"),
        ).add_to(fmap)
    return fmap
