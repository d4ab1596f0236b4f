"""The Map page's map element, bounds and counts line, once per parameters for every session.

The map element holds every province (organisations, actions, municipality outlines,
settlements); the province set is chosen in the browser, like every other Map filter
(`layers.filter_panel`), so nothing here depends on it but the counts line of a first view.

Cached functions live in a module, not in the page: a page script defines its functions
anew on every run, and Streamlit then reads and hashes each cached function's source
again (a tenth of a rerun under load).
"""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from civic.numbers import fmt_int
from geo import filters
from layers.actions import ActionLayer, Hosts, action_records, action_words
from layers.basemap import base_map, settlement_points
from layers.organisations import (
    OrganisationLayer,
    layer_titles,
    map_records,
    map_words,
    record_order,
    visible_runs,
)
from ui import data


@st.cache_resource(show_spinner=False, max_entries=6)
def cached_map(lang: str, tiles, version: int, actions: pd.DataFrame, today: str):
    """The map element's map for one language (every province), its key and actions layer.

    `version` (`data.organisations_version`: moves on an approved proposal or an import)
    and `actions` (the stored actions) are part of the cache key, so either shows on the
    map; `today` too, so the upcoming actions are those of the day. The organisations
    themselves are not hashed: that cost more than the rest of a rerun. The last item is
    the actions layer's (key, base day), or None when none is upcoming. Before the panel's
    filter reaches the map it shows the default view (`filters.Filters()`).
    """
    everywhere = sorted(data.provinces()["code"])
    orgs = record_order(data.organisations())
    drawn = list(settlement_points(data.settlements(), everywhere)["ekatte"])
    records = action_records(actions, lang, Hosts.of(data.organisations(), orgs), drawn)
    fmap, control = base_map(data.provinces(), data.municipalities(), data.settlements(),
                             everywhere, lang, tiles, actions=bool(records["n"]),
                             by_province=True)
    default = filters.apply(orgs, filters.Filters())
    layer = OrganisationLayer(map_records(orgs, lang, data.municipality_names(), drawn),
                              map_words(lang), visible_runs(orgs["id"], default["id"]), control)
    layer.add_to(fmap)
    if not records["n"]:
        return fmap, layer.key, None
    acts = ActionLayer(records, action_words(lang), control)
    acts.add_to(fmap)
    return fmap, layer.key, (acts.key, records["base"])


@st.cache_resource(show_spinner=False)
def bounds() -> dict:
    """What the panel frames: each province's and municipality's box, and the country's.

    The panel fits the union of the chosen municipalities, else of the chosen provinces,
    else the country. Once for every session (the outlines do not change while serving).
    """
    def box(values) -> list[float]:
        return [round(float(v), 4) for v in values]

    provinces, municipalities = data.provinces(), data.municipalities()
    return {"country": box(provinces.total_bounds),
            "provinces": {c: box(g.bounds) for c, g in zip(provinces["code"],
                                                           provinces.geometry)},
            "municipalities": {c: box(g.bounds) for c, g in zip(municipalities["code"],
                                                               municipalities.geometry)}}


@st.cache_resource(show_spinner=False, max_entries=256)
def counts_html(current: filters.Filters, lang: str, version: int) -> str:
    """The counts line (per kind, the panel updates it) and the no-match line (hidden).

    One per filter set, language and `version` of the organisations, for every session.
    """
    titles = layer_titles(lang)
    shown = filters.counts(filters.apply(data.organisations(), current))
    parts = " · ".join(f'{html.escape(titles[k])} <b data-kind="{k}">{fmt_int(n, lang)}</b>'
                       for k, n in shown.items())
    return (f'<p class="civic-counts" style="margin:0 0 .5rem">{parts}</p>'
            '<p class="civic-nomatch" hidden style="background:#fffce7;color:#926c05;'
            'padding:.75rem 1rem;border-radius:.5rem"></p>')
