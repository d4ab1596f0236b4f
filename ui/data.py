"""Cached data for the pages: loaded once per process, shared by every session."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

import store
from civic import settings
from layers.basemap import Tiles


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
    return Tiles(url=settings.tiles_url(), attribution=settings.tiles_attribution())


def _active() -> pd.DataFrame:
    orgs = organisations()
    return orgs[orgs["status"] == "active"]


@st.cache_data(show_spinner=False, max_entries=32)
def settlement_coverage(radius_km: float, kinds: tuple[str, ...], presumed: bool) -> pd.DataFrame:
    """Nationwide coverage of active organisations (borders do not stop people)."""
    from geo.coverage import Options
    from geo.coverage import settlement_coverage as compute

    return compute(settlements(), _active(), Options(radius_km, kinds, presumed))


@st.cache_data(show_spinner=False, max_entries=32)
def municipality_coverage(radius_km: float, kinds: tuple[str, ...], presumed: bool,
                          provinces: tuple[str, ...]) -> pd.DataFrame:
    from geo.coverage import Options
    from geo.coverage import municipality_coverage as compute

    cov = settlement_coverage(radius_km, kinds, presumed)
    return compute(cov, _active(), municipalities(), Options(radius_km, kinds, presumed),
                   list(provinces))


@st.cache_data(show_spinner=False, max_entries=32)
def hubs(provinces: tuple[str, ...], radius_km: float, k: int) -> dict[str, pd.DataFrame]:
    """Existing chitalishta/libraries and new settlement sites as NGO hubs, k of each."""
    from geo.hubs import existing_hubs, new_hubs

    s = settlements()
    s = s[s["province_code"].isin(provinces)]
    orgs = _active()
    orgs = orgs[orgs["province_code"].isin(provinces)]
    existing = existing_hubs(s, orgs, radius_km, k)
    new = new_hubs(s, orgs, radius_km, k)
    return {"existing": existing.sites, "new": new.sites,
            "covered": pd.Series({"existing": existing.newly_covered, "new": new.newly_covered,
                                  "without": existing.uncovered_before})}


@st.cache_resource(show_spinner=False)
def geocoder():
    """The offline geocoder chain, shared by every session (answers cached in the store)."""
    from geo.geocoder import from_tables

    return from_tables(settlements(), municipalities(), provinces(), cache=store.GeocodeCache())


@st.cache_data(show_spinner=False, max_entries=16)
def province_figures(radius_km: float) -> pd.DataFrame:
    """All 28 provinces' figures for one radius (geo.regions)."""
    from geo.regions import province_figures as compute

    munis = municipality_coverage(radius_km, ("ngo", "chitalishte", "library"), True, ())
    cov = settlement_coverage(radius_km, ("ngo", "chitalishte", "library"), True)
    return compute(provinces(), cov, munis, _active(), settlements())


@st.cache_data(show_spinner=False, max_entries=8)
def compass_pdf(province: str, lang: str, radius_km: float) -> bytes:
    """The printable Compass for one province (Chromium print-to-PDF), cached."""
    from reports.compass import compass_data, render_html
    from reports.pdf import html_to_pdf
    from sources.manifest import source_list

    data = compass_data(province, lang, settlements(), municipalities(), provinces(),
                        organisations(), radius_km)
    return html_to_pdf(render_html(data, source_list()))


def ids_within(lon: float, lat: float, radius_km: float) -> list[str] | None:
    """Organisation ids within the radius from the PostGIS index (None on SQLite)."""
    return store.ids_within(lon, lat, radius_km)


def province_labels(lang: str) -> dict[str, str]:
    """Province code → display name ('Кърджали', or 'Кърджали (Kardzhali)' outside bg)."""
    from civic.i18n import place_name

    p = provinces()
    return dict(zip(p["code"], [place_name(n, lt, lang) for n, lt in
                                zip(p["name"], p["name_latin"])]))


def phone() -> bool:
    """True for a phone's browser (its User-Agent says Mobile): maps then frame for ~360 px."""
    try:
        agent = st.context.headers.get("User-Agent", "") or ""
    except Exception:  # no browser behind this run (tests, bare mode)
        return False
    return "Mobi" in agent
