"""The language switch shared by every page, kept in the URL as ?lang=."""

from __future__ import annotations

import streamlit as st

from civic.i18n import LANGUAGE_NAMES, LANGUAGES, language


def language_picker() -> str:
    """The chosen language; Bulgarian unless the URL or the user says otherwise."""
    if "lang" not in st.session_state:
        st.session_state["lang"] = language(st.query_params.get("lang"))
    lang = st.sidebar.selectbox(
        "🌐", LANGUAGES, key="lang", format_func=LANGUAGE_NAMES.get,
        label_visibility="collapsed",
    )
    st.query_params["lang"] = lang
    return lang
