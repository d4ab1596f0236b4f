"""A damaged or missing build/store in Chromium.

A clear page in the visitor's language with what to run, never a traceback, SQL or a
server path; `make run` rebuilds an incomplete build; a missing store is not silently
created.
"""

from __future__ import annotations

import pytest

from tests.e2e.harness import open_page, private_store, serve_app, shot, wait_idle

pytestmark = pytest.mark.own_store  # its own SQLite store: runs once, in the SQLite pass

LEAKS = ("Traceback", "OperationalError", "SELECT", "pyarrow", "/tmp/", "sqlite:")


@pytest.fixture(scope="module")
def build_env(tmp_path_factory):
    return private_store(tmp_path_factory.mktemp("faults"))


def _page_text(browser, url: str, name: str) -> str:
    page, log = open_page(browser, url)
    page.get_by_text("civicmap build").first.wait_for(timeout=30000)
    wait_idle(page)
    shot(page, name)
    main = page.locator("[data-testid='stMain']")
    assert "make run" not in main.inner_text()  # a visitor is not told to run commands
    main.locator("[data-testid='stExpander'] summary").first.click()  # the operator's part
    page.get_by_text("make run").first.wait_for(timeout=10000)
    text = main.inner_text()
    page.context.close()
    return text


def test_damaged_files_show_a_clear_page_then_make_run_rebuilds(build_env, browser, tmp_path):
    from pathlib import Path

    folder = Path(build_env["CIVICMAP_BUILD_DIR"])
    with serve_app(build_env) as url:
        (folder / "settlements.parquet").write_bytes(b"")  # as a killed old-style build left it
        bg = _page_text(browser, url + "/", "fault-damaged-bg")
        en = _page_text(browser, url + "/nearby?lang=en", "fault-damaged-en")
    assert "Данните не са достъпни в момента" in bg and "settlements.parquet" in bg
    assert "The data is not available right now" in en and "make run" in en
    assert not [leak for leak in LEAKS if leak in bg + en]
    with serve_app(build_env) as url:  # make run sees the incomplete build and rebuilds
        page, log = open_page(browser, url + "/?lang=en")
        page.locator("iframe[title*='st_folium']").first.wait_for(timeout=60000)
        assert page.get_by_text("The data is not available").count() == 0
        page.context.close()


def test_missing_store_is_reported_not_created(build_env, browser):
    from pathlib import Path

    database = Path(build_env["CIVICMAP_DATABASE_URL"].removeprefix("sqlite:///"))
    with serve_app(build_env) as url:
        database.rename(database.with_suffix(".away"))
        try:
            # a deep link first, on a fresh server: it too runs through app.py's guard
            english = _page_text(browser, url + "/data?lang=en", "fault-no-store-en")
            assert "The organisation store is missing" in english.replace("the org", "The org")
            text = _page_text(browser, url + "/data", "fault-no-store-bg")
            assert "хранилището с организации липсва" in text
            assert not [leak for leak in LEAKS if leak in text]
            assert not database.exists()  # the app did not create an empty store
        finally:
            database.with_suffix(".away").rename(database)
