"""The language switch shared by every page (kept in the URL as ?lang=).

Also the document's language for the browser.
"""

from __future__ import annotations

from html import escape

import streamlit as st

from civic.i18n import LANGUAGE_NAMES, LANGUAGES, language, translator
from layers.organisations import safe_json

# Sets <html lang> and the text of Streamlit's skip link from the element's data attribute.
DOCUMENT_JS = """(() => {
  const all = document.querySelectorAll('.civic-document');
  if (!all.length) return;
  const said = JSON.parse(all[all.length - 1].dataset.document);
  document.documentElement.lang = said.lang;
  const skip = document.querySelector("[data-testid='stSkipToContent']");
  if (skip && skip.textContent !== said.skip) skip.textContent = said.skip;
})();"""

# On a phone a row of tabs wraps rather than hide its last tabs behind a sideways scroll (the
# Data page's "Moderation"); the open tab's underline sits inside the tab, so it follows.
TABS_CSS = """@media (max-width: 640px) {
  [data-testid='stTabs'] [role='tablist'] { flex-wrap: wrap; row-gap: 0.25rem; }
}"""


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


def document_language(lang: str) -> None:
    """Tell the browser the page's language, and word Streamlit's skip link in it.

    Streamlit's page says `lang="en"` whatever is shown, so a screen reader reads Bulgarian
    with English rules and its "Skip to main content" link is English on every page. The
    same element carries the styles every page shares (`TABS_CSS`).
    """
    _ = translator(lang)
    said = safe_json({"lang": lang, "skip": _("Skip to main content")})
    st.html(f'<div class="civic-document" data-document="{escape(said, quote=True)}"></div>'
            f"<style>{TABS_CSS}</style><script>{DOCUMENT_JS}</script>",
            unsafe_allow_javascript=True)
