"""The library page's catchment map, built once per library site and view for every session.

Drawing the catchments (Voronoi cells dissolved by library site) was half a second of every
visit to a library's page; here it is made once per site, provinces, radius, language and
state of the organisations, and sent as a prepared map (`ui.map_element.show_map`).
"""

from __future__ import annotations

import folium
import pandas as pd
import streamlit as st

from layers.basemap import province_map
from layers.catchments import catchment_layer
from ui import data


@st.cache_resource(show_spinner=False, max_entries=64)
def catchment_map(site_id: str, lat: float, lon: float, reach: tuple[str, ...],
                  radius_km: float, lang: str, tiles, version: int,
                  _table: pd.DataFrame) -> folium.Map:
    """The catchments of the `reach` provinces, the library at (lat, lon) marked.

    `_table` (`data.catchments(reach, radius_km)`) follows from the other arguments.
    """
    provinces = data.provinces()
    chosen = provinces[provinces["code"].isin(reach)]
    fmap = province_map(provinces, list(reach), lang, tiles)
    orgs = data.organisations()
    catchment_layer(data.settlements(), orgs[orgs["status"] == "active"], _table, lang,
                    list(reach), chosen.geometry.union_all()).add_to(fmap)
    folium.CircleMarker([lat, lon], radius=8, color="#222222", weight=3, fill=True,
                        fill_color="#7570b3", fill_opacity=1).add_to(fmap)
    return fmap
