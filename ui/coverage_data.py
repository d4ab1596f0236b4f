"""The Coverage page's frames, gap settlements, hub plans, map and tables, once per view.

Each is computed once per view, language and state of the organisations (`version`,
`data.organisations_version`) for every session, so a view seen before costs its rerun
little but sending. Cached functions live in a module, not in the page: a page script
defines its functions anew on every run, and Streamlit then reads and hashes each cached
function's source again (a tenth of a rerun under load). What they return is read, never
changed, by the page.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from civic.i18n import place_names, term, translator
from civic.numbers import fmt_int, fmt_km
from geo.coverage import KINDS, summarise
from layers.basemap import province_map
from layers.coverage import coverage_layers
from ui import data
from ui.lazy import opened
from ui.tables import styled


def kind_words(lang: str) -> dict[str, str]:
    """Each measured kind as the headline's words name it ('known NGO')."""
    _ = translator(lang)
    return {"ngo": _("known NGO"), "chitalishte": _("chitalishte"),
            "library": _("library"), "any": _("organisation of any kind")}


def municipality_labels(lang: str) -> dict[str, str]:
    """Municipality code → its name in `lang`."""
    m = data.municipalities()
    return dict(zip(m["code"], place_names(m, lang)))


def gap_columns(lang: str) -> dict[str, str]:
    """The gap table's columns and their headers."""
    _ = translator(lang)
    return {"settlement": _("Settlement"), "municipality": _("Municipality"),
            "population": _("Residents"), "missing": _("Missing within R"),
            "nearest_ngo_km": _("Nearest known NGO, km"),
            "nearest_chitalishte_km": _("Nearest chitalishte, km"),
            "nearest_library_km": _("Nearest library, km"),
            "access_2sfca": _("Reach of any kind (2SFCA, per 10,000)")}


def municipality_columns(lang: str) -> dict[str, str]:
    """The municipality table's columns and their headers."""
    _ = translator(lang)
    return {"municipality": _("Municipality"), "residents": _("Residents"),
            "count_ngo": _("Known NGOs"), "count_chitalishte": _("Chitalishta"),
            "count_library": _("Libraries"), "per_10k_any": _("Organisations per 10,000"),
            "residents_beyond_r": _("Residents beyond R"),
            "share_beyond_r": _("Share beyond R"),
            "pw_mean_km": _("Mean distance to the nearest, km"),
            "gap_settlements": _("Gap settlements"), "rank_in_selection": _("Rank")}


@st.cache_resource(show_spinner=False, max_entries=64)
def view_frames(provinces: tuple[str, ...], municipalities: tuple[str, ...], kind: str,
                radius: int, presumed: bool, version: int) -> dict:
    """The area's settlements (`cov`), their summary (`area`) and municipalities (`munis`).

    The area: the provinces, narrowed to the municipalities when some are chosen.
    """
    cov = data.settlement_coverage(float(radius), presumed)
    in_area = cov["province_code"].isin(provinces)
    if municipalities:
        in_area &= cov["municipality_code"].isin(municipalities)
    cov = cov[in_area]
    munis = data.municipality_coverage(float(radius), presumed, tuple(sorted(provinces)), kind)
    return {"cov": cov, "area": summarise(cov.assign(area="all"), "area").iloc[0],
            "munis": munis[munis["municipality_code"].isin(cov["municipality_code"].unique())]}


@st.cache_resource(show_spinner=False, max_entries=64)
def gaps_and_plans(provinces: tuple[str, ...], municipalities: tuple[str, ...], kind: str,
                   radius: int, presumed: bool, k: int, lang: str, version: int) -> tuple:
    """The gap settlements, labelled in `lang`, and the hub plans (None when k is 0).

    Gap settlements: inhabited, and no organisation of `kind` within R; most residents
    first. Plans may be {"error": PlanError}.
    """
    _ = translator(lang)
    cov = view_frames(provinces, municipalities, kind, radius, presumed, version)["cov"]
    points = data.settlements().set_index("ekatte").geometry
    place_label, muni_label = data.settlement_labels(lang), municipality_labels(lang)
    word = kind_words(lang)[kind]
    gaps = cov[cov[f"gap_{kind}"]].sort_values("population", ascending=False)
    gaps = gaps.assign(
        settlement=gaps["ekatte"].map(place_label).fillna(gaps["settlement"]),
        municipality=gaps["municipality_code"].map(muni_label),
        lon=gaps["ekatte"].map(points).map(lambda p: p.x),
        lat=gaps["ekatte"].map(points).map(lambda p: p.y),
        missing=[", ".join(term(k_, lang) for k_ in KINDS if getattr(r, f"beyond_{k_}"))
                 for r in gaps.itertuples()],
        note=[_("nearest {kind}: {km}").format(
            kind=word, km=fmt_km(getattr(r, f"nearest_{kind}_km"), lang))
            for r in gaps.itertuples()])
    plans = data.hubs(tuple(sorted(cov["ekatte"])), float(radius), k,
                      "ngo" if kind == "any" else kind) if k else None
    return gaps, plans


