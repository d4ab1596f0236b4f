"""The nearby map: province outlines, the search point, the radius circle and the results.

The organisations found get the same popups as on the Map page.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from civic.i18n import place_name
from civic.numbers import fmt_km
from layers.assets import MapScript, OfflineMap
from layers.basemap import (
    FallbackTiles,
    Geography,
    Tiles,
    boundary_geojson,
    box_around,
    local_basemap,
    zoom_for,
)
from layers.organisations import (
    OrganisationLayer,
    map_records,
    map_words,
    record_order,
    visible_runs,
)
from layers.safe import html_text, tooltip
from layers.style import KIND_COLOURS

BULGARIA_CENTRE = (25.4, 42.7)


def province_outlines(provinces: gpd.GeoDataFrame, lang: str) -> dict:
    """The provinces' simplified boundaries as GeoJSON, each labelled in `lang`.

    The same for every search: a page computes it once (simplifying is most of a map's
    cost) and hands it over in `Geography.outlines`.
    """
    labelled = provinces.assign(label=[html_text(place_name(n, lt, lang)) for n, lt in
                                       zip(provinces["name"], provinces["name_latin"])])
    return boundary_geojson(labelled, ["code", "label"])


def _outlines(fmap: folium.Map, outlines: dict) -> None:
    """Province boundaries, so the map orients without tiles and 'tap the map' works."""
    folium.GeoJson(
        outlines,
        # no fill: a tap inside a province reaches the map (and sets the search point)
        style_function=lambda f: {"color": "#333333", "weight": 1.5, "fill": False},
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
    ).add_to(fmap)


def nearby_map(lon: float | None, lat: float | None, radius_km: float, results: pd.DataFrame,
               tiles: Tiles, provinces: gpd.GeoDataFrame | Geography | None = None,
               lang: str = "bg", names: dict | None = None) -> folium.Map:
    """A small map framed on the radius around the point (all Bulgaria without a point).

    With `provinces` it draws their outlines; given a `Geography` (provinces, settlements,
    municipalities), also a basemap of named places and municipality lines around the
    point; with `names` (municipality names for the popups) the results get the Map
    page's popups, else plain escaped tooltips.
    """
    if lon is None:
        fmap = OfflineMap(location=[BULGARIA_CENTRE[1], BULGARIA_CENTRE[0]], zoom_start=6,
                          tiles=None, prefer_canvas=True)
    else:
        dlat = radius_km / 111.0
        dlon = radius_km / (111.0 * 0.74)
        bounds = (lon - dlon, lat - dlat, lon + dlon, lat + dlat)
        fmap = OfflineMap(location=[lat, lon], zoom_start=zoom_for(bounds, 360, 300),
                          tiles=None, prefer_canvas=True)
    geography = provinces if isinstance(provinces, Geography) else Geography(provinces)
    provinces = geography.provinces
    if geography.settlements is not None or (names is not None and len(results)) or tiles.url:
        MapScript().add_to(fmap)
    if tiles.url:
        FallbackTiles(tiles).add_to(fmap)
    if geography.outlines is not None:
        _outlines(fmap, geography.outlines)
    elif provinces is not None:
        _outlines(fmap, province_outlines(provinces, lang))
    if geography.settlements is not None:
        box = None if lon is None else box_around(lon, lat, max(2 * radius_km, 15.0))
        local_basemap(fmap, geography.settlements, geography.municipalities, lang, box,
                      provinces)
    if lon is None:
        return fmap
    folium.Circle([lat, lon], radius=radius_km * 1000, color="#2166ac", weight=2,
                  fill=True, fill_opacity=0.05).add_to(fmap)
    folium.CircleMarker([lat, lon], radius=7, color="#ffffff", weight=3, fill=True,
                        fill_color="#2166ac", fill_opacity=1).add_to(fmap)
    if names is not None and len(results):
        ordered = record_order(results)
        # a search's few results each stay a mark of their own, on a phone too
        OrganisationLayer(map_records(ordered, lang, names), map_words(lang),
                          visible_runs(ordered["id"], ordered["id"]),
                          cluster_below_zoom=None).add_to(fmap)
        return fmap
    for rank, rec in enumerate(results.itertuples(), start=1):
        colour = KIND_COLOURS.get(rec.kind, "#555555")
        folium.CircleMarker(
            [rec.lat, rec.lon], radius=7, color=colour, weight=2, fill=True,
            fill_color=colour, fill_opacity=0.8,
            tooltip=tooltip(f"{rank}. {rec.name} — {fmt_km(rec.distance_km, lang)}"),
        ).add_to(fmap)
    return fmap
