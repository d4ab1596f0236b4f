"""Nearby on a phone in Chromium: Cyrillic and Latin search, suggestions, map click, GPS."""

from __future__ import annotations

import re
import time

from tests.e2e.harness import open_page, shot

PHONE = {"width": 390, "height": 844, "is_mobile": True, "has_touch": True}


def _results(page, timeout: float = 30) -> list[str]:
    """The result card titles once the list shows."""
    cards = page.locator(".result b")
    cards.first.wait_for(timeout=timeout * 1000)
    return cards.all_inner_texts()


def _count(page) -> int:
    text = page.get_by_text(re.compile(r"в радиус \d+ км|within \d+ km")).first
    text.wait_for(timeout=30000)
    return int(re.search(r"\d+", text.inner_text()).group())


def _search(page, text: str) -> None:
    box = page.locator("input.q")
    box.wait_for(timeout=30000)
    box.fill(text)
    box.press("Enter")


def _distances(page) -> list[float]:
    return [float(x) for x in re.findall(r"· ([\d.]+) km", page.locator(".result").first
                                         .locator("xpath=..").inner_text())]


def _wait_for_leaflet(page, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in page.frames:
            try:
                if "st_folium" in frame.url and frame.evaluate(
                        "typeof window.map !== 'undefined' && !!window.map._loaded"):
                    page.wait_for_timeout(500)  # let st_folium apply centre and zoom
                    return
            except Exception:  # frame still loading
                pass
        page.wait_for_timeout(250)
    raise AssertionError("the nearby map did not load")


def test_cyrillic_and_latin_search_agree(app_url, browser):
    page, log = open_page(browser, app_url + "/nearby?r=10", **PHONE)
    _search(page, "Момчилград")
    page.get_by_text("Около Момчилград").wait_for(timeout=30000)
    cyrillic = _results(page)
    n = _count(page)
    assert n >= 10 and len(cyrillic) == n
    distances = _distances(page)
    assert distances == sorted(distances) and max(distances) <= 10
    assert "q=" in page.url
    shot(page, "nearby-cyrillic-phone")
    _search(page, "Momchilgrad")
    page.wait_for_timeout(3000)
    page.get_by_text("Около Момчилград").wait_for(timeout=30000)
    assert _results(page) == cyrillic
    assert not log.errors, log.errors


def test_suggestions_pick_the_right_namesake(app_url, browser):
    page, log = open_page(browser, app_url + "/nearby?r=5", **PHONE)
    box = page.locator("input.q")
    box.wait_for(timeout=30000)
    box.type("Бенков", delay=50)
    options = page.locator(".suggestions li")
    options.first.wait_for(timeout=10000)
    texts = options.all_inner_texts()
    assert len([t for t in texts if "Бенковски" in t]) >= 4  # namesakes told apart
    options.filter(has_text="Кирково").first.click()
    page.get_by_text(re.compile("Около Бенковски \\(Кирково\\)")).wait_for(timeout=30000)
    assert any("Помощ за щастие" in t for t in _results(page))
    shot(page, "nearby-suggestions-phone")
    assert not log.errors, log.errors


def test_map_click_sets_the_point(app_url, browser):
    page, log = open_page(browser, app_url + "/nearby?lang=en&q=Kardzhali&r=3", **PHONE)
    page.get_by_text("Near Кърджали").wait_for(timeout=30000)
    before = _results(page)
    _wait_for_leaflet(page)
    frame_box = page.locator("iframe[title*='st_folium']").first.bounding_box()
    page.mouse.click(frame_box["x"] + frame_box["width"] * 0.85,
                     frame_box["y"] + frame_box["height"] * 0.8)
    page.get_by_text("Near the point clicked on the map").wait_for(timeout=30000)
    assert "lat=" in page.url and "lon=" in page.url
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and page.locator(".result b").all_inner_texts() == before:
        page.wait_for_timeout(250)
    assert page.locator(".result b").all_inner_texts() != before
    shot(page, "nearby-map-click-phone")
    assert not log.errors, log.errors


def test_use_my_location(app_url, browser):
    page, log = open_page(browser, app_url + "/nearby?lang=tr&r=5", **PHONE,
                          geolocation={"latitude": 43.5333, "longitude": 26.5167},
                          permissions=["geolocation"])
    page.get_by_role("button", name="Konumumu kullan").click()
    page.get_by_text("konumunuz yakını").wait_for(timeout=30000)
    titles = _results(page)
    assert titles and _distances(page)[0] < 2  # Razgrad town centre
    shot(page, "nearby-geolocation-phone")
    assert not log.errors, log.errors


def test_unknown_place_says_so(app_url, browser):
    page, log = open_page(browser, app_url + "/nearby", **PHONE)
    _search(page, "<b>Xyzzy</b>")
    warning = page.get_by_text("Не намерихме")
    warning.wait_for(timeout=30000)
    assert "<b>Xyzzy</b>" in warning.inner_text()  # shown as text
    assert not log.errors, log.errors
