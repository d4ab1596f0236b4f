"""Map page: organisations over boundaries and settlements, filtered in the browser.

How a filter change reaches the map: the map element (base map, every organisation,
municipality outline and settlement of all 28 provinces, `layers.organisations`) depends
only on the language (and the data), so it is byte-identical across filter changes and
Streamlit sends it once, then only a reference to it. The filter travels in a data
attribute of a hidden element the filter panel writes into the page (`data-civic-map-filter`,
a few hundred bytes). The map frame (same origin) watches the app's page for that element
and shows and hides marks in place; a map that loads later reads the element already there
(and frames what it asks for as it is made). A Streamlit component of our own would need a
frontend build, an `st.iframe` per change costs a frame load, and a `feature_group_to_add`
would be part of the map element and resend all of it. The whole country costs about
three times the bytes of the default three provinces (see benchmarks/map.py), once.

Civic actions (`layers.actions`) ride the same way: the upcoming published actions of
every province are part of the cached map element (and of its cache key, with the day),
and their filter (province set, date window, causes, types, shown or not) is a second
hidden element, `data-civic-actions-state`, that `actions.js` applies in place.

Filters run in the browser (`layers.filter_panel`): the panel in the sidebar is one
`st.html` element with its script, and a change of province, municipality, kind, field,
legal form, status, precision, name or any actions filter never reruns this script. The
panel writes the filter into data attributes the map frame watches, the frame shows and
hides marks, municipality outlines, settlements and their labels of the chosen provinces,
frames them and reports the counts back, and the panel keeps the URL in step. This script
reads the URL's filters only for the first view (`f_start`: the panel's initial state and
the counts line the server draws); after that the panel's state, kept in the page across
reruns and language switches, is the one that counts.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from civic.action import now_local
from civic.i18n import directory_month, place_names, translator
from civic.numbers import fmt_int
from civic.vocabularies import LEGAL_FORMS
from geo import filters
from layers.filter_panel import panel_html, panel_spec
from ui import data, map_data
from ui.entry import through_app
from ui.map_element import show_map

through_app()

lang = st.session_state.get("lang", "bg")
_ = translator(lang)
# The map fills the window below the title and counts (taller on a phone, where they wrap).
MAP_HEIGHT_CSS = ("<style>iframe[title='streamlit_folium.st_folium']"
                  "{height:max(360px,calc(100vh - 190px))!important}"
                  "@media (max-width:640px){iframe[title='streamlit_folium.st_folium']"
                  "{height:max(360px,calc(100vh - 270px))!important}}</style>")


provinces = data.provinces()
municipalities = data.municipalities()
province_label = data.province_labels(lang)
muni_label = dict(zip(municipalities["code"], place_names(municipalities, lang)))
legal_forms = sorted(set(LEGAL_FORMS.values()))

if "f_start" not in st.session_state:
    known = {"provinces": set(provinces["code"]), "municipalities": set(municipalities["code"]),
             "legal_forms": set(legal_forms)}
    st.session_state["f_start"] = filters.from_query(dict(st.query_params), known)
# The URL's filters are the widgets' defaults, not values written into session state: a
# widget whose value was set from code is sent again in full on the next run, while an
# unchanged one goes as a short reference (see .streamlit/config.toml).
start: filters.Filters = st.session_state["f_start"]


def keep_url() -> None:
    """The server keeps only the language in the URL; the panel writes the filters."""
    for key in [k for k in st.query_params if k != "lang"]:
        del st.query_params[key]


def published_any() -> bool:
    """Whether any action is published at all (else the sidebar says how to start)."""
    stored = data.actions()
    return bool(len(stored) and (stored["status"] == "published").any())


with st.sidebar:
    st.header(_("Filters"))
keep_url()
# what the page opened with (the URL); the panel keeps later choices in the browser
current = replace(start, municipalities=tuple(
    m for m in start.municipalities if m[:3] in start.provinces))
base, key, action_layer = map_data.cached_map(
    lang, data.tiles(), data.organisations_version(), data.actions(),
    now_local().date().isoformat())
province_options = sorted(province_label.items(), key=lambda pair: pair[1])
muni_options = sorted(muni_label.items(), key=lambda pair: pair[1])
spec = panel_spec(current, lang, key, province_options, muni_options, legal_forms,
                  map_data.bounds(), action_layer)
with st.sidebar:
    st.html(panel_html(spec), unsafe_allow_javascript=True)
    if not published_any():
        st.caption(_("No actions have been published yet — propose the first on the "
                     "Actions page") + f" → [{_('Actions')}](/actions?lang={lang})")

st.subheader(_("Civil sector map"))
st.html(map_data.counts_html(current, lang, data.organisations_version()))
st.html(MAP_HEIGHT_CSS)
# the cached map is rendered once; every run sends the same script, so the element stays
show_map(base, "map", 560)
st.caption(_("Rings are settlement centres, a number is how many organisations share the "
             "place (click it for the list); chitalishta libraries are presumed from the "
             "Chitalishta Act. Sources: chitalishta register, civic directory "
             "({month}), NSI.").format(month=directory_month(lang)))
st.caption(_("Known NGOs are those in the civic directory, imported or proposed and approved: "
             "{n} in all, not the national register.").format(n=fmt_int(data.known_ngos(), lang)))
