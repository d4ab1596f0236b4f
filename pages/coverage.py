"""Coverage page: who lives far from an NGO, chitalishte or library, per kind.

On a map, ranked, with hub suggestions and downloads; the whole view kept in the URL.
"""

from __future__ import annotations

import streamlit as st

from civic import facts
from civic.i18n import place_names, term, translator
from civic.numbers import fmt_int, fmt_km, fmt_pct, km
from geo.coverage import KINDS, MEASURED, library_definition, summarise
from layers.basemap import province_map, zoom_for
from layers.coverage import coverage_layers
from reports.export import points_geojson, table_csv, tables_xlsx
from ui import actions_view, coverage_view, data
from ui.coverage_view import View, from_query, restore, to_query, write_query
from ui.entry import through_app
from ui.map_element import show_map
from ui.markdown import md_escape
from ui.tables import styled

through_app()

lang = st.session_state.get("lang", "bg")
_ = translator(lang)
provinces = data.provinces()
municipalities = data.municipalities()
province_label = data.province_labels(lang)
muni_label = dict(zip(municipalities["code"], place_names(municipalities, lang)))
KIND_WORDS = {"ngo": _("known NGO"), "chitalishte": _("chitalishte"),
              "library": _("library"), "any": _("organisation of any kind")}
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



@st.cache_resource(show_spinner=False, max_entries=64)
def view_frames(key: tuple, lang: str, version: int) -> dict:
    """The area's settlements, summary, municipalities and gaps for one view (`key`).

    Shared by every session, so a view seen before costs its rerun nothing but drawing;
    `version` (`data.organisations_version`) follows approvals and imports. The frames
    are read, never changed, by the page.
    """
    provinces_, municipalities_, kind_, radius_, presumed_ = key[:5]
    cov_ = data.settlement_coverage(float(radius_), presumed_)
    in_area = cov_["province_code"].isin(provinces_)
    if municipalities_:
        in_area &= cov_["municipality_code"].isin(municipalities_)
    cov_ = cov_[in_area]
    munis_ = data.municipality_coverage(float(radius_), presumed_, tuple(sorted(provinces_)),
                                        kind_)
    return {"cov": cov_, "area": summarise(cov_.assign(area="all"), "area").iloc[0],
            "munis": munis_[munis_["municipality_code"].isin(cov_["municipality_code"]
                                                            .unique())]}


view_key = (view.provinces, view.municipalities, view.kind, view.radius, view.presumed,
            view.measure, view.k)
frames = view_frames(view_key, lang, data.organisations_version())
cov, area, munis = frames["cov"], frames["area"], frames["munis"]

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
    beyond = (_("Residents more than {r} km away").format(r=view.radius) if view.radius
              else _("Residents with none in their own settlement"))
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
else:
    for col, k in zip(st.columns(4), ORDER):
        col.metric(_name(k) + (" ◀" if k == kind else ""),
                   fmt_pct(area[f"{k}_share_beyond_r"], lang),
                   help=_("Share of residents beyond R"))
        col.caption(coverage_view.distance_caption(
            _, view.radius, fmt_int(area[f"{k}_residents_beyond_r"], lang),
            fmt_km(area[f"{k}_pw_mean_km"], lang)))
    st.markdown(f"##### {coverage_view.presence_heading(_)}")
    for col, k in zip(st.columns(4), ORDER):
        col.markdown(f"**{md_escape(_without(k))}**" if k == kind else md_escape(_without(k)))
if kind in ("ngo", "any"):
    st.caption(_("NGO figures count the {n} known NGOs (civic directory, imports and approved "
                 "proposals), not the national register.").format(n=ngos))

place_label = data.settlement_labels(lang)


@st.cache_resource(show_spinner=False, max_entries=64)
def gaps_and_plans(key: tuple, lang: str, version: int) -> tuple:
    """The gap settlements (labelled in `lang`) and hub plans of one view, for every session.

    Gap settlements: inhabited, and no organisation of the chosen kind within R. Follows
    from the view's frames (`view_frames`), which share its key.
    """
    points = data.settlements().set_index("ekatte").geometry
    gaps_ = cov[cov[f"gap_{kind}"]].sort_values("population", ascending=False)
    gaps_ = gaps_.assign(
        settlement=gaps_["ekatte"].map(place_label).fillna(gaps_["settlement"]),
        municipality=gaps_["municipality_code"].map(muni_label),
        lon=gaps_["ekatte"].map(points).map(lambda p: p.x),
        lat=gaps_["ekatte"].map(points).map(lambda p: p.y),
        missing=[", ".join(term(k, lang) for k in KINDS if getattr(r, f"beyond_{k}"))
                 for r in gaps_.itertuples()],
        note=[_("nearest {kind}: {km}").format(
            kind=kind_word, km=fmt_km(getattr(r, f"nearest_{kind}_km"), lang))
            for r in gaps_.itertuples()])
    plans_ = data.hubs(tuple(sorted(cov["ekatte"])), radius, int(view.k),
                       "ngo" if kind == "any" else kind) if view.k else None
    return gaps_, plans_


