"""Streamlit entry point: loaded counts per province (the map arrives with its own page)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from civic import store
from civic.stats import stats

st.set_page_config(page_title="Civic map", layout="wide")


@st.cache_data(show_spinner=False)
def load_stats() -> dict:
    provinces = sorted(store.load_provinces()["code"])
    return stats(store.load_organisations(), store.load_settlements(), provinces)


doc = load_stats()
st.title("Карта на гражданския сектор")
table = pd.DataFrame(doc["organisations"]).T
table["settlements"] = pd.Series(doc["settlements"])
table["population_2021"] = pd.Series(doc["population_2021"])
st.dataframe(table.loc[["KRZ", "RAZ", "VRC"]])
