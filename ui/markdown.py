"""Show user-supplied text inside Streamlit markdown as text, never as markup."""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~$:])")


def md_escape(text: str) -> str:
    """Backslash-escape every character markdown (or Streamlit's extensions) would read."""
    return _SPECIAL.sub(r"\\\1", text.replace("\n", " "))
