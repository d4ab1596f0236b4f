"""Nearby page: a citizen finds the organisations around an address, a village or a point."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from civic.i18n import term, translator
from civic.vocabularies import FIELDS, KINDS
from geo.nearby import nearby, select
from layers.nearby import nearby_map
from layers.results import result_cards
from ui import data
from ui.markdown import md_escape
from ui.place_picker import place_picker

lang = st.session_state.get("lang", "bg")
_ = translator(lang)
params = st.query_params


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def place_query(text: str) -> dict | None:
    """A search point from free text, or None (and a message) when it cannot be placed."""
    found = data.geocoder().geocode(text[:200])
    if found["lon"] is None:
        st.session_state["n_error"] = _("Could not find “{q}”. Try a settlement name, "
                                        "“с. Бенковски, общ. Кирково” or a postal code."
                                        ).format(q=md_escape(text[:200]))
        return None
    label = found["name"] if not found["municipality"] else \
        f"{found['name']} ({found['municipality']})"
    return {"lon": found["lon"], "lat": found["lat"], "label": label, "q": text}


def coords(lat: float, lon: float, label: str) -> dict | None:
    if not (41.2 <= lat <= 44.3 and 22.3 <= lon <= 28.7):
        st.session_state["n_error"] = _("That point is outside Bulgaria.")
        return None
    return {"lon": lon, "lat": lat, "label": label, "q": None}


if "n_ready" not in st.session_state:
    st.session_state["n_point"] = None
    if params.get("q"):
        st.session_state["n_point"] = place_query(params["q"])
    elif _float(params.get("lat")) is not None and _float(params.get("lon")) is not None:
        st.session_state["n_point"] = coords(_float(params["lat"]), _float(params["lon"]),
                                             _("the chosen point"))
    radius = _float(params.get("r"))
    st.session_state["n_radius"] = int(min(50, max(1, radius))) if radius else 10
    st.session_state["n_kind"] = params.get("kind") if params.get("kind") in KINDS else ""
    st.session_state["n_field"] = params.get("field") if params.get("field") in FIELDS else ""
    st.session_state["n_ready"] = True

# a click on the map (st_folium keeps the last one under its key)
clicked = (st.session_state.get("nearby_map") or {}).get("last_clicked")
if clicked and clicked != st.session_state.get("n_last_click"):
    st.session_state["n_last_click"] = clicked
    st.session_state["n_point"] = coords(clicked["lat"], clicked["lng"],
                                         _("the point clicked on the map"))

st.subheader(_("Who is near me?"))
point = st.session_state["n_point"]
picked = place_picker(
    {"placeholder": _("Address, village or town"), "search": _("Search"),
     "locate": _("Use my location"), "locating": _("Finding your location…"),
     "no_location": _("Your location is not available."), "municipality": _("mun.")},
    value=(point or {}).get("q") or "", latin=lang != "bg",
)
if picked.query:
    st.session_state["n_error"] = None
    st.session_state["n_point"] = place_query(picked.query) or st.session_state["n_point"]
elif picked.location:
    st.session_state["n_error"] = None
    st.session_state["n_point"] = coords(picked.location["lat"], picked.location["lon"],
                                         _("your location"))
if st.session_state.get("n_error"):
    st.warning(st.session_state["n_error"])

radius = st.slider(_("Radius, km"), 1, 50, key="n_radius")
left, right = st.columns(2)
kind = left.selectbox(_("Kind"), ["", *KINDS], key="n_kind",
                      format_func=lambda k: term(k, lang) if k else _("All kinds")) or None
field = right.selectbox(_("Field of activity"), ["", *FIELDS], key="n_field",
                        format_func=lambda f: term(f, lang) if f else _("Any field")) or None

point = st.session_state["n_point"]
state = {"r": str(radius), "kind": kind, "field": field}
if point:
    state.update({"q": point["q"]} if point["q"] else
                 {"lat": f"{point['lat']:.5f}", "lon": f"{point['lon']:.5f}"})
for key in ("q", "lat", "lon", "r", "kind", "field"):
    if state.get(key):
        if params.get(key) != state[key]:
            params[key] = state[key]
    elif key in params:
        del params[key]

orgs = select(data.organisations(), kind, field)
found = nearby(orgs, point["lon"], point["lat"], radius,
               candidates=data.ids_within(point["lon"], point["lat"], radius)) if point else None
shown = found.within if found is not None and not found.within.empty else \
    (found.nearest_beyond if found is not None else orgs.iloc[0:0].assign(distance_km=[]))

fmap = nearby_map(point and point["lon"], point and point["lat"], radius, shown, data.tiles())
st_folium(fmap, key="nearby_map", height=320, use_container_width=True,
          returned_objects=["last_clicked"])
if not point:
    st.caption(_("Search, use your location, or tap the map."))
    st.stop()

st.caption(_("Near {place} · straight-line distances").format(place=md_escape(point["label"])))
kind_label = {k: term(k, lang) for k in KINDS}
field_label = {f: term(f, lang) for f in FIELDS}
labels = {"directions": _("Directions")}
if found.within.empty:
    st.info(_("Nothing within {r} km. The nearest ones:").format(r=radius))
else:
    st.markdown(_("**{n}** within {r} km").format(n=len(found.within), r=radius))
st.html(result_cards(shown, (point["lon"], point["lat"]), kind_label, field_label, labels,
                     latin=lang != "bg"))
