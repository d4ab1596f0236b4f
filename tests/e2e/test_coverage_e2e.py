"""The Coverage page in Debian's Chromium.

Gaps at a glance at its defaults, a legend with real classes, the view in the URL (kept
across pages), desktop and phone screenshots.
"""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import openpyxl
import pytest

from tests.e2e.harness import open_page, shot, wait_idle
from tests.e2e.test_map_e2e import PHONE_AGENT

LEGEND = ("(() => { const d = document.querySelector('.civic-legend'); if (!d) return null;"
          " return {text: d.innerText, classes: d.querySelectorAll('.class').length}; })()")


def coverage_legend(page, differs_from: str | None = None, timeout: float = 60,
                    showing: str = "") -> dict:
    """The coverage map's legend once drawn.

    If asked, once it changed and shows the text `showing`, such as the radius.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in page.frames:
            if "st_folium" not in frame.url:
                continue
            try:
                legend = frame.evaluate(LEGEND)
            except Exception:  # the frame is being replaced
                continue
            if legend and legend["classes"] and legend["text"] != differs_from \
                    and showing in legend["text"]:
                return legend
        page.wait_for_timeout(200)
    raise AssertionError("the coverage map's legend did not appear or change")


def headline(page) -> str:
    """The sentence above the figures ('**20,8%** of residents …')."""
    box = page.locator("[data-testid='stMarkdownContainer']").filter(
        has=page.locator("strong")).first
    box.wait_for(timeout=60000)
    return box.inner_text()


def first_share(page) -> float:
    value = page.locator(".civic-figure-value").first
    value.wait_for(timeout=60000)
    return float(value.inner_text().strip().rstrip("%").replace(",", "."))


def _wait_url(page, pattern: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if re.search(pattern, page.url):
            return page.url
        page.wait_for_timeout(200)
    raise AssertionError(f"URL {page.url} never matched {pattern}")


STRAIGHT = {"bg": "по права линия", "en": "straight line"}
KNOWN_NGOS = {"bg": "известните", "en": "known NGOs"}
GROUPS = {"bg": ("Разстояние (по права линия, R = 10 км)", "Наличие в самото населено място"),
          "en": ("Distance (straight line, R = 10 km)", "Presence in the settlement itself")}


@pytest.mark.parametrize("lang", ["bg", "en"])
def test_defaults_show_the_gaps(app_url, browser, lang):
    page, log = open_page(browser, f"{app_url}/coverage?lang={lang}")
    legend = coverage_legend(page)
    wait_idle(page)
    assert legend["classes"] >= 4, legend
    assert first_share(page) >= 15  # residents beyond 10 km of a known NGO, three provinces
    text = headline(page)
    assert re.search(r"[1-9]", text)
    # the sentence names its definition: straight-line distance, only the known NGOs
    assert STRAIGHT[lang] in text and KNOWN_NGOS[lang] in text, text
    for label in GROUPS[lang]:  # distance and presence figures in two labelled groups
        page.get_by_text(label).first.wait_for(timeout=30000)
    shot(page, f"coverage-{lang}-desktop")
    assert not log.errors, log.errors
    page.context.close()
    phone, log = open_page(browser, f"{app_url}/coverage?lang={lang}", width=390, height=844,
                           user_agent=PHONE_AGENT, is_mobile=True, has_touch=True)
    assert coverage_legend(phone)["classes"] >= 4
    wait_idle(phone)
    shot(phone, f"coverage-{lang}-phone")
    phone.locator("iframe").first.scroll_into_view_if_needed()
    wait_idle(phone)
    shot(phone, f"coverage-{lang}-phone-map")
    assert not log.errors, log.errors
    phone.context.close()


def test_url_reproduces_a_changed_view_and_survives_other_pages(app_url, browser):
    page, log = open_page(browser, f"{app_url}/coverage?lang=en")
    before = coverage_legend(page)
    wait_idle(page)
    page.get_by_text("5 km", exact=True).click()
    coverage_legend(page, differs_from=before["text"], showing="R: 5 km")
    url = _wait_url(page, r"[?&]r=5\b")
    wait_idle(page)
    changed = headline(page)
    assert "more than 5 km (straight line)" in changed
    # the workbook has translated headers and records the parameters
    with page.expect_download(timeout=60000) as download:
        page.get_by_role("button", name="Download XLSX").click()
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    gaps = book[book.sheetnames[0]]
    assert [c.value for c in gaps[1]][:3] == ["Settlement", "Municipality", "Residents"]
    about = " ".join(str(c.value) for c in book["about"]["A"])
    assert "radius_km: 5" in about and "library_definition: known_by_name" in about
    # the same URL in a fresh browser shows the same view
    other, _log = open_page(browser, url)
    coverage_legend(other)
    wait_idle(other)
    assert headline(other) == changed
    other.context.close()
    # to another page and back: the view is kept
    page.get_by_role("link", name="Regions").click()
    _wait_url(page, r"/regions")
    wait_idle(page)
    page.get_by_role("link", name="Coverage").click()
    _wait_url(page, r"/coverage.*[?&]r=5\b")
    coverage_legend(page)
    wait_idle(page)
    assert headline(page) == changed
    assert not log.errors, log.errors
    page.context.close()


@pytest.mark.parametrize("lang", ["bg", "en"])
def test_regions_screens(app_url, browser, lang):
    page, log = open_page(browser, f"{app_url}/regions?lang={lang}")
    page.locator("[data-testid='stVegaLiteChart']").first.wait_for(timeout=90000)
    wait_idle(page, 60)
    shot(page, f"regions-{lang}-desktop")
    page.context.close()
    page, log = open_page(browser, f"{app_url}/regions?lang={lang}", width=390, height=844,
                          user_agent=PHONE_AGENT, is_mobile=True, has_touch=True)
    page.locator("[data-testid='stVegaLiteChart']").first.wait_for(timeout=90000)
    wait_idle(page, 60)
    shot(page, f"regions-{lang}-phone")
    assert not log.errors, log.errors
    page.context.close()
