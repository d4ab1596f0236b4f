"""Coverage page: who lives far from an NGO, chitalishte or library, per kind.

On a map, ranked, with hub suggestions and downloads; the whole view kept in the URL.
"""

from __future__ import annotations

import streamlit as st

from civic import facts
from civic.i18n import term, translator
from civic.numbers import fmt_int, fmt_km, fmt_pct, km
from geo.coverage import MEASURED, library_definition
from layers.basemap import zoom_for
from reports.export import points_geojson, table_csv, tables_xlsx
from ui import actions_view, coverage_data, coverage_view, data
from ui.coverage_view import Figure, View, figure_cards, from_query, restore, to_query, write_query
from ui.entry import through_app
from ui.map_element import show_map
from ui.markdown import md_escape

through_app()

lang = st.session_state.get("lang", "bg")
_ = translator(lang)
provinces = data.provinces()
municipalities = data.municipalities()
province_label = data.province_labels(lang)
muni_label = coverage_data.municipality_labels(lang)
KIND_WORDS = coverage_data.kind_words(lang)
RADIUS_PRESETS = (0, 3, 5, 10, 15)

# The view: from the URL when it names one, else as the user left it, else the defaults.
restore(st.session_state, from_query(dict(st.query_params), set(provinces["code"]),
                                     set(municipalities["code"])), "coverage_view", View())


def _apply_preset() -> None:
    if st.session_state.get("c_preset") is not None:
        st.session_state["c_radius"] = st.session_state["c_preset"]


def _radius_label(r: int) -> str:
    return _("own settlement") if r == 0 else f"{r} {km(lang)}"


with st.sidebar:
    st.header(_("Coverage"))
    st.radio(_("Kind"), MEASURED, key="c_kind", horizontal=True,
             format_func=lambda k: _("Any kind") if k == "any" else term(k, lang))
    chosen = st.multiselect(_("Province"), sorted(province_label, key=province_label.get),
                            key="c_provinces", format_func=province_label.get,
                            placeholder=_("Choose…"))
    muni_options = sorted(municipalities.loc[municipalities["province_code"].isin(chosen),
                                             "code"], key=muni_label.get)
    st.session_state["c_municipalities"] = [m for m in st.session_state["c_municipalities"]
                                            if m in muni_options]
    st.multiselect(_("Municipality"), muni_options, key="c_municipalities",
                   format_func=muni_label.get, placeholder=_("All municipalities"))
    st.pills(_("Radius R"), RADIUS_PRESETS, key="c_preset", on_change=_apply_preset,
             format_func=_radius_label)
    st.slider(_("Radius R, km (0 = own settlement)"), 0, 30, key="c_radius")
    st.toggle(_("Count presumed chitalishte libraries as libraries"), key="c_presumed")
    st.radio(_("Colour municipalities by"), ["share", "distance"], key="c_measure",
             format_func=lambda m: {"share": _("Share of residents beyond R"),
                                    "distance": _("Mean distance to the nearest")}[m])
    st.number_input(_("Hub suggestions"), 0, 10, key="c_k")

view = View.from_widgets(st.session_state)
st.session_state["coverage_view"] = view
write_query(st.query_params, to_query(view))

kind, radius = view.kind, float(view.radius)
kind_word = KIND_WORDS[kind]
st.subheader(_("Coverage gaps"))
if not view.provinces:
    st.info(_("Choose at least one province."))
    st.stop()

view_key = (view.provinces, view.municipalities, view.kind, view.radius, view.presumed,
            view.measure, view.k)
frames = coverage_data.view_frames(view.provinces, view.municipalities, kind, view.radius,
                                   view.presumed, data.organisations_version())
area, munis = frames["area"], frames["munis"]

ngos = data.known_ngos()
st.markdown(coverage_view.headline(
    _, kind, view.radius, ngos, view.presumed, fmt_pct(area[f"{kind}_share_beyond_r"], lang),
    fmt_int(area[f"{kind}_residents_beyond_r"], lang)))
ORDER = (kind, *[k for k in MEASURED if k != kind])


def _name(k: str) -> str:
    return coverage_view.kind_label(_, k, ngos, view.presumed)


def _without(k: str) -> str:
    return coverage_view.presence_sentence(
        _, k, ngos, view.presumed, fmt_int(area[f"{k}_settlements_without_own"], lang),
        fmt_int(area["inhabited_settlements"], lang))


# Two labelled groups: distance within R (straight line), presence in the settlement itself.
st.markdown(f"##### {coverage_view.distance_heading(_, view.radius)}")
if data.phone():  # compact tables instead of four stacked figures
    beyond = (_("Share of residents more than {r} km away").format(r=view.radius) if view.radius
              else _("Share of residents with none in their own settlement"))
    rows = [f"| {_('Kind')} | {md_escape(beyond)} | "
            f"{_('Mean distance to the nearest (straight line)')} |", "|---|---:|---:|"]
    for k in ORDER:
        name = md_escape(_name(k))
        rows.append(f"| {f'**{name}**' if k == kind else name} | "
                    f"{md_escape(fmt_pct(area[f'{k}_share_beyond_r'], lang))} | "
                    f"{md_escape(fmt_km(area[f'{k}_pw_mean_km'], lang))} |")
    st.markdown("\n".join(rows))
    st.markdown(f"##### {coverage_view.presence_heading(_)}")
    lines = [md_escape(_without(k)) for k in ORDER]
    st.markdown("\n".join([f"- **{lines[0]}**", *[f"- {line}" for line in lines[1:]]]))