@st.cache_resource(show_spinner=False, max_entries=32)
def coverage_map(key: tuple, provinces: tuple[str, ...], measure: str, title: str, lang: str,
                 tiles, version: int, _munis: pd.DataFrame, _gaps: pd.DataFrame, _plans):
    """The coverage map for one view (`key`), language and state of the organisations.

    The municipalities, gaps and plans it draws follow from those, so they are not hashed;
    drawing (natural breaks, outlines) is most of a rerun, and every session shares it.
    """
    fmap = province_map(data.provinces(), list(provinces), lang, tiles)
    hub_sites = {"existing": _plans["existing"], "new": _plans["new"]} if _plans else {}
    coverage_layers(fmap, data.municipalities(), _munis, measure, _gaps, hub_sites, lang,
                    title)
    return fmap


TABS = ("gaps", "municipalities", "hubs")


def table_tabs(key: tuple, kind: str, lang: str, version: int, gap_table: pd.DataFrame,
               muni_table: pd.DataFrame, plans) -> None:
    """The three tabs of tables, in a section drawn once opened; only the open tab is drawn.

    The section and the tabs keep their state (a switch reruns), so a first visit draws the
    map without a table grid competing for the browser, and an open section draws one table,
    not four.
    """
    _ = translator(lang)
    box = opened(_("Tables: gap settlements, municipalities, hub suggestions"), "c_tables")
    if box is None:
        return
    tabs = box.tabs([_("Gap settlements"), _("Municipalities, least served first"),
                     _("Hub suggestions")], key="c_table", on_change="rerun")
    for which, tab in zip(TABS, tabs):
        if tab.open:
            with tab:
                table_tab(which, key, kind, lang, version, gap_table, muni_table, plans)


@st.cache_resource(show_spinner=False, max_entries=96)
def table_tab(which: str, key: tuple, kind: str, lang: str, version: int,
              _gap_table: pd.DataFrame, _muni_table: pd.DataFrame, _plans) -> None:
    """One tab's table for one view, language and state of the organisations.

    Formatting every cell (a pandas Styler) was the costliest part of a Coverage rerun;
    Streamlit records the elements drawn here and replays them on a hit, so each view is
    formatted once for every session. The tables follow from the arguments, not hashed.
    """
    _ = translator(lang)
    words = kind_words(lang)
    if which == "gaps":
        st.caption(_("Inhabited settlements with no {kind} within R, most residents first.")
                   .format(kind=words[kind]))
        st.dataframe(styled(_gap_table, gap_columns(lang), lang), hide_index=True,
                     width="stretch")
        return
    if which == "municipalities":
        st.dataframe(styled(_muni_table, municipality_columns(lang), lang), hide_index=True,
                     width="stretch")
        return
    if not _plans:
        st.info(_("Set a number of hub suggestions in the sidebar."))
        return
    covered = _plans["covered"]
    st.write(_("Residents with no {kind} within {r} km: {n}").format(
        kind=words["ngo" if kind == "any" else kind], r=fmt_int(_plans["radius_km"], lang),
        n=fmt_int(covered["without"], lang)))
    hub_columns = {"name": _("Site"), "settlement": _("Settlement"),
                   "newly_covered": _("Residents newly within R")}
    place_label = data.settlement_labels(lang)
    sites = {k: _plans[k].assign(settlement=_plans[k]["ekatte"].map(place_label)
                                 .fillna(_plans[k]["settlement"])) for k in ("existing", "new")}
    st.write(_("Existing chitalishta and libraries as hubs would newly reach {n}")
             .format(n=fmt_int(covered["existing"], lang)))
    st.dataframe(styled(sites["existing"], hub_columns, lang), hide_index=True,
                 width="stretch")
    st.write(_("New sites at settlements would newly reach {n}")
             .format(n=fmt_int(covered["new"], lang)))
    st.dataframe(styled(sites["new"], {k: v for k, v in hub_columns.items() if k != "name"},
                        lang), hide_index=True, width="stretch")
