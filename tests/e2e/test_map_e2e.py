"""The map page in Debian's Chromium: loads offline, filters, popups, language, phone."""

from __future__ import annotations

import re
import time

from tests.e2e.harness import COUNT_MARKERS, map_frame, open_page, shot, wait_idle

PHONE_AGENT = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/156.0 Mobile Safari/537.36")
# NGOs are drawn last, so a click on an NGO point with no other NGO nearby opens its popup.
FIND_LONE_NGO = """
() => {
    const pts = [];
    map.eachLayer(l => {
        if (l.feature && l.getLatLng && l.feature.properties && l.feature.properties.k) {
            pts.push({k: l.feature.properties.k, n: l.feature.properties.n,
                      pt: map.latLngToContainerPoint(l.getLatLng())});
        }
    });
    const box = map.getContainer().getBoundingClientRect();
    const inside = p => p.pt.x > 40 && p.pt.y > 40 && p.pt.x < box.width - 260
        && p.pt.y < box.height - 40;
    const lone = pts.find(p => p.k === 'ngo' && inside(p)
        && pts.every(q => q === p || q.k !== 'ngo'
                     || Math.hypot(q.pt.x - p.pt.x, q.pt.y - p.pt.y) > 14));
    return lone ? {n: lone.n, x: lone.pt.x + box.left, y: lone.pt.y + box.top} : null;
}
"""


def _counts(page) -> dict[str, int]:
    text = page.locator("[data-testid='stMarkdownContainer']").filter(has_text="·").first
    text.wait_for()
    pairs = re.findall(r"([^·\d]+?)\s*(\d+)", text.inner_text())
    return {label.strip(): int(n) for label, n in pairs}


def _wait_counts_change(page, before: dict, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = _counts(page)
        if now != before:
            return now
        page.wait_for_timeout(250)
    raise AssertionError(f"counts did not change from {before}")


def _legend_text(page, timeout: float = 20) -> str:
    """The map legend's text once the re-rendered map shows it (frames may be replaced)."""
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        for frame in page.frames:
            if "st_folium" not in frame.url:
                continue
            try:
                text = frame.evaluate("(document.querySelector('.civic-legend') || {}).innerText"
                                      " || ''")
            except Exception:  # the frame was replaced while we asked
                continue
            if text.startswith("Legend"):
                return text
        page.wait_for_timeout(250)
    return text


def test_map_loads_offline_without_console_errors(app_url, browser):
    page, log = open_page(browser, app_url)
    frame = map_frame(page)
    assert page.locator("iframe[title*='st_folium']").first.is_visible()
    assert frame.evaluate("L.version") == "1.9.4"
    assert frame.evaluate("[...document.scripts].every(s => !s.src || s.src.startsWith("
                          "location.origin))")
    markers = frame.evaluate(COUNT_MARKERS)
    assert markers > 600  # three provinces, every kind
    shot(page, "map-bg-desktop")
    assert not log.errors, log.errors


def test_filter_to_one_municipality_changes_count(app_url, browser):
    page, log = open_page(browser, app_url)
    map_frame(page)
    wait_idle(page)
    before = _counts(page)
    box = page.get_by_role("combobox", name="Община", exact=True)
    box.click()
    box.fill("Кирково")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    after = _wait_counts_change(page, before)
    assert sum(after.values()) < sum(before.values())
    assert after["Читалища"] == 22  # active chitalishta of Kirkovo in the register
    assert "municipalities=KRZ14" in page.url
    frame = map_frame(page)
    deadline = time.monotonic() + 15
    while frame.evaluate(COUNT_MARKERS) != sum(after.values()) and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    assert frame.evaluate(COUNT_MARKERS) == sum(after.values())
    shot(page, "map-filter-kirkovo")
    assert not log.errors, log.errors


def test_click_on_a_point_opens_its_popup(app_url, browser):
    page, log = open_page(browser, app_url + "/?municipalities=KRZ14")
    frame = map_frame(page)
    target, previous = None, None
    for _ in range(40):  # wait until the map has settled on its centre and zoom
        target = frame.evaluate(FIND_LONE_NGO)
        if target and target == previous:
            break
        previous = target
        page.wait_for_timeout(500)
    assert target, "no NGO point to click"
    box = page.locator("iframe[title*='st_folium']").first.bounding_box()
    page.mouse.click(box["x"] + target["x"], box["y"] + target["y"])
    popup = frame.locator(".leaflet-popup-content .org-name")
    popup.wait_for(timeout=10000)
    name = frame.evaluate("(() => { const t = document.createElement('textarea'); "
                          f"t.innerHTML = {target['n']!r}; return t.value; }})()")
    assert popup.inner_text() == name
    shot(page, "map-popup")
    assert not log.errors, log.errors


def test_language_switch_changes_labels(app_url, browser):
    page, log = open_page(browser, app_url)
    map_frame(page)
    assert page.get_by_text("Карта на гражданския сектор").is_visible()
    wait_idle(page)
    page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first.click()
    page.keyboard.type("English")
    page.keyboard.press("Enter")
    page.get_by_text("Civil sector map").wait_for(timeout=15000)
    assert "lang=en" in page.url
    assert _legend_text(page).startswith("Legend")
    shot(page, "map-en")
    assert not log.errors, log.errors


def test_phone_screen(app_url, browser):
    page, log = open_page(browser, app_url + "/?lang=tr", width=390, height=844,
                          is_mobile=True, has_touch=True, user_agent=PHONE_AGENT)
    frame = map_frame(page)
    page.wait_for_timeout(1000)  # st_folium applies the centre and zoom
    outside = frame.evaluate("""(() => { const b = map.getBounds().pad(0.02); let n = 0;
        map.eachLayer(l => { if (l.feature && l.feature.properties.k
                                 && !b.contains(l.getLatLng())) n++; }); return n; })()""")
    assert outside == 0  # every organisation of the three provinces is on the phone screen
    box = page.locator("iframe[title*='st_folium']").first.bounding_box()
    assert box["width"] <= 390 and box["width"] > 300
    assert frame.get_by_text("Açıklama").is_visible()
    shot(page, "map-tr-phone")
    assert not log.errors, log.errors


def test_coverage_page_opens_from_a_link(app_url, browser):
    page, log = open_page(browser, app_url + "/coverage")
    page.get_by_text("Непокрити места").first.wait_for(timeout=30000)
    frame = None
    deadline = time.monotonic() + 30
    while frame is None and time.monotonic() < deadline:
        for f in page.frames:
            try:
                if "st_folium" in f.url and f.evaluate("typeof window.map !== 'undefined'"):
                    frame = f
            except Exception:  # still loading
                pass
        page.wait_for_timeout(250)
    assert frame is not None, [f.url for f in page.frames]
    assert frame.locator(".civic-legend").first.is_visible()
    shot(page, "coverage-bg")
    assert not log.errors, log.errors
