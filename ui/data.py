"""Cached data for the pages: loaded once per process, shared by every session.

The organisations and the active ones are one shared frame each (`st.cache_resource`), not
a copy per call (`st.cache_data` unpickles its value on every read: 15 ms for the
organisations, several times a run). So are the coverage frames per radius (a radius change
on Coverage or Regions read the nationwide frame back from a pickle). Callers filter and
assign into new frames and never change these in place.

Several app processes may share one store (replicas behind a proxy): each checks the
store's change stamp at most every few seconds and forgets what another one changed.
"""

from __future__ import annotations

import functools

import geopandas as gpd
import pandas as pd
import streamlit as st

import store
from civic import settings
from layers.basemap import Geography, Tiles

STAMP_SECONDS = 5  # how long another process's approval or import may go unseen here
_seen_stamp: list[int | None] = [None]
_generation = [0]  # moves whenever the organisations are forgotten (`organisations_version`)


@st.cache_data(show_spinner=False, ttl=STAMP_SECONDS)
def _store_stamp() -> int:
    """The newest audit entry that changed organisations or profiles.

    Proposals, rejections and civic actions leave the organisation caches alone.
    """
    from store.audit import organisations_stamp

    return organisations_stamp()


def _follow_store() -> None:
    """Forget the organisations and all computed from them when the store's stamp moved.

    Catches approvals and imports made by other processes on the same store.
    """
    try:
        stamp = _store_stamp()
    except Exception:  # a missing or broken store: the cached call itself says so
        return
    if _seen_stamp[0] is not None and stamp != _seen_stamp[0]:
        organisations_changed()
    _seen_stamp[0] = stamp


def _fresh(cached):
    """A cached function that first follows the store's changes (`_follow_store`)."""
    @functools.wraps(cached)
    def call(*args, **kwargs):
        _follow_store()
        return cached(*args, **kwargs)

    call.clear = cached.clear
    return call


@_fresh
@st.cache_resource(show_spinner=False)
def organisations() -> pd.DataFrame:
    """Every organisation in the store, with its profile where it has one.

    A profile: what a library offers, an NGO's hub and needs. Cached until an approval or
    an import, here or in another process.
    """
    from store.profiles import load_profiles

    return with_profiles(store.load_organisations(), load_profiles())


PROFILE_COLUMNS = ("seats", "computers", "internet", "exhibition_space", "step_free",
                   "opening_hours", "hub_id", "needs")


def with_profiles(orgs: pd.DataFrame, profiles: pd.DataFrame) -> pd.DataFrame:
    """Organisations with the profile columns joined by id (missing = unknown)."""
    keep = [c for c in PROFILE_COLUMNS if c in profiles.columns]
    out = orgs.join(profiles[keep], on="id") if len(profiles) else orgs.copy()
    for column in PROFILE_COLUMNS:
        if column not in out:
            out[column] = None
    return out


def organisations_changed() -> None:
    """After an approval or an import: forget the organisations and all computed from them.

    That is coverage, hub suggestions, regions and the Compass, in this process.
    """
    for cached in (organisations, settlement_coverage, municipality_coverage, hubs,
                   province_figures, compass_pdf, catchments, catchment_of_settlements,
                   library_sites, _active):
        cached.clear()
    _generation[0] += 1
    _store_stamp.clear()
    _seen_stamp[0] = None  # the next check takes the new stamp without clearing again


@st.cache_data(show_spinner=False, ttl=60)
def actions() -> pd.DataFrame:
    """Every stored civic action (published, cancelled, past), soonest first.

    Cached for a minute at most, so an approval made by another app process (a replica on
    the same store) shows without a restart; `actions_changed` clears it at once here.
    """
    from store.actions import load_actions

    return load_actions()


def actions_changed() -> None:
    """After an action is published, changed, cancelled or joined: forget what used them."""
    actions.clear()
    compass_pdf.clear()


@st.cache_resource(show_spinner=False)
def settlements() -> gpd.GeoDataFrame:
    """Settlements from the build."""
    return store.load_settlements()


@st.cache_resource(show_spinner=False)
def municipalities() -> gpd.GeoDataFrame:
    """Municipalities from the build."""
    return store.load_municipalities()


