"""The Regions page in Debian's Chromium: its view in the URL, the municipality filter.

A URL opens the page in that view (provinces, municipality, R); a widget change writes the
URL back (the language kept); a bogus province falls back to the defaults, no traceback.
"""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

from tests.e2e.harness import open_page, shot, wait_idle
from tests.e2e.test_coverage_e2e import _wait_url


def _sidebar_choices(page, label: str) -> list[str]:
    """The chosen options of a sidebar multiselect, as shown."""
    box = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").filter(
        has_text=label)
    return [t.strip() for t in box.locator("[data-tag] span[title]").all_inner_texts()]


def _slider(page):
    return page.locator("[data-testid='stSidebar'] [data-testid='stSlider'] "
                        "input[type='range']").first


def _slider_value(page) -> str:
    return _slider(page).get_attribute("aria-valuetext")


def _ready(page) -> None:
    page.get_by_text("Municipalities, least served first", exact=True).wait_for(timeout=90000)
    wait_idle(page, 60)


def test_url_state_opens_changes_and_falls_back(app_url, browser):
    page, log = open_page(browser, f"{app_url}/regions?prov=KRZ&muni=KRZ16&r=5&lang=en")
    _ready(page)
    assert _sidebar_choices(page, "Province") == ["Кърджали (Kardzhali)"]
    assert _sidebar_choices(page, "Municipality") == ["Кърджали (Kardzhali)"]  # KRZ16
    assert _slider_value(page) == "5"
    # the caption says what the filter narrows; the least-served table is KRZ16 alone
    page.get_by_text("narrows only the municipality tables").first.wait_for(timeout=30000)
    with page.expect_download(timeout=60000) as download:
        page.locator(".st-key-dl_munis button").click()
    rows = list(csv.DictReader(io.StringIO(
        Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert [r["municipality_code"] for r in rows] == ["KRZ16"], rows
    assert rows[0]["radius_km"] == "5" and rows[0]["municipalities"] == "KRZ16"
    # libraries as hubs: only the libraries in KRZ16, most residents beyond R first
    page.get_by_text("Libraries as hubs", exact=True).first.wait_for(timeout=30000)
    with page.expect_download(timeout=60000) as download:
        page.locator(".st-key-dl_hubs button").click()
    hubs = list(csv.DictReader(io.StringIO(
        Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert hubs and {r["municipality_code"] for r in hubs} == {"KRZ16"}, hubs
    beyond = [int(r["beyond_r"]) for r in hubs]
    assert beyond == sorted(beyond, reverse=True) and hubs[0]["radius_km"] == "5"
    assert hubs[0]["municipalities"] == "KRZ16"
    # a library's name opens its page, in the reader's language
    opened = []
    page.context.on("page", lambda p: opened.append(p))
    grid = page.locator(".st-key-dl_hubs").locator(
        "xpath=preceding::div[@data-testid='stDataFrame'][1]")
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    for _attempt in range(3):  # the first click may only select the cell
        page.mouse.click(box["x"] + 40, box["y"] + 35 + 17)
        deadline = time.monotonic() + 5
        while not opened and time.monotonic() < deadline:
            page.wait_for_timeout(200)
        if opened:
            break
    assert opened, "the library's link opened nothing"
    library = opened[0]
    library.wait_for_load_state()
    assert f"/library?id={hubs[0]['page_id']}&lang=en" in library.url, library.url
    library.get_by_text("Whom it serves").first.wait_for(timeout=60000)
    library.close()
    shot(page, "regions-en-filtered")
    # changing R with the keyboard writes the URL back, the language and filter kept
    _slider(page).focus()
    page.keyboard.press("ArrowRight")
    url = _wait_url(page, r"[?&]r=6\b")
    assert "lang=en" in url and "prov=KRZ" in url and "muni=KRZ16" in url, url
    wait_idle(page, 60)
    assert _slider_value(page) == "6"
    assert not log.errors, log.errors
    page.context.close()

    page, log = open_page(browser, f"{app_url}/regions?prov=XXX&r=abc&lang=en")
    _ready(page)
    assert _sidebar_choices(page, "Province") == ["Кърджали (Kardzhali)", "Разград (Razgrad)",
                                                  "Враца (Vratsa)"]
    assert _slider_value(page) == "10"
    assert page.locator("[data-testid='stException']").count() == 0
    _wait_url(page, r"[?&]prov=KRZ(,|%2C)RAZ(,|%2C)VRC\b")
    assert not log.errors, log.errors
    page.context.close()
