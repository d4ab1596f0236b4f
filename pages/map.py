"""Map page: organisations over boundaries and settlements, filtered in the browser.

How a filter change reaches the map: the map element (base map and every organisation
of the chosen provinces, `layers.organisations`) depends only on the province set and the
language, so it is byte-identical across filter changes and Streamlit sends it once, then
only a reference to it. The filter result travels in a second, tiny element
(`st.iframe` of a script, a few hundred bytes): the visible records as index runs and the
bounds to frame, in a data attribute of a hidden `st.html` element (no script: st.html
sanitises, and data attributes survive). The map frame (same origin) watches the app's
page for that element and shows and hides marks in place; a map that loads later reads
the element already there. A Streamlit component of our own would need a frontend build,
an `st.iframe` per change costs a frame load, and a `feature_group_to_add` would be part of
the map element and resend all of it.

Civic actions (`layers.actions`) ride the same way: the upcoming published actions of the
chosen provinces are part of the cached map element (and of its cache key, with the day),
and their filter (date window, causes, types, shown or not) is a second hidden element,
`data-civic-actions-state`, that `actions.js` applies in place.

A filter change reruns only the filters' fragment (`filter_panel`: the sidebar, the counts
and the two hidden elements), never the page: the map element is neither rebuilt nor
re-rendered, and the server's work per change is the filter itself. Only a change of the
province set, which needs another map element, reruns the page.
"""

from __future__ import annotations

import copy
import html

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from civic.action import WINDOWS, now_local
from civic.i18n import directory_month, place_names, term, translator
from civic.numbers import fmt_int
from civic.vocabularies import (
    ACTION_TYPES,
    CAUSES,
    FIELDS,
    KINDS,
    LEGAL_FORMS,
    PRECISIONS,
    STATUSES,
)
from geo import filters
from layers.actions import ActionLayer, Hosts, action_filter, action_records, action_words, shown
from layers.basemap import base_map, settlement_points
from layers.organisations import (
    OrganisationLayer,
    layer_titles,
    map_records,
    map_words,
    record_order,
    safe_json,
    visible_runs,
)
from ui import data
from ui.entry import through_app
from ui.markdown import md_escape

through_app()

lang = st.session_state.get("lang", "bg")
_ = translator(lang)
# The map fills the window below the title and counts (taller on a phone, where they wrap).
MAP_HEIGHT_CSS = ("<style>iframe[title='streamlit_folium.st_folium']"
                  "{height:max(360px,calc(100vh - 190px))!important}"
                  "@media (max-width:640px){iframe[title='streamlit_folium.st_folium']"
                  "{height:max(360px,calc(100vh - 270px))!important}}</style>")


def label(code: str) -> str:
    """A stored code as words in the page's language."""
    return term(code, lang)


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


def current_filters() -> filters.Filters:
    """The filters the widgets hold, read before they are drawn (their defaults: the URL).

    The map's state goes out first, so the map changes before the widgets are redrawn.
    """
    def held(name: str, default):
        return st.session_state.get(f"f_{name}", default)

    chosen = tuple(held("provinces", start.provinces))
    return filters.Filters(
        **{name: tuple(held(name, getattr(start, name))) for name in filters.LIST_PARAMS
           if name not in ("provinces", "municipalities")},
        provinces=chosen,
        municipalities=tuple(m for m in held("municipalities", start.municipalities)
                             if m[:3] in chosen),
        name=held("name", start.name),
        presumed_libraries=held("presumed", start.presumed_libraries),
        show_actions=held("show_actions", start.show_actions),
        action_when=held("action_when", start.action_when),
        action_causes=tuple(held("action_causes", start.action_causes)),
        action_types=tuple(held("action_types", start.action_types)),
    )


