"""Sections drawn only while they are open.

A closed expander or a hidden tab still has its content sent and drawn by the browser, so a
page's first view pays for forms and tables nobody has opened yet. These keep their state
(opening one reruns the page) and draw their content only when open.
"""

from __future__ import annotations

import streamlit as st


def opened(label: str, key: str):
    """An expander that reruns when opened or closed; the expander if open, else None."""
    box = st.expander(label, key=key, on_change="rerun")
    return box if box.open else None