@st.cache_resource(show_spinner=False)
def provinces() -> gpd.GeoDataFrame:
    """Provinces from the build."""
    return store.load_provinces()


@st.cache_data(show_spinner=False)
def municipality_names() -> dict[str, dict[str, str]]:
    """Municipality code → name: Cyrillic, Latin and Turkish (where known)."""
    m = municipalities()
    return {"municipality": dict(zip(m["code"], m["name"])),
            "municipality_latin": dict(zip(m["code"], m["name_latin"])),
            "municipality_tr": dict(zip(m["code"], m["name_tr"])) if "name_tr" in m else {}}


@st.cache_resource(show_spinner=False)
def geography(lang: str) -> Geography:
    """The basemap of the small maps (Nearby, the Data page's placement) in `lang`.

    The province outlines are simplified once per process, not on every search.
    """
    from layers.nearby import province_outlines

    return Geography(provinces(), settlements(), municipalities(),
                     province_outlines(provinces(), lang))


def tiles() -> Tiles:
    """Tile URL and attribution from `CIVICMAP_TILES_URL` / `CIVICMAP_TILES_ATTRIBUTION`.

    `CIVICMAP_TILES_URL=none` draws boundaries only.
    """
    return Tiles(url=settings.tiles_url(), attribution=settings.tiles_attribution())


def organisations_version() -> int:
    """A number that changes whenever `organisations` may have.

    A cheap cache key for what is drawn from them: hashing the frame itself costs more
    than most reruns.
    """
    organisations()  # follows the store first
    return _generation[0]


@_fresh
@st.cache_resource(show_spinner=False)
def _active() -> pd.DataFrame:
    """The active organisations (one shared frame, as `organisations`)."""
    orgs = organisations()
    return orgs[orgs["status"] == "active"]


@_fresh
@st.cache_resource(show_spinner=False, max_entries=32)
def settlement_coverage(radius_km: float, presumed: bool) -> pd.DataFrame:
    """Nationwide per-kind coverage of active organisations (borders do not stop people).

    `presumed`: presumed chitalishte libraries count as libraries.
    """
    from geo.coverage import Options
    from geo.coverage import settlement_coverage as compute

    return compute(settlements(), _active(),
                   Options(radius_km=radius_km, include_presumed_libraries=presumed))


@_fresh
@st.cache_resource(show_spinner=False, max_entries=32)
def municipality_coverage(radius_km: float, presumed: bool, provinces: tuple[str, ...],
                          focus: str = "ngo") -> pd.DataFrame:
    """Every municipality's per-kind figures; plain columns and ranks for `focus`."""
    from geo.coverage import Options
    from geo.coverage import municipality_coverage as compute

    cov = settlement_coverage(radius_km, presumed)
    return compute(cov, _active(), municipalities(),
                   Options(radius_km=radius_km, include_presumed_libraries=presumed),
                   list(provinces), focus)


@_fresh
@st.cache_data(show_spinner=False, max_entries=32)
def hubs(ekattes: tuple[str, ...], radius_km: float, k: int, kind: str = "ngo") -> dict:
    """K existing chitalishta/libraries and k new sites inside the chosen settlements.

    Hubs for `kind`; {"error": PlanError} when the area is too large.
    """
    from civic.errors import PlanError
    from geo.hubs import existing_hubs, new_hubs

    s = settlements()
    s = s[s["ekatte"].isin(ekattes)]
    orgs = _active()
    radius = max(radius_km, 1.0)
    try:
        existing = existing_hubs(s, orgs, radius, k, kind)
        new = new_hubs(s, orgs, radius, k, kind)
    except PlanError as exc:
        return {"error": exc}
    return {"existing": existing.sites, "new": new.sites, "radius_km": radius,
            "covered": {"existing": existing.newly_covered, "new": new.newly_covered,
                        "without": existing.uncovered_before}}


@_fresh
@st.cache_data(show_spinner=False, max_entries=16)
def catchments(provinces: tuple[str, ...], radius_km: float) -> pd.DataFrame:
    """Each library's catchment in the provinces (`geo.catchments.catchment_table`)."""
    from geo.catchments import catchment_table

    return catchment_table(settlements(), _active(), radius_km, provinces=list(provinces))