def sidebar_filters() -> None:
    """The filter widgets; their defaults come from the URL."""
    st.header(_("Filters"))
    chosen = st.multiselect(_("Province"), sorted(province_label, key=province_label.get),
                            key="f_provinces", format_func=province_label.get,
                            default=list(start.provinces), placeholder=_("Choose…"))
    muni_options = sorted((c for c in muni_label if c[:3] in chosen), key=muni_label.get)
    kept = [m for m in st.session_state.get("f_municipalities", start.municipalities)
            if m in muni_options]
    if "f_municipalities" in st.session_state and kept != st.session_state["f_municipalities"]:
        st.session_state["f_municipalities"] = kept  # a province was removed
    st.multiselect(_("Municipality"), muni_options, key="f_municipalities",
                   format_func=muni_label.get, placeholder=_("All municipalities"),
                   default=[m for m in start.municipalities if m in muni_options])
    st.multiselect(_("Kind"), KINDS, key="f_kinds", format_func=label,
                   default=list(start.kinds), placeholder=_("Choose…"))
    st.toggle(_("Chitalishte libraries (presumed)"), key="f_presumed",
              value=start.presumed_libraries)
    st.multiselect(_("Field of activity"), FIELDS, key="f_fields", format_func=label,
                   placeholder=_("Any field"), default=list(start.fields))
    st.multiselect(_("Legal form"), legal_forms, key="f_legal_forms", format_func=label,
                   placeholder=_("Any legal form"), default=list(start.legal_forms))
    st.multiselect(_("Status"), STATUSES, key="f_statuses", format_func=label,
                   default=list(start.statuses), placeholder=_("Choose…"))
    st.multiselect(_("Location precision"), PRECISIONS, key="f_precisions", format_func=label,
                   default=list(start.precisions), placeholder=_("Choose…"))
    st.text_input(_("Name contains"), key="f_name", max_chars=100,
                  placeholder=_("Cyrillic or Latin"), value=start.name)
    st.subheader(_("Actions"))
    st.toggle(_("Show actions"), key="f_show_actions", value=start.show_actions)
    window_labels = {"upcoming": _("Upcoming (12 months)"), "week": _("This week"),
                     "month": _("This month"), "volunteer_day": _("5 December (Volunteer Day)")}
    st.selectbox(_("Dates"), WINDOWS, key="f_action_when", format_func=window_labels.get,
                 index=WINDOWS.index(start.action_when))
    st.multiselect(_("Cause"), CAUSES, key="f_action_causes", format_func=label,
                   placeholder=_("Any cause"), default=list(start.action_causes))
    st.multiselect(_("Type of action"), ACTION_TYPES, key="f_action_types", format_func=label,
                   placeholder=_("Any type"), default=list(start.action_types))


def keep_url(current: filters.Filters) -> None:
    """The URL says the filters, so a view can be shared."""
    params = filters.to_query(current)
    for key in [k for k in st.query_params if k != "lang" and k not in params]:
        del st.query_params[key]
    for key, value in params.items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value


@st.cache_resource(show_spinner=False, max_entries=8)
def cached_map(selected: tuple[str, ...], lang: str, tiles, in_provinces: pd.DataFrame,
               actions: pd.DataFrame, today: str):
    """The map element's map for one province set and language, its record order and key.

    `in_provinces` (those provinces' organisations) and `actions` (their stored actions)
    are part of the cache key, so an approved proposal, an import or a newly published
    action shows on the map; `today` too, so the upcoming actions are those of the day.
    The last item is the actions layer (None when no action is upcoming there).
    """
    orgs = record_order(in_provinces)
    drawn = list(settlement_points(data.settlements(), list(selected))["ekatte"])
    records = action_records(actions, lang, Hosts.of(data.organisations(), orgs), drawn)
    fmap, control = base_map(provinces, municipalities, data.settlements(), list(selected),
                             lang, tiles, actions=bool(records["n"]))
    default = filters.apply(orgs, filters.Filters(provinces=selected))
    layer = OrganisationLayer(map_records(orgs, lang, data.municipality_names(), drawn),
                              map_words(lang), visible_runs(orgs["id"], default["id"]), control)
    layer.add_to(fmap)
    if not records["n"]:
        return fmap, orgs["id"], layer.key, None
    acts = ActionLayer(records, action_words(lang), control)
    acts.add_to(fmap)
    return fmap, orgs["id"], layer.key, (acts.key, records)


def frame_bounds(current: filters.Filters, visible: pd.DataFrame) -> list[float]:
    """[west, south, east, north] the map should show.

    What a name search found, else the chosen municipalities, else the chosen provinces.
    """
    if current.name.strip() and len(visible):
        w, s, e, n = (visible["lon"].min(), visible["lat"].min(), visible["lon"].max(),
                      visible["lat"].max())
        pad = 0.02
        return [float(w - pad), float(s - pad), float(e + pad), float(n + pad)]
    area = (municipalities[municipalities["code"].isin(current.municipalities)]
            if current.municipalities else provinces[provinces["code"].isin(current.provinces)])
    bounds = area.total_bounds if len(area) else provinces.total_bounds
    return [round(float(b), 4) for b in bounds]


