"""Every page runs through app.py, even when Streamlit would run it alone.

Streamlit treats a folder named `pages/` beside the entry script as an old-style multipage
app until `st.navigation` has run once in the process. A deep link (`/coverage?…`) opened
on a freshly started server then runs the page file by itself: without the language, the
navigation titles and the guard app.py sets up. Each page calls `through_app()` first; on
such a run it switches the old mode off and reruns, and Streamlit hands the same URL to
app.py's navigation. (Renaming the folder would avoid this, but the design names `pages/`.)
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def through_app() -> None:
    """Rerun through app.py when this run started in Streamlit's old `pages/` mode."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