@_fresh
@st.cache_data(show_spinner=False, max_entries=2)
def library_sites() -> pd.DataFrame:
    """Every library site, one per point (`geo.catchments.library_sites`)."""
    from geo.catchments import library_sites as sites

    return sites(_active())


@_fresh
@st.cache_data(show_spinner=False, max_entries=2)
def catchment_of_settlements() -> pd.DataFrame:
    """Every settlement's library site (`geo.catchments.assign`), nationwide."""
    from geo.catchments import assign

    return assign(settlements(), library_sites())


def known_ngos() -> int:
    """Active NGOs the store knows (directory, imports and approved proposals)."""
    orgs = _active()
    return int((orgs["kind"] == "ngo").sum())


@st.cache_resource(show_spinner=False)
def geocoder():
    """The offline geocoder chain, shared by every session (answers cached in the store)."""
    from geo.geocoder import from_tables

    return from_tables(settlements(), municipalities(), provinces(), cache=store.GeocodeCache())


@_fresh
@st.cache_data(show_spinner=False, max_entries=16)
def province_figures(radius_km: float, presumed: bool = False) -> pd.DataFrame:
    """All 28 provinces' per-kind figures for one radius (geo.regions)."""
    from geo.coverage import Options
    from geo.regions import province_figures as compute

    cov = settlement_coverage(radius_km, presumed)
    return compute(provinces(), cov, _active(), settlements(),
                   Options(radius_km=radius_km, include_presumed_libraries=presumed))


@_fresh
@st.cache_data(show_spinner=False, max_entries=8)
def compass_pdf(codes: tuple[str, ...], lang: str, radius_km: float) -> bytes:
    """The printable Compass for one province or several side by side, cached."""
    from reports.compass import compass_data, render_html, source_rows
    from reports.pdf import html_to_pdf

    data = compass_data(list(codes), lang, settlements(), municipalities(), provinces(),
                        organisations(), radius_km, actions())
    return html_to_pdf(render_html(data, source_rows()))


def ids_within(lon: float, lat: float, radius_km: float) -> list[str] | None:
    """Organisation ids within the radius from the PostGIS index (None on SQLite)."""
    return store.ids_within(lon, lat, radius_km)


@st.cache_resource(show_spinner=False, max_entries=3)
def settlement_labels(lang: str) -> dict[str, str]:
    """EKATTE → display name in `lang` ('Кърджали (Kırcaali)' in Turkish), every settlement."""
    from civic.i18n import place_names

    s = settlements()
    return dict(zip(s["ekatte"], place_names(s, lang)))


def province_labels(lang: str) -> dict[str, str]:
    """Province code → display name ('Кърджали', or 'Кърджали (Kardzhali)' outside bg)."""
    from civic.i18n import place_names

    p = provinces()
    return dict(zip(p["code"], place_names(p, lang)))


def client_address() -> str:
    """The key of the server-side limits (proposals, logins, joins): the client's address.

    Streamlit reports None on localhost, so all local visitors share the key "local".
    Behind a reverse proxy (`CIVICMAP_TRUST_PROXY=on`) it is the address the proxy saw.
    """
    try:
        if settings.trust_proxy():
            forwarded = forwarded_address(st.context.headers.get_all("X-Forwarded-For"))
            if forwarded:
                return forwarded
        return st.context.ip_address or "local"
    except Exception:  # no browser behind this run (tests, bare mode)
        return "local"


def forwarded_address(values: list[str]) -> str | None:
    """The last address of X-Forwarded-For, the one our proxy appended ("local" on loopback).

    Earlier entries are whatever the client claimed, so they are ignored.
    """
    parts = [p.strip() for value in values for p in value.split(",") if p.strip()]
    if not parts:
        return None
    return "local" if parts[-1] in {"127.0.0.1", "::1"} else parts[-1]


def phone() -> bool:
    """True for a phone's browser (its User-Agent says Mobile): maps then frame for ~360 px."""
    try:
        agent = st.context.headers.get("User-Agent", "") or ""
    except Exception:  # no browser behind this run (tests, bare mode)
        return False
    return "Mobi" in agent
