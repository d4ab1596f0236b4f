"""Cached data for the pages: loaded once per process, shared by every session."""

from __future__ import annotations

import os

import geopandas as gpd
import pandas as pd
import streamlit as st

from civic import store
from layers.basemap import DEFAULT_ATTRIBUTION, DEFAULT_TILES, Tiles


@st.cache_data(show_spinner=False)
def organisations() -> pd.DataFrame:
    return store.load_organisations()


@st.cache_resource(show_spinner=False)
def settlements() -> gpd.GeoDataFrame:
    return store.load_settlements()


@st.cache_resource(show_spinner=False)
def municipalities() -> gpd.GeoDataFrame:
    return store.load_municipalities()


@st.cache_resource(show_spinner=False)
def provinces() -> gpd.GeoDataFrame:
    return store.load_provinces()


@st.cache_data(show_spinner=False)
def municipality_names() -> dict[str, dict[str, str]]:
    m = municipalities()
    return {"municipality": dict(zip(m["code"], m["name"])),
            "municipality_latin": dict(zip(m["code"], m["name_latin"]))}


def tiles() -> Tiles:
    """Tile URL and attribution from `CIVICMAP_TILES_URL` / `CIVICMAP_TILES_ATTRIBUTION`;
    `CIVICMAP_TILES_URL=none` draws boundaries only."""
    url = os.environ.get("CIVICMAP_TILES_URL", DEFAULT_TILES).strip()
    attribution = os.environ.get("CIVICMAP_TILES_ATTRIBUTION", DEFAULT_ATTRIBUTION)
    return Tiles(url=None if url.lower() in ("", "none") else url, attribution=attribution)
