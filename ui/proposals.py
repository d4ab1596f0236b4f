"""Sending a proposal from a page: the per-address limit first, then the store.

The Data page (organisations) and the Actions page (civic actions) send proposals the same
way; only what is proposed and the thanks differ.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from civic.errors import CivicError
from civic.i18n import translator
from intake import moderation
from ui import data
from ui.markdown import md_escape


def send(make_proposal: Callable[[], int], thanks: str, lang: str) -> None:
    """Check the proposal limit, then store the proposal; messages in `lang`.

    `make_proposal` stores it and returns its number; `thanks` (already translated) says
    what happens next, with `{n}` for that number.
    """
    _ = translator(lang)
    try:
        wait = moderation.proposal_wait(data.client_address())
        if wait:
            st.error(_("Too many proposals from this address; try again in {s} s.")
                     .format(s=int(wait)))
            return
        number = make_proposal()
    except CivicError as exc:
        st.error(exc.text(lang, md_escape))
        return
    st.success(thanks.format(n=number))