def filter_state(current: filters.Filters, visible: pd.DataFrame, order_ids, key: str) -> None:
    """The element that hands the filter result to the map frame (module docstring).

    A hidden element whose data attribute the map frame watches: no script, no frame.
    """
    state = html.escape(safe_json({"key": key, "runs": visible_runs(order_ids, visible["id"]),
                                   "fit": frame_bounds(current, visible)}), quote=True)
    st.html(f'<div hidden class="civic-map-state" data-civic-map-state="{state}"></div>')


def actions_state(current: filters.Filters, layer) -> int:
    """The actions filter for the map frame (`layers.actions`); how many actions it shows.

    `layer` is the cached map's (key, records), or None when it draws no action.
    """
    if layer is None:
        return 0
    key, records = layer
    state = action_filter(key, records["base"], current.action_when, current.action_causes,
                          current.action_types, current.show_actions)
    st.html(f'<div hidden class="civic-actions-state" data-civic-actions-state='
            f'"{html.escape(safe_json(state), quote=True)}"></div>')
    return len(shown(records, {**state, "on": True}))


def actions_note(count: int) -> None:
    """Under the actions filters: how many published actions the window holds."""
    stored = data.actions()
    if not (len(stored) and (stored["status"] == "published").any()):
        st.caption(_("No actions have been published yet — propose the first on the "
                     "Actions page") + f" → [{_('Actions')}](/actions?lang={lang})")
    else:
        st.caption(_("Published actions in this window: {n}").format(n=fmt_int(count, lang)))


def map_for(selected: tuple[str, ...]):
    """The cached map of a province set: (map, record order, key, actions layer)."""
    everyone = data.organisations()
    stored_actions = data.actions()
    return cached_map(selected, lang, data.tiles(),
                      everyone[everyone["province_code"].isin(selected)],
                      stored_actions[stored_actions["province_code"].isin(selected)],
                      now_local().date().isoformat())


@st.fragment
def filter_panel(drawn: tuple[str, ...], order_ids, key: str, action_layer) -> None:
    """The filters, the counts and the map's two hidden state elements (module docstring).

    `drawn` is the province set whose map the page holds, with its record order, key and
    actions layer; another province set needs another map, so it reruns the page.
    """
    current = current_filters()
    if tuple(sorted(current.provinces)) != drawn:
        st.rerun(scope="app")
    keep_url(current)
    visible = filters.apply(data.organisations(), current)
    titles = layer_titles(lang)
    st.markdown(" · ".join(f"{titles[k]} **{fmt_int(n, lang)}**"
                           for k, n in filters.counts(visible).items()))
    if current.name.strip() and visible.empty:
        st.warning(_("No organisation matches “{q}” with these filters.")
                   .format(q=md_escape(current.name.strip())))
    filter_state(current, visible, order_ids, key)
    count = actions_state(current, action_layer)
    with st.sidebar:
        sidebar_filters()
        actions_note(count)


selected = tuple(sorted(st.session_state.get("f_provinces", start.provinces)))
base, order_ids, key, action_layer = map_for(selected)
st.subheader(_("Civil sector map"))
filter_panel(selected, order_ids, key, action_layer)
st.html(MAP_HEIGHT_CSS)
# st_folium renders the map it is given: hand it a copy, so the cached map stays pristine
# and its script (and so the element Streamlit sends) stays byte-identical.
st_folium(copy.deepcopy(base), key="map", height=560, use_container_width=True,
          returned_objects=[])
st.caption(_("Rings are settlement centres, a number is how many organisations share the "
             "place (click it for the list); chitalishta libraries are presumed from the "
             "Chitalishta Act. Sources: chitalishta register, civic directory "
             "({month}), NSI.").format(month=directory_month(lang)))
st.caption(_("Known NGOs are those in the civic directory, imported or proposed and approved: "
             "{n} in all, not the national register.").format(n=fmt_int(data.known_ngos(), lang)))
