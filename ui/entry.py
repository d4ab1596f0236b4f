"""Every page runs through app.py, even when Streamlit would run it alone.

Streamlit treats a folder named `pages/` beside the entry script as an old-style multipage
app until `st.navigation` has run once in the process. A deep link (`/coverage?…`) opened
on a freshly started server then runs the page file by itself: without the language, the
navigation titles and the guard app.py sets up; and even app.py, run that way, gets widget
identities that change on the next run (the user's first language change is lost).
app.py and each page call `through_app()` first; on such a run it switches the old mode
off and runs app.py in its place, in the same script run, whose navigation then runs the
page asked for.
(Renaming the folder would avoid this, but the design names `pages/`.)
"""

from __future__ import annotations

import runpy

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

from civic.settings import PROJECT_ROOT

APP = PROJECT_ROOT / "app.py"


def through_app() -> None:
    """Run app.py instead when this run started in Streamlit's old `pages/` mode.

    app.py runs under the main script's hash, as Streamlit runs it on every later run, so
    its widgets (the language switch) keep their identity and the user's first change.
    """
    ctx = get_script_run_ctx()
    if PagesManager.uses_pages_directory and ctx is not None:
        PagesManager.uses_pages_directory = False
        with ctx.run_with_active_hash(ctx.pages_manager.main_script_hash):
            runpy.run_path(str(APP), run_name="__main__")
        st.stop()
