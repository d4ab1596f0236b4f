"""Regions page for funders: provinces side by side, national ranks, the printable Compass."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from civic.i18n import term, translator
from geo.regions import fields_by_province, presence_distribution
from reports.export import table_csv
from ui import data

lang = st.session_state.get("lang", "bg")
_ = translator(lang)
provinces = data.provinces()
label = data.province_labels(lang)

st.subheader(_("Regions"))
with st.sidebar:
    st.header(_("Regions"))
    chosen = st.multiselect(_("Province"), sorted(label, key=label.get),
                            default=["KRZ", "RAZ", "VRC"], key="r_provinces",
                            format_func=label.get)
    radius = st.slider(_("Radius R, km"), 1, 30, 10, key="r_radius")
if not chosen:
    st.info(_("Choose at least one province and one kind."))
    st.stop()

figures = data.province_figures(float(radius))
mine = figures[figures["code"].isin(chosen)].assign(province=lambda d: d["code"].map(label))


def chart_with_numbers(chart: alt.Chart, table: pd.DataFrame, name: str) -> None:
    """A chart, and its numbers as a table and a CSV download right under it."""
    st.altair_chart(chart, width="stretch")
    with st.expander(_("Numbers")):
        st.dataframe(table, hide_index=True, width="stretch")
        st.download_button(_("Download CSV"), table_csv(table), f"{name}.csv", "text/csv",
                           key=f"dl_{name}")


kinds = pd.DataFrame([
    {"province": r.province, "kind": term(k, lang), "organisations": getattr(r, f"count_{k}"),
     "per_10k": getattr(r, f"per_10k_{k}")}
    for r in mine.itertuples() for k in ("ngo", "chitalishte", "library")])
st.markdown(f"#### {_('Organisations per 10,000 residents')}")
chart_with_numbers(
    alt.Chart(kinds).mark_bar().encode(
        x=alt.X("per_10k:Q", title=_("per 10,000")), y=alt.Y("province:N", title=None),
        color=alt.Color("kind:N", title=_("Kind")), yOffset="kind:N",
        tooltip=["province", "kind", "organisations", "per_10k"]),
    kinds, "organisations_by_kind")

fields = fields_by_province(data.organisations().query("status == 'active'"), chosen)
fields = fields.assign(province=fields["province_code"].map(label),
                       field=fields["field"].map(lambda f: term(f, lang)))
st.markdown(f"#### {_('Field of activity')}")
chart_with_numbers(
    alt.Chart(fields).mark_bar().encode(
        x=alt.X("organisations:Q", title=_("Organisations")),
        y=alt.Y("field:N", sort="-x", title=None), color=alt.Color("province:N", title=None),
        yOffset="province:N", tooltip=["province", "field", "organisations"]),
    fields[["province", "field", "organisations"]], "fields")

coverage = mine[["province", "population", "residents_beyond_r", "share_beyond_r",
                 "gap_settlements", "gap_population", "median_presence_index",
                 "rank_per_10k", "rank_share_beyond_r"]]
st.markdown(f"#### {_('Coverage gaps')}")
chart_with_numbers(
    alt.Chart(coverage).mark_bar().encode(
        x=alt.X("share_beyond_r:Q", title=_("Share of residents beyond R"),
                axis=alt.Axis(format="%")),
        y=alt.Y("province:N", title=None), tooltip=list(coverage.columns)),
    coverage, "coverage")

presence = presence_distribution(data.settlement_coverage(
    float(radius), ("ngo", "chitalishte", "library"), True), chosen)
presence = presence.assign(province=presence["province_code"].map(label))
st.markdown(f"#### {_('Civic presence index')}")
chart_with_numbers(
    alt.Chart(presence).mark_bar().encode(
        x=alt.X("band:N", title=_("Civic presence index"), sort=None),
        y=alt.Y("settlements:Q", title=_("Settlements")), color="province:N",
        xOffset="province:N", tooltip=["province", "band", "settlements"]),
    presence[["province", "band", "settlements"]], "presence_index")

bands = {"age0_14": "0–14", "age15_29": "15–29", "age30_44": "30–44", "age45_64": "45–64",
         "age65plus": "65+"}
ages = pd.DataFrame([{"province": r["province"], "age": v, "share": r[f"share_{k}"]}
                     for _i, r in mine.iterrows() for k, v in bands.items()])
st.markdown(f"#### {_('Census 2021: age structure')}")
chart_with_numbers(
    alt.Chart(ages).mark_bar().encode(
        x=alt.X("share:Q", stack="normalize", axis=alt.Axis(format="%"), title=None),
        y=alt.Y("province:N", title=None), color=alt.Color("age:N", sort=list(bands.values())),
        tooltip=["province", "age", alt.Tooltip("share:Q", format=".1%")]),
    ages, "age_structure")

tongues = {"mother_tongue_bulgarian": _("Bulgarian"), "mother_tongue_turkish": _("Turkish"),
           "mother_tongue_roma": _("Romani")}
tongue = pd.DataFrame([{"province": r["province"], "mother tongue": v, "share": r[f"share_{k}"]}
                       for _i, r in mine.iterrows() for k, v in tongues.items()])
change = mine[["province", "population_2017", "population", "change_2017_2021"]]
left, right = st.columns(2)
with left:
    st.markdown(f"#### {_('Mother tongue')}")
    chart_with_numbers(
        alt.Chart(tongue).mark_bar().encode(
            x=alt.X("share:Q", axis=alt.Axis(format="%"), title=None),
            y=alt.Y("province:N", title=None), color="mother tongue:N",
            yOffset="mother tongue:N", tooltip=["province", "mother tongue", "share"]),
        tongue, "mother_tongue")
with right:
    st.markdown(f"#### {_('Population change 2017–2021')}")
    chart_with_numbers(
        alt.Chart(change).mark_bar().encode(
            x=alt.X("change_2017_2021:Q", axis=alt.Axis(format="%"), title=None),
            y=alt.Y("province:N", title=None), tooltip=list(change.columns)),
        change, "population_change")

st.markdown(f"#### {_('Municipalities')}")
munis = data.municipality_coverage(float(radius), ("ngo", "chitalishte", "library"), True,
                                   tuple(sorted(chosen)))
munis = munis[munis["province_code"].isin(chosen)]
st.dataframe(munis, hide_index=True, width="stretch")
st.download_button(_("Download CSV"), table_csv(munis), "municipalities.csv", "text/csv",
                   key="dl_munis")

st.markdown(f"#### {_('National context: rank among 28 provinces')}")
ranks = figures.assign(province=figures["code"].map(label))[
    ["province", "per_10k_any", "rank_per_10k", "share_beyond_r", "rank_share_beyond_r"]
].sort_values("rank_per_10k")
st.dataframe(ranks.style.apply(lambda r: ["font-weight: bold" if r["province"] in
                                          set(mine["province"]) else "" for _c in r], axis=1),
             hide_index=True, width="stretch")

st.markdown(f"#### {_('Compass of the civil sector')}")
c1, c2, c3 = st.columns([2, 1, 2])
report_province = c1.selectbox(_("Province"), chosen, format_func=label.get, key="r_report")
report_lang = c2.selectbox("🌐", ["bg", "en"], index=0 if lang == "bg" else 1, key="r_lang")
if c3.button(_("Prepare PDF"), key="r_prepare"):
    with st.spinner(_("Preparing the report…")):
        st.session_state["r_pdf"] = (report_province, report_lang,
                                     data.compass_pdf(report_province, report_lang,
                                                      float(radius)))
if st.session_state.get("r_pdf"):
    code, doc_lang, pdf = st.session_state["r_pdf"]
    st.download_button(_("Download PDF"), pdf, f"compass-{code}-{doc_lang}.pdf",
                       "application/pdf", key="r_download")
