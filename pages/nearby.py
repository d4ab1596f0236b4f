"""Nearby page: a citizen finds the organisations around an address, a village or a point.

Phone first: the search box, then (for a name several places share) the candidates to
pick from, then the results; radius, kind and fields fold away; the map below shows the
province outlines before any search, so tapping it works at once.
"""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from civic import action as act
from civic import facts
from civic.i18n import term, translator
from civic.vocabularies import FIELDS, KINDS
from geo.nearby import actions_near
from layers.action_cards import card_words
from layers.action_cards import cards as action_cards
from layers.results import candidate_label, candidate_query, result_cards
from ui import data, nearby_data
from ui.entry import through_app
from ui.map_element import show_map
from ui.markdown import md_escape
from ui.place_picker import place_picker

through_app()

lang = st.session_state.get("lang", "bg")
_ = translator(lang)
params = st.query_params
ss = st.session_state


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _label(found: dict) -> str:
    """'Бенковски (Кирково)'; the municipality only where it says more than the name.

    In Turkish with the Turkish name ('Кърджали · Kırcaali').
    """
    name = found["name"]
    if lang == "tr" and found.get("name_tr"):
        name = f"{name} · {found['name_tr']}"
    municipality = found["municipality"]
    return name if not municipality or municipality == found["name"] else \
        f"{name} ({municipality})"


def place_query(text: str) -> dict | None:
    """A search point from free text; None with candidates or a message when unsure where."""
    text = text[:200]
    found = data.geocoder().geocode(text)
    ss["n_candidates"] = found.get("candidates") or []
    if ss["n_candidates"]:
        ss["n_candidates_for"] = text
        return None
    if found["lon"] is None:
        ss["n_error"] = _("Could not find “{q}”. Try a settlement name, "
                          "“с. Бенковски, общ. Кирково” or a postal code."
                          ).format(q=md_escape(text))
        return None
    return {"lon": found["lon"], "lat": found["lat"], "label": _label(found), "q": text}


def coords(lat: float, lon: float, label: str) -> dict | None:
    """A search point from coordinates, or None (and a message) outside Bulgaria."""
    if not facts.in_bulgaria(lon, lat):
        ss["n_error"] = _("That point is outside Bulgaria.")
        return None
    return {"lon": lon, "lat": lat, "label": label, "q": None}


def _fields_param() -> list[str]:
    """Fields of activity from the URL: 'fields=a,b' (or the older single 'field=a')."""
    raw = params.get("fields") or params.get("field") or ""
    return [f for f in raw.split(",") if f in FIELDS]


def _start() -> None:
    """The page's state from its URL, once per session."""
    ss["n_point"], ss["n_candidates"] = None, []
    if params.get("q"):
        ss["n_point"] = place_query(params["q"])
    elif _float(params.get("lat")) is not None and _float(params.get("lon")) is not None:
        ss["n_point"] = coords(_float(params["lat"]), _float(params["lon"]),
                               _("the chosen point"))
    radius = _float(params.get("r"))
    ss["n_radius"] = int(min(50, max(1, radius))) if radius else 10
    ss["n_kind"] = params.get("kind") if params.get("kind") in KINDS else ""
    ss["n_fields"] = _fields_param()
    ss["n_ready"] = True


def _sync_url(point: dict | None, radius: int, kind: str | None, fields: list[str]) -> None:
    state = {"r": str(radius), "kind": kind, "fields": ",".join(fields)}
    if point:
        state.update({"q": point["q"]} if point["q"] else
                     {"lat": f"{point['lat']:.5f}", "lon": f"{point['lon']:.5f}"})
    for key in ("q", "lat", "lon", "r", "kind", "fields", "field"):
        if state.get(key):
            if params.get(key) != state[key]:
                params[key] = state[key]
        elif key in params:
            del params[key]


def _choose(candidate: dict) -> None:
    """A candidate was tapped: search it (a callback, so the page draws the result)."""
    ss["n_error"] = None
    ss["n_point"] = place_query(candidate_query(candidate))


def _candidates() -> None:
    """Buttons for the places a name may mean; a tap searches the one chosen."""
    st.markdown(_("“{q}” is the name of several places. Which one do you mean?")
                .format(q=md_escape(ss.get("n_candidates_for", ""))))
    for i, cand in enumerate(ss["n_candidates"]):
        st.button(md_escape(candidate_label(cand, lang)), key=f"n_cand_{i}",
                  use_container_width=True, on_click=_choose, args=(cand,))


