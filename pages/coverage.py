"""Coverage page: who is left out, ranked, on a map, with hub suggestions and downloads."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from civic.i18n import term, translator
from geo.coverage import KINDS
from layers.basemap import province_map
from layers.coverage import coverage_layers
from reports.export import points_geojson, table_csv, tables_xlsx
from ui import data

lang = st.session_state.get("lang", "bg")
_ = translator(lang)
provinces = data.provinces()
municipalities = data.municipalities()
province_label = data.province_labels(lang)

st.subheader(_("Coverage gaps"))
with st.sidebar:
    st.header(_("Coverage"))
    chosen = st.multiselect(_("Province"), sorted(province_label, key=province_label.get),
                            default=["KRZ", "RAZ", "VRC"], key="c_provinces",
                            format_func=province_label.get)
    radius = st.slider(_("Radius R, km"), 1, 30, 10, key="c_radius")
    kinds = st.multiselect(_("Kinds that count"), KINDS, default=list(KINDS), key="c_kinds",
                           format_func=lambda k: term(k, lang))
    presumed = st.toggle(_("Count presumed chitalishte libraries"), value=True,
                         key="c_presumed")
    measure = st.radio(_("Colour municipalities by"), ["share_beyond_r", "per_10k_any"],
                       key="c_measure", format_func=lambda m: {
                           "share_beyond_r": _("Share of residents beyond R"),
                           "per_10k_any": _("Organisations per 10,000 residents")}[m])
    k = st.number_input(_("Hub suggestions"), 0, 10, 3, key="c_k")

if not chosen or not kinds:
    st.info(_("Choose at least one province and one kind."))
    st.stop()

cov = data.settlement_coverage(float(radius), tuple(kinds), presumed)
cov = cov[cov["province_code"].isin(chosen)]
munis = data.municipality_coverage(float(radius), tuple(kinds), presumed, tuple(sorted(chosen)))
munis = munis[munis["province_code"].isin(chosen)]
points = data.settlements().set_index("ekatte").geometry
gaps = cov[cov["gap"]].sort_values("population", ascending=False).assign(
    lon=lambda d: d["ekatte"].map(points).map(lambda p: p.x),
    lat=lambda d: d["ekatte"].map(points).map(lambda p: p.y))
plans = data.hubs(tuple(sorted(chosen)), float(radius), int(k)) if k else None

a, b, c = st.columns(3)
a.metric(_("Gap settlements"), f"{len(gaps):,}".replace(",", " "))
b.metric(_("Residents in gap settlements"), f"{int(gaps['population'].sum()):,}"
         .replace(",", " "))
share = gaps["population"].sum() / max(1, munis["population"].sum())
c.metric(_("Share of residents beyond R"), f"{share:.1%}")

fmap = province_map(provinces, chosen, lang, data.tiles())
hub_sites = {"existing": plans["existing"], "new": plans["new"]} if plans else {}
coverage_layers(fmap, municipalities, munis, measure, gaps, hub_sites, lang)
st_folium(fmap, key="coverage_map", height=520, use_container_width=True, returned_objects=[])

gap_table = gaps[["ekatte", "settlement", "municipality_code", "population", "nearest_any_km",
                  "presence_index", "access_2sfca"]]
muni_table = munis.sort_values("share_beyond_r", ascending=False)[[
    "municipality_code", "municipality", "population", "count_ngo", "count_chitalishte",
    "count_library", "per_10k_any", "residents_beyond_r", "share_beyond_r",
    "gap_settlements", "gap_population", "rank_national", "rank_in_selection"]]
tab1, tab2, tab3 = st.tabs([_("Gap settlements"), _("Municipalities"), _("Hub suggestions")])
tab1.dataframe(gap_table, hide_index=True, width="stretch")
tab2.dataframe(muni_table, hide_index=True, width="stretch")
if plans:
    covered = plans["covered"]
    tab3.write(_("People with no NGO within R: {n}").format(n=int(covered["without"])))
    tab3.write(_("Existing chitalishta and libraries as hubs would newly reach {n}")
               .format(n=int(covered["existing"])))
    tab3.dataframe(plans["existing"], hide_index=True, width="stretch")
    tab3.write(_("New sites at settlements would newly reach {n}").format(n=int(covered["new"])))
    tab3.dataframe(plans["new"], hide_index=True, width="stretch")

notes = [
    _("Distances are straight lines in EPSG:7801, not road distances."),
    _("A gap settlement has residents and none of the chosen kinds within R."),
    _("Civic presence index: mean over the chosen kinds of 1 for one in the settlement, "
      "else 1 - d/(2R), never below 0; times 100."),
    _("2SFCA (PySAL access): organisations reachable per 10,000 residents within R; a "
      "presumed chitalishte library weighs 0.5."),
    _("Population: NSI 2017 estimates scaled to Census 2021 municipality totals. "
      "Organisations: chitalishta register and civic directory, November 2026."),
    (_("Libraries include presumed chitalishte libraries.") if presumed
     else _("Libraries: known libraries only.")),
]
d1, d2, d3 = st.columns(3)
d1.download_button(_("Download CSV"), table_csv(gap_table), "gap_settlements.csv", "text/csv")
d2.download_button(_("Download GeoJSON"),
                   points_geojson(gaps[[*gap_table.columns, "lon", "lat"]],
                                  metadata={"notes": notes, "radius_km": radius}),
                   "gap_settlements.geojson", "application/geo+json")
d3.download_button(_("Download XLSX"),
                   tables_xlsx({"gap_settlements": gap_table, "municipalities": muni_table},
                               notes),
                   "coverage.xlsx",
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
with st.expander(_("Method and data")):
    for note in notes:
        st.markdown(f"- {note}")
