"""A deep link opened first on a freshly started server runs through app.py.

Streamlit would run `pages/<page>.py` alone in that case (its old `pages/` folder mode):
no language from the URL, file names as the navigation. `ui.entry.through_app` prevents it.
"""

from __future__ import annotations

import pytest

from tests.e2e.harness import open_page, serve_app, shot

pytestmark = pytest.mark.once  # routing on a fresh server, no store behaviour: SQLite pass


def test_first_request_deep_link_gets_language_and_navigation(browser):
    with serve_app() as url:  # a server of its own: nothing has run app.py yet
        page, log = open_page(browser, url + "/regions?lang=en")
        nav = page.locator("[data-testid='stSidebarNav']")
        nav.get_by_text("Coverage", exact=True).wait_for(timeout=60000)
        shot(page, "deep-link-first-request")
        assert nav.get_by_text("app", exact=True).count() == 0
        assert page.get_by_text("Покритие", exact=True).count() == 0
        assert page.get_by_text("Regions", exact=True).count() >= 1
        assert not log.errors, log.errors
        page.context.close()
