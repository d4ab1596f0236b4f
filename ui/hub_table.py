"""The "Libraries as hubs" table on Regions: the Compass's table (reports.compass.hub_table).

One row per library site serving the chosen area, most residents beyond R first; each name
links to the library's page; the CSV keeps machine column names and the parameters.
"""

from __future__ import annotations

from urllib.parse import quote

import pandas as pd
import streamlit as st

from civic.i18n import translator
from reports.compass import hub_definition
from reports.export import table_csv
from ui.tables import styled

LINK_TEXT = r"#(.+)$"  # the link shows the library's name, carried after the '#'


def page_link(page_id: str, name: str, lang: str) -> str:
    """The library page's address, relative to the app, with the name as its fragment."""
    return f"library?id={quote(page_id)}&lang={lang}#{name}"


def columns(_) -> dict[str, str]:
    """Machine column → header, as a librarian reads it."""
    return {"library": _("Library"), "settlement": _("Settlement"),
            "municipality": _("Municipality"), "offer": _("What it offers"),
            "ngos_presented": _("NGOs it presents"),
            "residents": _("Residents in its catchment"),
            "beyond_r": _("Of them beyond R of any known NGO"),
            "beyond_r_share": _("Share beyond R")}


def machine(table: pd.DataFrame, radius_km: int, municipalities: str = "") -> pd.DataFrame:
    """The CSV's rows: stable machine columns and the parameters used."""
    keep = ["site_id", "page_id", "name", "settlement", "municipality_code", "municipality",
            "province_code", "offer", "ngos_presented", "settlements", "residents", "ngos",
            "chitalishta", "beyond_r", "beyond_r_share"]
    return table[keep].assign(radius_km=radius_km, library_definition="known_and_presumed",
                              ngos="known NGOs only", distances="straight-line, EPSG:7801",
                              municipalities=municipalities)


def section(table: pd.DataFrame, lang: str, radius_km: int, known_ngos: int,
            municipalities: tuple[str, ...] = ()) -> None:
    """The heading, the definition, the table with links, and its CSV (with the filter)."""
    _ = translator(lang)
    st.markdown(f"#### {_('Libraries as hubs')}")
    st.caption(hub_definition(lang, radius_km, known_ngos))
    if table.empty:
        st.info(_("No library serves an inhabited settlement of the chosen area."))
        return
    shown = table.assign(library=[page_link(p, n, lang)
                                  for p, n in zip(table["page_id"], table["name"])])
    headers = columns(_)
    st.dataframe(styled(shown, headers, lang), hide_index=True, width="stretch",
                 column_config={headers["library"]: st.column_config.LinkColumn(
                     display_text=LINK_TEXT)})
    rows = machine(table, radius_km, ",".join(municipalities))
    st.download_button(_("Download CSV"), table_csv(rows), "libraries_as_hubs.csv", "text/csv",
                       key="dl_hubs")