else:  # one element per group: each element delays the map's first drawing
    st.html(figure_cards([Figure(
        coverage_view.short_kind_label(_, k, ngos) + (" ◀" if k == kind else ""),
        fmt_pct(area[f"{k}_share_beyond_r"], lang),
        coverage_view.distance_caption(_, view.radius,
                                       fmt_int(area[f"{k}_residents_beyond_r"], lang),
                                       fmt_km(area[f"{k}_pw_mean_km"], lang)),
        f"{_name(k)}: {_('Share of residents beyond R')}", k == kind) for k in ORDER]))
    st.markdown(f"##### {coverage_view.presence_heading(_)}")
    st.html(figure_cards([Figure(note=_without(k), current=k == kind)
                          for k in ORDER]))
if kind in ("ngo", "any"):
    st.caption(_("NGO figures count the {n} known NGOs (civic directory, imports and approved "
                 "proposals), not the national register.").format(n=ngos))

gaps, plans = coverage_data.gaps_and_plans(view.provinces, view.municipalities, kind,
                                           view.radius, view.presumed, int(view.k), lang,
                                           data.organisations_version())
if plans and "error" in plans:
    st.warning(plans["error"].text(lang, md_escape))
    plans = None

measure = f"{kind}_share_beyond_r" if view.measure == "share" else f"{kind}_pw_mean_km"
title = (_("Share of residents beyond R") if view.measure == "share"
         else _("Mean distance to the nearest, km")) + f" — {kind_word}, R: " \
    + _radius_label(view.radius)
fmap = coverage_data.coverage_map(view_key, view.provinces, measure, title, lang, data.tiles(),
                                  data.organisations_version(), munis, gaps, plans)
frame = (municipalities[municipalities["code"].isin(view.municipalities)]
         if view.municipalities else provinces[provinces["code"].isin(view.provinces)])
bounds = frame.total_bounds
show_map(fmap, "coverage_map", 520,
         center=((bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2),
         zoom=zoom_for(bounds, *((340, 520) if data.phone() else (700, 520))))

GAP_COLUMNS = coverage_data.gap_columns(lang)
MUNI_COLUMNS = coverage_data.municipality_columns(lang)
gap_table = gaps[list(GAP_COLUMNS)]
muni_table = munis.sort_values("rank_in_selection", ascending=False).assign(
    municipality=lambda d: d["municipality_code"].map(muni_label))
coverage_data.table_tabs(view_key, kind, lang, data.organisations_version(), gap_table,
                         muni_table, plans)

parameters = {
    "provinces": ",".join(view.provinces), "municipalities": ",".join(view.municipalities),
    "kind": kind, "radius_km": view.radius, "library_definition":
        library_definition(view.presumed), "data_date": facts.directory_date(),
    "distances": "straight-line, EPSG:7801"}
notes = [f"{k}: {v}" for k, v in parameters.items()]
d1, d2, d3 = st.columns(3)
machine = gaps[["ekatte", "settlement", "municipality_code", "municipality", "province_code",
                "population", *[f"nearest_{k}_km" for k in MEASURED]]].assign(**parameters)
# Files are made when clicked (deferred), so a change of view never waits for them.
d1.download_button(_("Download CSV"), lambda: table_csv(machine), "gap_settlements.csv",
                   "text/csv", on_click="ignore")
d2.download_button(_("Download GeoJSON"),
                   lambda: points_geojson(machine.assign(lon=gaps["lon"], lat=gaps["lat"]),
                                          metadata=parameters),
                   "gap_settlements.geojson", "application/geo+json", on_click="ignore")
d3.download_button(_("Download XLSX"),
                   lambda: tables_xlsx(
                       {_("Gap settlements"): gap_table.rename(columns=GAP_COLUMNS),
                        _("Municipalities"): muni_table[list(MUNI_COLUMNS)].rename(
                            columns=MUNI_COLUMNS)}, notes),
                   "coverage.xlsx",
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   on_click="ignore")

st.markdown(f"#### {_('How this is measured')}")
st.markdown("\n".join(f"- {line}" for line in [
    _("R is the distance people can be expected to travel; 0 means only the organisations "
      "in the settlement itself."),
    _("Distances are straight lines from the settlement centre, not road distances."),
    _("A gap settlement has residents and no {kind} within R.").format(kind=kind_word),
    _("Known NGOs are those in the civic directory, imported or proposed and approved: {n} "
      "in all, not the national register.").format(n=data.known_ngos()),
    (_("Libraries: libraries known by name, plus the library every chitalishte keeps.")
     if view.presumed else _("Libraries: libraries known by name.")),
    _("A chitalishte and its library are one organisation: counted once in any kind and "
      "per 10,000 residents."),
]))
with st.expander(_("Specialist details")):
    st.markdown("\n".join(f"- {line}" for line in [
        _("Mean distance to the nearest: population-weighted mean over inhabited settlements "
          "of the straight-line distance to the nearest organisation of the kind, in km."),
        _("Classes: natural breaks (Fisher-Jenks, mapclassify), rounded; darker = worse "
          "served."),
        _("Rank: by the share of residents beyond R, then by the mean distance; 1 = best "
          "served."),
        _("Hubs: maximal covering (spopt MCLP) over the chosen settlements; demand is the "
          "residents beyond R of the chosen kind."),
        _("2SFCA (PySAL access): organisations of any kind reachable within R per 10,000 "
          "residents, shared among everyone within R of them; 0 only where none is within R."),
        _("Population: NSI 2017 estimates scaled to Census 2021 municipality totals."),
    ]))

# Published civic actions per municipality of the area, with the same R (cached per minute).
actions_view.section(munis["municipality_code"], radius, lang)