gaps, plans = gaps_and_plans(view_key, lang, data.organisations_version())
if plans and "error" in plans:
    st.warning(plans["error"].text(lang, md_escape))
    plans = None

measure = f"{kind}_share_beyond_r" if view.measure == "share" else f"{kind}_pw_mean_km"
title = (_("Share of residents beyond R") if view.measure == "share"
         else _("Mean distance to the nearest, km")) + f" — {kind_word}, R: " \
    + _radius_label(view.radius)


@st.cache_resource(show_spinner=False, max_entries=32)
def coverage_map(key: tuple, lang: str, tiles, version: int, _munis, _gaps, _plans):
    """The coverage map for one view (`key`), language and state of the organisations.

    The municipalities, gaps and plans it draws follow from those, so they are not hashed;
    drawing (natural breaks, outlines) is most of a rerun, and every session shares it.
    """
    fmap = province_map(provinces, view.provinces, lang, tiles)
    hub_sites = {"existing": _plans["existing"], "new": _plans["new"]} if _plans else {}
    coverage_layers(fmap, municipalities, _munis, measure, _gaps, hub_sites, lang, title)
    return fmap


fmap = coverage_map(view_key, lang, data.tiles(), data.organisations_version(), munis, gaps,
                    plans)
frame = (municipalities[municipalities["code"].isin(view.municipalities)]
         if view.municipalities else provinces[provinces["code"].isin(view.provinces)])
bounds = frame.total_bounds
show_map(fmap, "coverage_map", 520,
         center=((bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2),
         zoom=zoom_for(bounds, *((340, 520) if data.phone() else (700, 520))))

GAP_COLUMNS = {"settlement": _("Settlement"), "municipality": _("Municipality"),
               "population": _("Residents"), "missing": _("Missing within R"),
               "nearest_ngo_km": _("Nearest known NGO, km"),
               "nearest_chitalishte_km": _("Nearest chitalishte, km"),
               "nearest_library_km": _("Nearest library, km"),
               "access_2sfca": _("Reach of any kind (2SFCA, per 10,000)")}
MUNI_COLUMNS = {"municipality": _("Municipality"), "residents": _("Residents"),
                "count_ngo": _("Known NGOs"), "count_chitalishte": _("Chitalishta"),
                "count_library": _("Libraries"), "per_10k_any": _("Organisations per 10,000"),
                "residents_beyond_r": _("Residents beyond R"),
                "share_beyond_r": _("Share beyond R"),
                "pw_mean_km": _("Mean distance to the nearest, km"),
                "gap_settlements": _("Gap settlements"), "rank_in_selection": _("Rank")}


gap_table = gaps[list(GAP_COLUMNS)]
muni_table = munis.sort_values("rank_in_selection", ascending=False).assign(
    municipality=lambda d: d["municipality_code"].map(muni_label))


@st.cache_resource(show_spinner=False, max_entries=32)
def tables(key: tuple, lang: str, version: int, _gap_table, _muni_table, _plans) -> None:
    """The three tabs of tables for one view, language and state of the organisations.

    Formatting every cell (a pandas Styler) was the costliest part of a Coverage rerun;
    Streamlit records the elements drawn here and replays them on a hit, so each view is
    formatted once for every session. The tables follow from the arguments, not hashed.
    """
    tab1, tab2, tab3 = st.tabs([_("Gap settlements"), _("Municipalities, least served first"),
                                _("Hub suggestions")])
    tab1.caption(_("Inhabited settlements with no {kind} within R, most residents first.")
                 .format(kind=kind_word))
    tab1.dataframe(styled(_gap_table, GAP_COLUMNS, lang), hide_index=True, width="stretch")
    tab2.dataframe(styled(_muni_table, MUNI_COLUMNS, lang), hide_index=True, width="stretch")
    if not _plans:
        tab3.info(_("Set a number of hub suggestions in the sidebar."))
        return
    covered = _plans["covered"]
    hub_kind = KIND_WORDS["ngo" if kind == "any" else kind]
    tab3.write(_("Residents with no {kind} within {r} km: {n}").format(
        kind=hub_kind, r=fmt_int(_plans["radius_km"], lang), n=fmt_int(covered["without"], lang)))
    hub_columns = {"name": _("Site"), "settlement": _("Settlement"),
                   "newly_covered": _("Residents newly within R")}
    sites = {k: _plans[k].assign(settlement=_plans[k]["ekatte"].map(place_label)
                                 .fillna(_plans[k]["settlement"])) for k in ("existing", "new")}
    tab3.write(_("Existing chitalishta and libraries as hubs would newly reach {n}")
               .format(n=fmt_int(covered["existing"], lang)))
    tab3.dataframe(styled(sites["existing"], hub_columns, lang), hide_index=True,
                   width="stretch")
    tab3.write(_("New sites at settlements would newly reach {n}")
               .format(n=fmt_int(covered["new"], lang)))
    tab3.dataframe(styled(sites["new"], {k: v for k, v in hub_columns.items() if k != "name"},
                          lang), hide_index=True, width="stretch")


tables(view_key, lang, data.organisations_version(), gap_table, muni_table, plans)

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
