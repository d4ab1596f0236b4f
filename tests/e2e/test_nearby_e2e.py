"""Nearby on a phone in Chromium.

Cyrillic and Latin search, suggestions, candidates for a shared name, Turkish names, map
click, GPS. No fixed sleeps: every wait is on a condition.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.harness import COUNT_MARKERS, open_page, shot, wait_idle

PHONE = {"width": 390, "height": 844, "is_mobile": True, "has_touch": True}
PHONE_SIZE = {"width": PHONE["width"], "height": PHONE["height"]}


HEADINGS = {"bg": "Кой е близо до мен?", "en": "Who is near me?", "tr": "Yakınımda kim var?"}




def _open(browser, url: str, lang: str = "bg", **kwargs):
    """Nearby opened wide by its deep link in `lang`, then looked at as a phone (390 x 844)."""
    sep = "&" if "?" in url else "?"
    page, log = open_page(browser, f"{url}{sep}lang={lang}", width=1200, height=844,
                          has_touch=True, **kwargs)
    page.locator("input.q").wait_for(timeout=60000)
    wait_idle(page)
    page.get_by_role("heading", name=HEADINGS[lang]).wait_for(timeout=30000)
    page.set_viewport_size(PHONE_SIZE)
    return page, log


def _results(page, timeout: float = 30) -> list[str]:
    """The result card titles once the list shows."""
    cards = page.locator(".result b")
    cards.first.wait_for(timeout=timeout * 1000)
    return cards.all_inner_texts()


def _count(page) -> int:
    text = page.get_by_text(re.compile(r"в радиус \d+ км|within \d+ km")).first
    text.wait_for(timeout=30000)
    return int(re.findall(r"\d+", text.inner_text())[-1])  # "… within 10 km: 19"


def _search(page, text: str) -> None:
    box = page.locator("input.q")
    box.wait_for(timeout=30000)
    box.fill(text)
    box.press("Enter")


def _distances(page) -> list[float]:
    """Card distances as numbers ('0,4 км' in Bulgarian, '0.4 km' in English)."""
    text = page.locator(".result").first.locator("xpath=..").inner_text()
    return [float(x.replace(",", ".")) for x in re.findall(r"· ([\d.,]+) (?:km|км)", text)]


def _leaflet(page, ready: str = "true", timeout: float = 30):
    """The st_folium frame once Leaflet has loaded and `ready` (JS, `map` in scope) holds."""
    page.wait_for_selector("iframe[title*='st_folium']", timeout=timeout * 1000)
    frame = page.frame_locator("iframe[title*='st_folium']").first
    frame.locator(".leaflet-container").wait_for(timeout=timeout * 1000)
    handle = next(f for f in page.frames if "st_folium" in f.url)
    handle.wait_for_function(f"typeof window.map !== 'undefined' && !!window.map._loaded "
                             f"&& ({ready})", timeout=timeout * 1000)
    return handle


def _titles_change(page, before: list[str], timeout: float = 15) -> None:
    """Until the result card titles differ from `before`."""
    page.wait_for_function(
        "before => [...document.querySelectorAll('.result b')].map(e => e.innerText)"
        ".join('|') !== before", arg="|".join(before), timeout=timeout * 1000)


def test_cyrillic_and_latin_search_agree(app_url, browser):
    page, log = _open(browser, app_url + "/nearby?r=10")
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
    page.wait_for_url(re.compile("q=Momchilgrad"), timeout=30000)
    wait_idle(page)
    page.get_by_text("Около Момчилград").wait_for(timeout=30000)
    assert _results(page) == cyrillic
    assert not log.errors, log.errors


def test_suggestions_pick_the_right_namesake(app_url, browser):
    page, log = _open(browser, app_url + "/nearby?r=5")
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
    page, log = _open(browser, app_url + "/nearby", "en")
    _search(page, "Kardzhali")
    page.get_by_text("Near Кърджали").wait_for(timeout=30000)
    before = _results(page)
    wait_idle(page)
    _leaflet(page, "map.getZoom() >= 9")  # framed on the 10 km radius, not all Bulgaria
    iframe = page.locator("iframe[title*='st_folium']").first
    iframe.scroll_into_view_if_needed()  # on a phone the map sits below the results
    frame_box = iframe.bounding_box()
    page.mouse.click(frame_box["x"] + frame_box["width"] * 0.85,
                     frame_box["y"] + frame_box["height"] * 0.8)
    page.get_by_text("Near the point clicked on the map").wait_for(timeout=30000)
    assert "lat=" in page.url and "lon=" in page.url
    _titles_change(page, before)
    shot(page, "nearby-map-click-phone")
    assert not log.errors, log.errors


def test_use_my_location(app_url, browser):
    page, log = _open(browser, app_url + "/nearby", "tr",
                      geolocation={"latitude": 43.5333, "longitude": 26.5167},
                      permissions=["geolocation"])
    page.get_by_role("button", name="Konumumu kullan").click()
    page.get_by_text("konumunuz yakını").wait_for(timeout=30000)
    titles = _results(page)
    assert titles and _distances(page)[0] < 2  # Razgrad town centre
    shot(page, "nearby-geolocation-phone")
    assert not log.errors, log.errors


def test_unknown_place_says_so(app_url, browser):
    page, log = _open(browser, app_url + "/nearby")
    _search(page, "<b>Xyzzy</b>")
    warning = page.get_by_text("Не намерихме")
    warning.wait_for(timeout=30000)
    assert "<b>Xyzzy</b>" in warning.inner_text()  # shown as text
    assert not log.errors, log.errors


def test_a_shared_name_offers_the_candidates(app_url, browser):
    page, log = _open(browser, app_url + "/nearby?r=5")
    _search(page, "Бенковски")
    page.get_by_text("Кое имате предвид?").wait_for(timeout=30000)
    wait_idle(page)
    choices = page.get_by_role("button", name=re.compile(r"^Бенковски \("))
    labels = choices.all_inner_texts()
    assert "Бенковски (Кирково, Кърджали)" in labels
    assert "Бенковски (Марица, Пловдив)" in labels and len(labels) >= 5
    assert page.locator(".result").count() == 0  # no silent pick
    shot(page, "nearby-candidates-phone-bg")
    choices.filter(has_text="Марица").first.click()
    page.get_by_text(re.compile(r"Около Бенковски \(Марица\)")).wait_for(timeout=30000)
    assert "q=" in page.url and "%D0%9C%D0%B0%D1%80%D0%B8%D1%86%D0%B0" in page.url  # Марица
    assert not log.errors, log.errors


def test_a_municipality_after_a_comma_decides(app_url, browser):
    page, log = _open(browser, app_url + "/nearby", "en")
    _search(page, "Botevo, Hayredin")  # five villages called Ботево
    page.get_by_text(re.compile(r"Near Ботево \(Хайредин\)")).wait_for(timeout=30000)
    assert page.get_by_text("Which one do you mean?").count() == 0
    assert not log.errors, log.errors


def test_the_turkish_name_finds_kardzhali(app_url, browser):
    page, log = _open(browser, app_url + "/nearby", "tr")
    _search(page, "Kırcaali")
    page.get_by_text(re.compile(r"Кърджали · Kırcaali yakını")).wait_for(
        timeout=30000)
    assert _results(page)
    wait_idle(page)
    shot(page, "nearby-turkish-name-phone-tr")
    frame = _leaflet(page, f"{COUNT_MARKERS} > 0")  # the results are on the map ...
    popups = frame.evaluate("(() => { let n = 0; map.eachLayer(l => { if (l.feature && "
                            "l.feature.properties && l.feature.properties.k && l.getPopup())"
                            " n++; }); return n; })()")
    assert popups > 0  # ... with the Map page's popups
    assert not log.errors, log.errors


@pytest.mark.once  # the browser's own drawing: the SQLite pass runs it
def test_before_any_search_the_map_shows_the_provinces(app_url, browser):
    page, log = _open(browser, app_url + "/nearby", "en")
    page.get_by_text("Search, use your location, or tap the map.").wait_for(timeout=30000)
    frame = _leaflet(page)
    outlines = frame.evaluate("(() => { let n = 0; map.eachLayer(l => { if (l.feature && "
                              "l.feature.properties && l.feature.properties.code) n++; });"
                              " return n; })()")
    assert outlines == 28
    shot(page, "nearby-start-phone-en")
    assert not log.errors, log.errors
