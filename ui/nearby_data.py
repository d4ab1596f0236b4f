"""The Nearby page's searches and maps, computed once per parameters for every session.

Cached functions live in a module, not in the page: a page script defines its functions
anew on every run, and Streamlit then reads and hashes each cached function's source
again (a tenth of a rerun under load).
"""

from __future__ import annotations

import streamlit as st

from geo.nearby import nearby, select
from layers.nearby import nearby_map
from ui import data


@st.cache_resource(show_spinner=False, max_entries=256)
def search(lon: float, lat: float, radius: int, kind: str | None, fields: tuple[str, ...],
           version: int):
    """The organisations near a point, shared by every session that asks the same.

    A search is asked again on every rerun of the page (a slider, a tap); `version` moves
    when the organisations change. The frames returned are read, never changed.
    """
    orgs = select(data.organisations(), kind, None)
    if fields:
        wanted = set(fields)
        orgs = orgs[orgs["fields"].fillna("").map(lambda v: bool(wanted & set(v.split(";"))))]
    return nearby(orgs, lon, lat, radius, candidates=data.ids_within(lon, lat, radius))


@st.cache_resource(show_spinner=False, max_entries=64)
def small_map(lon: float | None, lat: float | None, radius: int, kind: str | None,
              fields: tuple[str, ...], lang: str, tiles, version: int, _shown):
    """The small map for one search, shared by every session that makes the same one.

    What it shows (`_shown`) follows from the other arguments, so it is not hashed; a
    school class searching the same village draws it once.
    """
    return nearby_map(lon, lat, radius, _shown, tiles, provinces=data.geography(lang),
                      lang=lang, names=data.municipality_names())
