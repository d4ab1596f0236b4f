"""Map page: organisations as filterable layers over boundaries and settlements."""

from __future__ import annotations

import copy

import folium
import streamlit as st
from streamlit_folium import st_folium

from civic.i18n import place_name, term, translator
from civic.vocabularies import FIELDS, KINDS, LEGAL_FORMS, PRECISIONS, STATUSES
from geo import filters
from layers.basemap import base_map, zoom_for
from layers.organisations import organisation_layers
from ui import data

lang = st.session_state.get("lang", "bg")
_ = translator(lang)


def label(code: str) -> str:
    return term(code, lang)

provinces = data.provinces()
municipalities = data.municipalities()
province_label = data.province_labels(lang)
muni_label = dict(zip(municipalities["code"], [place_name(n, lt, lang) for n, lt in
                                               zip(municipalities["name"],
                                                   municipalities["name_latin"])]))
legal_forms = sorted(set(LEGAL_FORMS.values()))

if "filters_ready" not in st.session_state:
    known = {"provinces": set(provinces["code"]), "municipalities": set(municipalities["code"]),
             "legal_forms": set(legal_forms)}
    start = filters.from_query(dict(st.query_params), known)
    for name in filters.LIST_PARAMS:
        st.session_state[f"f_{name}"] = list(getattr(start, name))
    st.session_state["f_name"] = start.name
    st.session_state["filters_ready"] = True

with st.sidebar:
    st.header(_("Filters"))
    chosen = st.multiselect(_("Province"), sorted(province_label, key=province_label.get),
                            key="f_provinces", format_func=province_label.get)
    muni_options = sorted((c for c in muni_label if c[:3] in chosen), key=muni_label.get)
    st.session_state["f_municipalities"] = [
        m for m in st.session_state["f_municipalities"] if m in muni_options]
    st.multiselect(_("Municipality"), muni_options, key="f_municipalities",
                   format_func=muni_label.get, placeholder=_("All municipalities"))
    st.multiselect(_("Kind"), KINDS, key="f_kinds", format_func=label)
    st.multiselect(_("Field of activity"), FIELDS, key="f_fields", format_func=label,
                   placeholder=_("Any field"))
    st.multiselect(_("Legal form"), legal_forms, key="f_legal_forms", format_func=label,
                   placeholder=_("Any legal form"))
    st.multiselect(_("Status"), STATUSES, key="f_statuses", format_func=label)
    st.multiselect(_("Location precision"), PRECISIONS, key="f_precisions", format_func=label)
    st.text_input(_("Name contains"), key="f_name", max_chars=100,
                  placeholder=_("Cyrillic or Latin"))

current = filters.Filters(
    **{name: tuple(st.session_state[f"f_{name}"]) for name in filters.LIST_PARAMS},
    name=st.session_state["f_name"],
)
params = filters.to_query(current)
for key in [k for k in st.query_params if k != "lang" and k not in params]:
    del st.query_params[key]
for key, value in params.items():
    if st.query_params.get(key) != value:
        st.query_params[key] = value

visible = filters.apply(data.organisations(), current)
count = filters.counts(visible)

st.subheader(_("Civil sector map"))
titles = {"ngo": _("NGOs"), "chitalishte": _("Chitalishta"), "library": _("Libraries"),
          "library_presumed": _("Chitalishte libraries (presumed)")}
st.markdown(" · ".join(f"{titles[k]} **{n}**" for k, n in count.items()))


@st.cache_resource(show_spinner=False, max_entries=16)
def cached_base_map(selected: tuple[str, ...], lang: str, tiles) -> folium.Map:
    return base_map(provinces, municipalities, data.settlements(), list(selected), lang, tiles)


@st.fragment
def show_map() -> None:
    # st_folium adds the layers and control to the map it is given: hand it a copy, so the
    # cached base map stays pristine and its script (and so the component) stays the same.
    fmap = copy.deepcopy(cached_base_map(tuple(sorted(current.provinces)), lang, data.tiles()))
    layers = organisation_layers(visible, lang, data.municipality_names())
    area = (municipalities[municipalities["code"].isin(current.municipalities)]
            if current.municipalities else provinces[provinces["code"].isin(current.provinces)])
    bounds = area.total_bounds if len(area) else provinces.total_bounds
    st_folium(
        fmap, key="map", height=560, use_container_width=True, returned_objects=[],
        center=((bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2),
        zoom=zoom_for(bounds, *((340, 560) if data.phone() else (700, 520))),
        feature_group_to_add=layers, layer_control=folium.LayerControl(collapsed=True),
    )


show_map()
st.caption(_("Points at a settlement centre are drawn as rings; chitalishta libraries are "
             "presumed from the Chitalishta Act. Sources: chitalishta register, civic "
             "directory (November 2026), NSI."))
