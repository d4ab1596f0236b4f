"""Streamlit entry point: navigation over the pages and the shared language switch."""

from __future__ import annotations

import streamlit as st

from civic.i18n import translator
from ui.sidebar import language_picker

st.set_page_config(page_title="Civic map · Гражданска карта", page_icon="🗺️", layout="wide")
lang = language_picker()
_ = translator(lang)
page = st.navigation([st.Page("pages/map.py", title=_("Map"), icon="🗺️", default=True)])
page.run()
