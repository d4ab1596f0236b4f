"""Regions page for funders: provinces side by side per kind.

The least-served municipalities first, national ranks, and the printable Compass.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from civic.i18n import LANGUAGE_NAMES, place_name, place_names, term, translator
from civic.numbers import fmt_int, fmt_km, fmt_pct, km
from civic.vocabularies import KIND_COLOURS
from geo.coverage import MEASURED
from geo.regions import fields_by_province, least_served, presence_distribution
from reports.compass import hub_table
from reports.export import table_csv
from ui import actions_view, data
from ui import hub_table as hub_table_view
from ui.charts import horizontal_bars, labelled, value_axis, vertical_bars, zero_filled
from ui.coverage_view import restore, write_query
from ui.entry import through_app
from ui.regions_view import MAX_RADIUS, MIN_RADIUS, View, from_query, to_query
from ui.tables import fmt_tenths, styled

through_app()

lang = st.session_state.get("lang", "bg")
_ = translator(lang)
provinces = data.provinces()
label = data.province_labels(lang)


def kind_name(kind: str) -> str:
    """The kind as the charts and tables name it."""
    return {"ngo": _("Known NGOs"), "chitalishte": _("Chitalishta"),
            "library": _("Libraries known by name"), "any": _("Any kind (each once)")}[kind]


PROVINCE_Y = alt.Y("province:N", title=None, axis=alt.Axis(labelLimit=300))
# One province a line: in a row, "Кърджали (Kardzhali)" and the next were cut on a phone.
PROVINCE_LEGEND = alt.Legend(orient="bottom", columns=1, labelLimit=400)
PROVINCE_LEGEND_TOP = alt.Legend(orient="top", columns=1, labelLimit=400)
KIND_SCALE = alt.Scale(domain=[kind_name(k) for k in MEASURED],
                       range=[KIND_COLOURS[k] for k in MEASURED])
COUNTED = [k for k in MEASURED if k != "any"]  # "any" has no count of its own
COUNTED_SCALE = alt.Scale(domain=[kind_name(k) for k in COUNTED],
                          range=[KIND_COLOURS[k] for k in COUNTED])

# The view: from the URL when it names one, else as the user left it, else the defaults.
municipalities = data.municipalities()
restore(st.session_state, from_query(dict(st.query_params), set(provinces["code"]),
                                     set(municipalities["code"])), "regions_view", View())

st.subheader(_("Regions"))
with st.sidebar:
    st.header(_("Filters"))  # the page's own name is its heading already
    chosen = st.multiselect(_("Province"), sorted(label, key=label.get), key="r_provinces",
                            format_func=label.get, placeholder=_("Choose…"))
    muni_label = dict(zip(municipalities["code"], place_names(municipalities, lang)))
    muni_options = sorted(municipalities.loc[municipalities["province_code"].isin(chosen),
                                             "code"], key=muni_label.get)
    st.session_state["r_municipalities"] = [m for m in st.session_state["r_municipalities"]
                                            if m in muni_options]
    st.multiselect(_("Municipality"), muni_options, key="r_municipalities",
                   format_func=muni_label.get, placeholder=_("All municipalities"))
    radius = st.slider(_("Radius R, km"), MIN_RADIUS, MAX_RADIUS, key="r_radius")

view = View.from_widgets(st.session_state)
st.session_state["regions_view"] = view
write_query(st.query_params, to_query(view))
if not chosen:
    st.info(_("Choose at least one province."))
    st.stop()
chosen_munis = set(view.municipalities)


def in_filter(codes: pd.Series) -> pd.Series:
    """True for the municipalities the filter keeps (all of them when none is chosen)."""
    return codes.isin(chosen_munis) if chosen_munis else pd.Series(True, index=codes.index)

figures = data.province_figures(float(radius))
mine = figures[figures["code"].isin(chosen)].assign(province=lambda d: d["code"].map(label))
st.caption(_("NGO figures count the {n} known NGOs (civic directory, imports and approved "
             "proposals), not the national register. Libraries: libraries known by name; a "
             "chitalishte and its library count once. Straight-line distances, R = {r} km.")
           .format(n=data.known_ngos(), r=radius))
if chosen_munis:
    st.caption(_("The municipality filter ({m}) narrows only the municipality tables: the "
                 "least served municipalities, the libraries as hubs and the civic actions. "
                 "Province figures and charts stay per whole province.")
               .format(m=", ".join(muni_label[m] for m in view.municipalities)))


def chart_with_numbers(chart: alt.Chart, table: pd.DataFrame, columns: dict[str, str],
                       name: str) -> None:
    """A chart, and its numbers as a table and a CSV download right under it."""
    st.altair_chart(chart, width="stretch")
    with st.expander(_("Numbers")):
        st.dataframe(styled(table, columns, lang), hide_index=True, width="stretch")
        st.download_button(_("Download CSV"), table_csv(table[list(columns)]), f"{name}.csv",
                           "text/csv", key=f"dl_{name}")


per_kind = pd.DataFrame([
    {"province": r.province, "kind": kind_name(k),
     "share_beyond_r": getattr(r, f"{k}_share_beyond_r"),
     "residents_beyond_r": getattr(r, f"{k}_residents_beyond_r"),
     "pw_mean_km": getattr(r, f"{k}_pw_mean_km"),
     "settlements_without_own": getattr(r, f"{k}_settlements_without_own"),
     "inhabited_settlements": r.inhabited_settlements,
     "organisations": getattr(r, f"count_{k}"), "per_10k": getattr(r, f"per_10k_{k}")}
    for r in mine.itertuples() for k in MEASURED])
KIND_COLUMNS = {"province": _("Province"), "kind": _("Kind"),
                "share_beyond_r": _("Share of residents beyond R"),
                "residents_beyond_r": _("Residents beyond R"),
                "pw_mean_km": _("Mean distance to the nearest, km"),
                "settlements_without_own": _("Settlements without their own"),
                "inhabited_settlements": _("Inhabited settlements"),
                "organisations": _("Organisations"), "per_10k": _("per 10,000")}
KIND_OFFSET = alt.YOffset("kind:N", sort=KIND_SCALE.domain)  # bars in the legend's order
kind_colour = alt.Color("kind:N", title=_("Kind"), scale=KIND_SCALE,
                        legend=alt.Legend(orient="bottom", labelLimit=400, columns=1))
# Distance figures (straight line, within R), each heading naming its definition.
st.markdown("#### " + _("Residents more than {r} km (straight line) from the nearest "
                        "organisation of each kind").format(r=radius))
chart_with_numbers(
    horizontal_bars(
        labelled(per_kind, [fmt_pct(v, lang) for v in per_kind["share_beyond_r"]]),
        x=alt.X("share_beyond_r:Q", title=_("Share of residents beyond R"),
                axis=value_axis(lang, percent=True)),
        y=PROVINCE_Y, color=kind_colour, offset=KIND_OFFSET,
        tooltip=[alt.Tooltip("province:N", title=_("Province")),
                 alt.Tooltip("kind:N", title=_("Kind")),
                 alt.Tooltip("share_beyond_r:Q", title=_("Share of residents beyond R"),
                             format=".1%")], value="share_beyond_r"),
    per_kind, KIND_COLUMNS, "beyond_r_by_kind")

st.markdown(f"#### {_('Mean distance (straight line) to the nearest organisation of each kind')}")
chart_with_numbers(
    horizontal_bars(
        labelled(per_kind, [fmt_km(v, lang) for v in per_kind["pw_mean_km"]]),
        x=alt.X("pw_mean_km:Q", title=_("Mean distance to the nearest, km"),
                axis=value_axis(lang)),
        y=PROVINCE_Y, color=kind_colour, offset=KIND_OFFSET,
        tooltip=[alt.Tooltip("province:N", title=_("Province")),
                 alt.Tooltip("kind:N", title=_("Kind")),
                 alt.Tooltip("pw_mean_km:Q", title=km(lang), format=".1f")],
        value="pw_mean_km"),
    per_kind, KIND_COLUMNS, "distance_by_kind")

counted = per_kind[per_kind["kind"] != kind_name("any")]
st.markdown(f"#### {_('Organisations per 10,000 residents')}")
chart_with_numbers(
    horizontal_bars(
        labelled(counted, [fmt_tenths(v, lang) for v in counted["per_10k"]]),
        x=alt.X("per_10k:Q", title=_("per 10,000"), axis=value_axis(lang)), y=PROVINCE_Y,
        # the legend names only the kinds drawn: no "any kind" without a bar
        color=alt.Color("kind:N", title=_("Kind"), scale=COUNTED_SCALE,
                        legend=alt.Legend(orient="bottom", labelLimit=400, columns=1)),
        offset=alt.YOffset("kind:N", sort=COUNTED_SCALE.domain),
        tooltip=[alt.Tooltip("province:N", title=_("Province")),
                 alt.Tooltip("kind:N", title=_("Kind")),
                 alt.Tooltip("organisations:Q", title=_("Organisations")),
                 alt.Tooltip("per_10k:Q", title=_("per 10,000"), format=".1f")],
        value="per_10k"),
    counted, {k: v for k, v in KIND_COLUMNS.items() if k in
              ("province", "kind", "organisations", "per_10k")}, "organisations_by_kind")

st.markdown(f"#### {_('Municipalities, least served first')}")
munis = data.municipality_coverage(float(radius), False, tuple(sorted(chosen)), "ngo")
turkish = data.municipality_names()["municipality_tr"]  # Turkish readers: "Кубрат (Balbunar)"
munis = munis[munis["province_code"].isin(chosen) & in_filter(munis["municipality_code"])]
munis = least_served(munis, "ngo").assign(
    municipality=lambda d: [place_name(n, lt, lang, turkish.get(c)) for n, lt, c in
                            zip(d["municipality"], d["municipality_latin"],
                                d["municipality_code"])],
    province=lambda d: d["province_code"].map(label))
MUNI_COLUMNS = {"municipality": _("Municipality"), "province": _("Province"),
                "residents": _("Residents"), "ngo_share_beyond_r": _("Beyond R: NGO"),
                "ngo_pw_mean_km": _("Mean distance to an NGO, km"),
                "library_share_beyond_r": _("Beyond R: library"),
                "chitalishte_settlements_without_own": _("Settlements without a chitalishte"),
                "count_ngo": _("Known NGOs"), "count_chitalishte": _("Chitalishta"),
                "count_library": _("Libraries"), "per_10k_any": _("Organisations per 10,000")}
st.dataframe(styled(munis, MUNI_COLUMNS, lang), hide_index=True, width="stretch")
st.download_button(_("Download CSV"), table_csv(munis.drop(columns=["province"]).assign(
    radius_km=radius, library_definition="known_by_name", ngos="known NGOs only",
    municipalities=",".join(view.municipalities))),
                   "municipalities.csv", "text/csv", key="dl_munis")

# Libraries as hubs: each library site serving the chosen provinces (its catchment),
# narrowed to the libraries in the chosen municipalities.
hubs = hub_table(data.catchments(tuple(sorted(chosen)), float(radius)), data.organisations(),
                 data.settlements(), municipalities, lang, data.library_sites())
hub_table_view.section(hubs[in_filter(hubs["municipality_code"])], lang, radius,
                       data.known_ngos(), view.municipalities)

fields = fields_by_province(data.organisations().query("status == 'active'"), chosen)
fields = zero_filled(fields, ["province_code", "field"], "organisations")  # a 0 shows too
fields = fields.assign(province=fields["province_code"].map(label),
                       field=fields["field"].map(lambda f: term(f, lang)))
FIELD_ORDER = list(fields.groupby("field")["organisations"].sum().sort_values(
    ascending=False).index)  # the most organisations first
st.markdown(f"#### {_('Field of activity')}")
chart_with_numbers(
    horizontal_bars(
        labelled(fields, [fmt_int(v, lang) for v in fields["organisations"]]),
        x=alt.X("organisations:Q", title=_("Organisations"), axis=value_axis(lang)),
        y=alt.Y("field:N", sort=FIELD_ORDER, title=None,
                axis=alt.Axis(labelLimit=300)),  # "Приобщаване на ромите" whole
        color=alt.Color("province:N", title=_("Province"),  # on top: the chart is tall
                        legend=PROVINCE_LEGEND_TOP),
        offset="province:N",
        tooltip=[alt.Tooltip("province:N", title=_("Province")),
                 alt.Tooltip("field:N", title=_("Field of activity")),
                 alt.Tooltip("organisations:Q", title=_("Organisations"))],
        value="organisations"),
    fields, {"province": _("Province"), "field": _("Field of activity"),
             "organisations": _("Organisations")}, "fields")

presence = presence_distribution(data.settlement_coverage(float(radius), False), chosen)
presence = presence.assign(province=presence["province_code"].map(label))
st.markdown(f"#### {_('Civic presence index')}")
chart_with_numbers(
    vertical_bars(
        labelled(presence, [fmt_int(v, lang) for v in presence["settlements"]]),
        x=alt.X("band:N", title=_("Civic presence index"), sort=None,
                axis=alt.Axis(labelAngle=0)),  # "60–79" read across, not up
        y=alt.Y("settlements:Q", title=_("Settlements"), axis=value_axis(lang)),
        color=alt.Color("province:N", title=_("Province"), legend=PROVINCE_LEGEND),
        offset="province:N",
        tooltip=[alt.Tooltip("province:N", title=_("Province")),
                 alt.Tooltip("band:N", title=_("Civic presence index")),
                 alt.Tooltip("settlements:Q", title=_("Settlements"))],
        value="settlements"),
    presence, {"province": _("Province"), "band": _("Civic presence index"),
               "settlements": _("Settlements")}, "presence_index")

bands = {"age0_14": "0–14", "age15_29": "15–29", "age30_44": "30–44", "age45_64": "45–64",
         "age65plus": "65+"}
ages = pd.DataFrame([{"province": r["province"], "age": v, "share": r[f"share_{k}"]}
                     for _i, r in mine.iterrows() for k, v in bands.items()])
st.markdown(f"#### {_('Census 2021: age structure')}")
chart_with_numbers(
    alt.Chart(ages).mark_bar().encode(
        x=alt.X("share:Q", stack="normalize", axis=value_axis(lang, percent=True),
                title=None),
        y=PROVINCE_Y,
        color=alt.Color("age:N", title=_("Age"), sort=list(bands.values()),
                        legend=alt.Legend(orient="bottom", columns=3)),  # all five on a phone
        tooltip=[alt.Tooltip("province:N", title=_("Province")),
                 alt.Tooltip("age:N", title=_("Age")),
                 alt.Tooltip("share:Q", title=_("Share"), format=".1%")]),
    ages, {"province": _("Province"), "age": _("Age"), "share": _("Share")}, "age_structure")

tongues = {"mother_tongue_bulgarian": _("Bulgarian"), "mother_tongue_turkish": _("Turkish"),
           "mother_tongue_roma": _("Romani")}
tongue = pd.DataFrame([{"province": r["province"], "tongue": v, "share": r[f"share_{k}"]}
                       for _i, r in mine.iterrows() for k, v in tongues.items()])
change = mine[["province", "population_2017", "population", "change_2017_2021"]]
left, right = st.columns(2)
with left:
    st.markdown(f"#### {_('Mother tongue')}")
    chart_with_numbers(
        horizontal_bars(
            labelled(tongue, [fmt_pct(v, lang) for v in tongue["share"]]),
            x=alt.X("share:Q", axis=value_axis(lang, percent=True), title=None),
            y=PROVINCE_Y,
            color=alt.Color("tongue:N", title=_("Mother tongue"),
                            legend=alt.Legend(orient="bottom")),
            offset="tongue:N",
            tooltip=[alt.Tooltip("province:N", title=_("Province")),
                     alt.Tooltip("tongue:N", title=_("Mother tongue")),
                     alt.Tooltip("share:Q", title=_("Share"), format=".1%")],
            value="share"),
        tongue, {"province": _("Province"), "tongue": _("Mother tongue"),
                 "share": _("Share")}, "mother_tongue")
with right:
    st.markdown(f"#### {_('Population change 2017–2021')}")
    # each bar carries its value, outside its end (a loss: to the left of the bar)
    low, high = min(0.0, change["change_2017_2021"].min()), max(0.0,
                                                                 change["change_2017_2021"].max())
    signed = labelled(change, [("+" if v > 0 else "") + fmt_pct(v, lang)
                               for v in change["change_2017_2021"]])
    moved = alt.Chart(signed).encode(
        x=alt.X("change_2017_2021:Q", axis=value_axis(lang, percent=True), title=None,
                scale=alt.Scale(domain=[low * 1.35, high * 1.35])),
        y=PROVINCE_Y,
        tooltip=[alt.Tooltip("province:N", title=_("Province")),
                 alt.Tooltip("change_2017_2021:Q", title=_("Change"), format="+.1%")])
    chart_with_numbers(
        alt.layer(moved.mark_bar(), *[
            moved.transform_filter(f"datum.change_2017_2021 {sign} 0").mark_text(
                baseline="middle", fontSize=11, color="#333", align=align, dx=dx).encode(
                    text=alt.Text("value_label:N"))
            for sign, align, dx in (("<", "right", -3), (">=", "left", 3))]),
        change, {"province": _("Province"), "population_2017": _("Residents 2017"),
                 "population": _("Residents (Census 2021)"),
                 "change_2017_2021": _("Change")}, "population_change")

st.markdown(f"#### {_('National context: rank among 28 provinces')}")
ranks = figures.assign(province=figures["code"].map(label)).sort_values("rank_chitalishte")
for kind in ("ngo", "library"):  # a province the directory does not reach: "–", as text
    covered = ranks[f"rank_{kind}"].notna()  # (the table shows a missing number as "None")
    ranks[f"{kind}_beyond_text"] = [fmt_pct(v, lang) if c else "–" for v, c in
                                    zip(ranks[f"{kind}_share_beyond_r"], covered)]
    ranks[f"{kind}_reach_text"] = [fmt_int(v, lang) if c else "–" for v, c in
                                   zip(ranks[f"rank_{kind}"], covered)]
RANK_COLUMNS = {"province": _("Province"),
                "chitalishte_share_beyond_r": _("Beyond R: chitalishte"),
                "rank_chitalishte": _("Rank: chitalishte reach"),
                "ngo_beyond_text": _("Beyond R: NGO"),
                "ngo_reach_text": _("Rank: NGO reach"),
                "library_beyond_text": _("Beyond R: library"),
                "library_reach_text": _("Rank: library reach"),
                "per_10k_any": _("Organisations per 10,000"),
                "rank_per_10k": _("Rank: per 10,000")}
highlight = set(mine["province"])
st.dataframe(styled(ranks, RANK_COLUMNS, lang).apply(
    lambda r: ["font-weight: bold" if r[_("Province")] in highlight else "" for _c in r],
    axis=1), hide_index=True, width="stretch")
st.caption(_("Rank 1 = best served: the smallest share of residents beyond R, then the "
             "shortest mean distance; or the most organisations per 10,000 residents."))
st.caption(_("Chitalishta come from the national register, so all 28 provinces are ranked. "
             "Known NGOs and libraries come from directories of a few provinces only: they "
             "are ranked among those, and the other provinces show –."))

st.markdown(f"#### {_('Compass of the civil sector')}")
c1, c2, c3 = st.columns([2, 1, 2])
report_codes = c1.multiselect(_("Province"), chosen, default=chosen, format_func=label.get,
                              key="r_report")
report_lang = c2.selectbox(_("Language of the PDF"), list(LANGUAGE_NAMES),
                           format_func=LANGUAGE_NAMES.get,
                           index=list(LANGUAGE_NAMES).index(lang), key="r_lang")
if c3.button(_("Prepare PDF"), key="r_prepare", disabled=not report_codes):
    with st.spinner(_("Preparing the report…")):
        st.session_state["r_pdf"] = (report_codes, report_lang,
                                     data.compass_pdf(tuple(report_codes), report_lang,
                                                      float(radius)))
if st.session_state.get("r_pdf"):
    codes, doc_lang, pdf = st.session_state["r_pdf"]
    st.download_button(_("Download PDF"), pdf, f"compass-{'-'.join(codes)}-{doc_lang}.pdf",
                       "application/pdf", key="r_download")

# Published civic actions per municipality of the chosen provinces, with the same R.
actions_view.section(munis["municipality_code"], float(radius), lang, label)
