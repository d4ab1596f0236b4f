"""Streamlit entry point: navigation over the pages and the shared language switch."""

from __future__ import annotations

import streamlit as st

from civic.i18n import translator
from ui.entry import through_app
from ui.guard import guarded
from ui.sidebar import document_language, language_picker

through_app()
st.set_page_config(page_title="Civic map · Гражданска карта", page_icon="🗺️", layout="wide")
lang = language_picker()
_ = translator(lang)
with st.sidebar:
    document_language(lang)
page = st.navigation([
    st.Page("pages/map.py", title=_("Map"), icon=":material/map:", default=True),
    st.Page("pages/nearby.py", title=_("Nearby"), icon=":material/near_me:", url_path="nearby"),
    st.Page("pages/actions.py", title=_("Actions"), icon=":material/volunteer_activism:",
            url_path="actions"),
    st.Page("pages/library.py", title=_("Libraries"), icon=":material/local_library:",
            url_path="library"),
    st.Page("pages/coverage.py", title=_("Coverage"), icon=":material/radar:",
            url_path="coverage"),
    st.Page("pages/regions.py", title=_("Regions"), icon=":material/bar_chart:",
            url_path="regions"),
    st.Page("pages/data.py", title=_("Data"), icon=":material/edit_note:", url_path="data"),
])
guarded(page.run, lang)
