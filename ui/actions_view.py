"""Published civic actions on the Coverage and Regions pages: cached figures and the section.

The pages pass nothing but the area and R: the rows come from `ui.data.actions()`, and
Streamlit hashes that small table, so a published, changed or cancelled action gives new
figures at once, while the same table, radius and minute are computed once for everyone.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

import pandas as pd
import streamlit as st

from civic.action import now_local
from civic.i18n import place_names, translator
from civic.numbers import fmt_int
from geo.actions import municipality_figures as compute
from geo.actions import online_actions
from ui import data
from ui.tables import styled


def published(actions: pd.DataFrame) -> int:
    """How many published actions the store has (any date); 0 means none yet."""
    return int((actions["status"] == "published").sum())


@st.cache_data(show_spinner=False, max_entries=32)
def _figures(actions: pd.DataFrame, radius_km: float, now: datetime) -> pd.DataFrame:
    return compute(actions, data.municipalities(), data.settlements(), radius_km, now)


@st.cache_data(show_spinner=False, max_entries=32)
def _online(actions: pd.DataFrame, now: datetime) -> dict[str, int]:
    return online_actions(actions, now)


def municipality_figures(actions: pd.DataFrame, radius_km: float) -> pd.DataFrame:
    """Per municipality, as of now: published actions and settlements without one within R.

    The columns of `geo.actions.municipality_figures`.
    """
    return _figures(actions, float(radius_km), now_local())


def online(actions: pd.DataFrame) -> dict[str, int]:
    """Online published actions (in no municipality), last 12 months and upcoming."""
    return _online(actions, now_local())


def section(municipality_codes: Collection[str], radius_km: float, lang: str,
            province_labels: dict[str, str] | None = None) -> None:
    """The "Published actions" section for these municipalities, after a page's content.

    With `province_labels`, a province column too (code → display name).
    """
    _ = translator(lang)
    st.markdown(f"#### {_('Published actions')}")
    actions = data.actions()
    if not published(actions):
        st.info(_("No actions have been published yet. Propose the first one on the "
                  "[Actions]({url}) page.").format(url=f"/actions?lang={lang}"))
        return
    table = municipality_figures(actions, radius_km)
    table = table[table["municipality_code"].isin(set(municipality_codes))]
    m = data.municipalities()
    names = dict(zip(m["code"], place_names(m, lang)))
    table = table.assign(municipality=table["municipality_code"].map(names)).sort_values(
        ["settlements_without_action", "population"], ascending=False)
    within = (_("in the settlement itself") if radius_km <= 0
              else _("within {r} km in a straight line").format(r=fmt_int(radius_km, lang)))
    st.markdown(_("Published actions in the last 12 months: **{last}**; upcoming: "
                  "**{upcoming}**. Inhabited settlements with no published action {within}: "
                  "**{without}** of {inhabited}.").format(
        last=fmt_int(table["actions_last_12m"].sum(), lang),
        upcoming=fmt_int(table["actions_upcoming"].sum(), lang),
        without=fmt_int(table["settlements_without_action"].sum(), lang),
        inhabited=fmt_int(table["inhabited_settlements"].sum(), lang), within=within))
    columns = {"municipality": _("Municipality")}
    if province_labels is not None:
        table = table.assign(province=table["province_code"].map(province_labels))
        columns["province"] = _("Province")
    columns |= {"population": _("Residents"),
                "actions_last_12m": _("Published actions, last 12 months"),
                "per_10k_last_12m": _("per 10,000 residents, last 12 months"),
                "actions_upcoming": _("Published actions, upcoming"),
                "per_10k_upcoming": _("per 10,000 residents, upcoming"),
                "settlements_without_action": _("Inhabited settlements with no published "
                                                "action within R")}
    st.dataframe(styled(table, columns, lang), hide_index=True, width="stretch")
    away = online(actions)
    st.caption(" ".join([
        _("Only the actions published on this map, not every action that takes place: those "
          "of the last 12 months or upcoming (within a year), each counted once however often "
          "it recurs; cancelled actions are not counted."),
        _("Online published actions are in no municipality and not counted here: {last} in "
          "the last 12 months, {upcoming} upcoming.").format(
            last=fmt_int(away["last_12m"], lang), upcoming=fmt_int(away["upcoming"], lang)),
    ]))