def upcoming_actions(point: dict, radius: int) -> None:
    """The next three published actions within the radius, soonest first (all: Actions page)."""
    now = act.now_local()
    near = actions_near(act.agenda(data.actions(), now, now + timedelta(days=366)),
                        point["lon"], point["lat"], radius)
    st.markdown(_("**{n}** upcoming published actions within {r} km").format(
        n=len(near), r=radius) + f" · [{_('all actions')}](/actions?lang={lang})")
    if len(near):
        orgs = data.organisations()
        labels = data.settlement_labels(lang)
        near = near.head(3)
        near = near.assign(place_label=[labels.get(e, "") for e in near["ekatte"]])
        st.html(action_cards(near, card_words(lang), lang, dict(zip(orgs["id"], orgs["name"]))))


if "n_ready" not in ss:
    _start()

# a click on the map (show_map keeps the last one under its key)
clicked = (ss.get("nearby_map") or {}).get("last_clicked")
if clicked and clicked != ss.get("n_last_click"):
    ss["n_last_click"], ss["n_candidates"] = clicked, []
    ss["n_point"] = coords(clicked["lat"], clicked["lng"], _("the point clicked on the map"))

st.subheader(_("Who is near me?"))
point = ss["n_point"]
picked = place_picker(
    {"placeholder": _("Address, village or town"), "search": _("Search"),
     "locate": _("Use my location"), "locating": _("Finding your location…"),
     "no_location": _("Your location is not available."), "municipality": _("mun.")},
    value=(point or {}).get("q") or "", latin=lang != "bg", turkish=lang == "tr",
)
if picked.query:
    ss["n_error"] = None
    ss["n_point"] = place_query(picked.query) or (None if ss["n_candidates"] else
                                                  ss["n_point"])
elif picked.location:
    ss["n_error"], ss["n_candidates"] = None, []
    ss["n_point"] = coords(picked.location["lat"], picked.location["lon"], _("your location"))
if ss.get("n_error"):
    st.warning(ss["n_error"])
if ss.get("n_candidates"):
    _candidates()

results_box = st.container()  # results go right under the search, filled below
with st.expander(_("Radius, kind and fields of activity")):
    radius = st.slider(_("Radius, km"), 1, 50, key="n_radius")
    # buttons, not a selectbox: a phone keyboard over a searchable list showed Streamlit's
    # untranslated "No results"
    kind = st.radio(_("Kind"), ["", *KINDS], key="n_kind", horizontal=True,
                    format_func=lambda k: term(k, lang) if k else _("All kinds")) or None
    fields = st.pills(_("Fields of activity"), FIELDS, key="n_fields", selection_mode="multi",
                      format_func=lambda f: term(f, lang)) or []

point = ss["n_point"]
_sync_url(point, radius, kind, fields)
found = nearby_data.search(point["lon"], point["lat"], radius, kind, tuple(sorted(fields)),
                           data.organisations_version()) if point else None
shown = found.within if found is not None and not found.within.empty else \
    (found.nearest_beyond if found is not None
     else data.organisations().iloc[0:0].assign(distance_km=[]))

fmap = nearby_data.small_map(point and point["lon"], point and point["lat"], radius, kind,
                             tuple(sorted(fields)), lang, data.tiles(),
                             data.organisations_version(), shown)
show_map(fmap, "nearby_map", 320, ["last_clicked"])

with results_box:
    if not point:
        if not ss.get("n_candidates"):
            st.caption(_("Search, use your location, or tap the map."))
        st.stop()
    st.caption(_("Near {place} · straight-line distances").format(place=md_escape(point["label"])))
    if found.within.empty:
        st.info(_("Nothing within {r} km. The nearest ones:").format(r=radius))
    else:
        st.markdown(_("Organisations within {r} km: **{n}**").format(n=len(found.within),
                                                                      r=radius))
    labels = {"directions": _("Directions"),
              "approx_settlement": _("Approximate location: placed at the settlement centre."),
              "approx_municipality": _("Approximate location: placed at the municipality "
                                       "centre."),
              "no_contact": _("No public contact yet. Do you know one?"),
              "correct": _("Suggest a correction")}
    upcoming_actions(point, radius)
    st.html(result_cards(shown, (point["lon"], point["lat"]), {k: term(k, lang) for k in KINDS},
                         {f: term(f, lang) for f in FIELDS}, labels, lang,
                         data.settlement_labels(lang)))
