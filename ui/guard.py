"""Every page runs behind this guard: a broken store or build gives a clear page.

A store or build that is missing, damaged or read-only gives a page in the visitor's
language, with what the operator should run folded away, never a traceback, SQL or a server path.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

import store
from civic.errors import CivicError, NotBuiltError, StoreError
from civic.i18n import translator
from store.db import loud
from ui.markdown import md_escape

COMMANDS = ("make run                   # {serve}\n"
            ".venv/bin/civicmap build   # {build}")


def failure(exc: BaseException) -> CivicError | None:
    """The error a visitor should see for `exc`; None when it is not a store/build fault."""
    if isinstance(exc, (NotBuiltError, StoreError)):
        return exc
    if isinstance(exc, SQLAlchemyError):
        return loud(exc)
    if type(exc).__module__.startswith("pyarrow") or isinstance(exc, FileNotFoundError):
        return NotBuiltError("a build file is missing or damaged; run `civicmap build`")
    return None


def show_failure(error: CivicError, lang: str) -> None:
    """The page a visitor sees instead of the content: what happened and what to run."""
    _ = translator(lang)
    st.error("### " + _("The data is not available right now"))
    st.markdown(error.text(lang, md_escape))
    if isinstance(error, NotBuiltError):
        st.markdown(_("Please try again later, or tell the library or organisation that runs "
                      "this map."))
        # the commands are for the operator only, folded away from visitors
        with st.expander(_("For the person who runs this server")):
            st.code(COMMANDS.format(serve=_("builds what is missing, then serves"),
                                    build=_("or: rebuild the data only")), language="bash")
    else:
        st.markdown(_("Nothing you entered was lost or half-saved. Please try again later."))


def guarded(run: Callable[[], None], lang: str) -> None:
    """Check the build and the store, then `run` the page; store faults show `show_failure`."""
    try:
        store.check_built()
        run()
    except Exception as exc:  # noqa: BLE001 - only store/build faults are caught below
        error = failure(exc)
        if error is None:
            raise
        show_failure(error, lang)
