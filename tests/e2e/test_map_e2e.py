"""The map page in Debian's Chromium.

Offline, national view, filters in the browser, grouped locations, popups, search,
language, screen sizes.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.e2e.harness import ConsoleLog, map_frame, open_page, shot, wait_idle

PHONE_AGENT = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/156.0 Mobile Safari/537.36")
# Every mark: its screen point inside the frame, its count and whether it is a canvas
# CircleMarker.
MARKS = """
() => {
    const box = map.getContainer().getBoundingClientRect();
    return civicMap.marks().map(m => {
        const p = map.latLngToContainerPoint(m.getLatLng());
        return {x: p.x + box.left, y: p.y + box.top, n: civicMap.members(m).length,
                names: civicMap.members(m), circle: m instanceof L.CircleMarker,
                canvas: m._renderer instanceof L.Canvas};
    });
}
"""


def _counts(page) -> dict[str, int]:
    text = page.locator(".civic-counts").first  # written by the filter panel (browser side)
    text.wait_for()
    # thousands separated as each language does: '3 689', '3,689', '3.689' (Turkish)
    pairs = re.findall(r"([^·\d]+?)\s*(\d(?:[\d\u00a0\u202f ,.]*\d)?)", text.inner_text())
    return {label.strip(): int(re.sub(r"\D", "", n)) for label, n in pairs}


def _until(check, timeout_s: float = 20, page=None, what: str = "condition"):
    """Poll `check()` until it returns something truthy (Playwright events keep flowing)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            value = check()
        except Exception:  # a frame replaced while we asked
            value = None
        if value:
            return value
        if page is not None:
            page.wait_for_timeout(50)
        else:
            time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _map_shown(page) -> int:
    return map_frame(page).evaluate("civicMap.shown()")


def _iframe_box(page):
    return page.locator("iframe[title*='st_folium']").first.bounding_box()


def _settled(frame, page):
    """The marks once the map shows the counted organisations and has stopped moving.

    The filter state frames the map; the frame may still be resized.
    """
    _until(lambda: frame.evaluate("civicMap.shown()") == sum(_counts(page).values()),
           page=page, what="the filter state to reach the map")
    still, previous = 0, None
    for _ in range(80):
        moving = frame.evaluate("!!(map._animatingZoom || (map._panAnim && "
                                "map._panAnim._inProgress))")
        view = frame.evaluate("[map.getCenter().lat, map.getCenter().lng, map.getZoom(), "
                              "map.getSize().x, map.getSize().y]")
        still = still + 1 if view == previous and not moving else 0
        if still >= 3:
            return frame.evaluate(MARKS)
        previous = view
        page.wait_for_timeout(150)
    raise AssertionError("the map did not settle")


def _click_mark(page, frame, pick, popup_selector: str):
    """Click the mark `pick(marks)` chooses until its popup shows; returns the mark.

    The view may still shift once.
    """
    for _ in range(3):
        mark = pick(_settled(frame, page))
        box = _iframe_box(page)
        page.mouse.click(box["x"] + mark["x"], box["y"] + mark["y"])
        try:
            frame.locator(popup_selector).first.wait_for(timeout=3000)
            return mark
        except Exception:  # the click landed beside a mark that moved
            continue
    raise AssertionError("no popup opened")


def test_map_loads_offline_without_console_errors(app_url, browser):
    page, log = open_page(browser, app_url)
    frame = map_frame(page)
    assert frame.evaluate("L.version") == "1.9.4"
    assert frame.evaluate("[...document.scripts].every(s => !s.src || s.src.startsWith("
                          "location.origin))")
    assert frame.evaluate("performance.getEntriesByType('resource').every(r => "
                          "r.name.startsWith(location.origin) || r.name.includes('tile.'))")
    wait_idle(page)
    shown = _until(lambda: _map_shown(page) == sum(_counts(page).values()) and _map_shown(page),
                   page=page, what="the map to show the counted organisations")
    assert shown > 600  # three provinces, every kind
    marks = frame.evaluate(MARKS)
    assert all(m["circle"] and m["canvas"] for m in marks)
    assert sum(m["n"] for m in marks) <= shown  # presumed libraries ride with their chitalishte
    assert not log.errors, log.errors


@pytest.mark.once  # the browser's own drawing: the SQLite pass runs it
def test_map_draws_in_a_browser_without_decompression_stream(app_url, browser):
    """Safari before 16.4 has no DecompressionStream: the records inflate with fflate."""
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    context.add_init_script("delete window.DecompressionStream")
    page = context.new_page()
    log = ConsoleLog(page)
    page.goto(app_url)
    frame = map_frame(page)
    assert frame.evaluate("typeof DecompressionStream") == "undefined"
    assert frame.evaluate("typeof fflate") == "object"  # fetched from the app, not a CDN
    assert frame.evaluate("[...document.scripts].every(s => !s.src || s.src.startsWith("
                          "location.origin))")
    wait_idle(page)
    _until(lambda: _map_shown(page) == sum(_counts(page).values()) and _map_shown(page),
           page=page, what="the map to show the counted organisations")
    assert not log.errors, log.errors
    context.close()


def test_national_view_draws_every_active_organisation(app_url, browser, orgs):
    from geo import filters

    codes = sorted(set(orgs["province_code"].dropna()))
    active = filters.apply(orgs, filters.Filters(provinces=tuple(codes)))
    active = active[active["lon"].notna()]
    page, log = open_page(browser, app_url + "/?provinces=" + ",".join(codes), 1920, 1080)
    frame = map_frame(page, timeout_ms=90000)
    wait_idle(page)
    _until(lambda: _map_shown(page) == len(active), page=page, what="every active organisation")
    marks = frame.evaluate(MARKS)
    assert all(m["circle"] and m["canvas"] for m in marks)
    listed = [n for m in marks for n in m["names"]]
    chitalishte_names = set(active.loc[active["kind"] != "library", "name"])
    assert chitalishte_names <= set(listed)  # every NGO and chitalishte is in some mark
    outside = frame.evaluate("""(() => { const b = map.getBounds(); return civicMap.marks()
        .filter(m => !b.contains(m.getLatLng())).length; })()""")
    assert outside == 0  # the whole country is in view
    shot(page, "map-national-1920")
    assert not log.errors, log.errors


@pytest.mark.once  # the browser's own drawing: the SQLite pass runs it
def test_a_filter_change_needs_no_rerun(app_url, browser):
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    log = ConsoleLog(page)
    received = [0]

    def on_ws(ws):
        ws.on("framereceived", lambda p: received.__setitem__(
            0, received[0] + len(p if isinstance(p, bytes) else p.encode())))

    page.on("websocket", on_ws)
    page.goto(app_url)
    frame = map_frame(page)
    wait_idle(page)
    frame.evaluate("window.civicSameFrame = true")
    before = _counts(page)
    start = received[0]
    page.locator(".cfp-municipalities summary").click()
    page.get_by_role("checkbox", name="Кирково", exact=True).check()
    after = _until(lambda: (c := _counts(page)) != before and c, page=page, what="new counts")
    assert after["Читалища"] == 22  # active chitalishta of Kirkovo in the register
    _until(lambda: frame.evaluate("civicMap.shown()") == sum(after.values()), page=page,
           what="the map to show Kirkovo")
    wait_idle(page)
    assert received[0] - start < 200, received[0] - start  # no rerun: the browser filtered
    assert frame.evaluate("window.civicSameFrame === true")  # shown and hidden in place
    assert "municipalities=KRZ14" in page.url
    shot(page, "map-filter-kirkovo")
    assert not log.errors, log.errors
    context.close()


def test_grouped_mark_lists_every_organisation_and_each_opens(app_url, browser):
    page, log = open_page(browser, app_url + "/?municipalities=KRZ16&kinds=ngo")
    frame = map_frame(page)
    group = _click_mark(page, frame, lambda marks: max(marks, key=lambda m: m["n"]),
                        ".leaflet-popup-content .org-item")
    assert group["n"] >= 10  # NGOs placed at the centre of Kardzhali
    items = frame.locator(".leaflet-popup-content .org-item")
    assert items.count() == group["n"]
    assert sorted(items.all_inner_texts()) == sorted(group["names"])
    assert frame.locator(".leaflet-popup-content .precision").first.is_visible()
    shot(page, "map-group-list")
    for i in range(group["n"]):
        wanted = items.nth(i).inner_text()
        items.nth(i).click()
        name = frame.locator(".leaflet-popup-content .org-name")
        name.wait_for(timeout=5000)
        assert name.inner_text() == wanted
        if i == 0:
            shot(page, "map-group-details")
        frame.locator(".leaflet-popup-content .org-back").click()
        items.first.wait_for(timeout=5000)
    assert not log.errors, log.errors


def test_english_popup_gives_the_latin_spelling_of_the_name(app_url, browser, orgs):
    """The browser spells the Latin name (it is not sent): the stored `name_latin`."""
    page, log = open_page(browser, app_url + "/?municipalities=KRZ14&kinds=chitalishte&lang=en")
    frame = map_frame(page)
    latin = dict(zip(orgs["name"], orgs["name_latin"]))
    _click_mark(page, frame, lambda marks: next(m for m in marks if m["n"] == 1),
                ".leaflet-popup-content .org-name")
    shown = frame.locator(".leaflet-popup-content .org-name").inner_text()
    spelled = frame.locator(".leaflet-popup-content .latin").inner_text()
    assert spelled == latin[shown] and spelled != shown, (shown, spelled)
    assert not any("а" <= c.lower() <= "я" for c in spelled), spelled
    assert not log.errors, log.errors


@pytest.mark.once  # the browser's own drawing: the SQLite pass runs it
def test_popup_wraps_clear_of_the_zoom_buttons_and_links_the_correction(app_url, browser,
                                                                       orgs):
    page, log = open_page(browser, app_url + "/?municipalities=KRZ14&kinds=chitalishte")
    frame = map_frame(page)
    # chitalishta of Kirkovo whose register entry links an information card (names unique)
    kirkovo = orgs[(orgs["municipality_code"] == "KRZ14") & (orgs["kind"] == "chitalishte")]
    kirkovo = kirkovo[~kirkovo["name"].duplicated(keep=False)]
    cards = {n: u for n, u in zip(kirkovo["name"], kirkovo["info_card_url"])
             if isinstance(u, str)}
    assert len(cards) >= 5

    def near_middle(marks):
        box = _iframe_box(page)
        return min((m for m in marks if m["n"] == 1 and m["names"][0] in cards), key=lambda m:
                   abs(m["x"] - box["width"] / 2) + abs(m["y"] - box["height"] / 2))

    _click_mark(page, frame, near_middle, ".leaflet-popup-content .org-name")
    shown = frame.locator(".leaflet-popup-content .org-name").inner_text()
    card = frame.locator(".leaflet-popup-content p.card a")
    assert card.inner_text() == "Информационна карта (регистър)"
    assert card.get_attribute("href") == cards[shown]
    assert card.get_attribute("target") == "_blank" and "noopener" in card.get_attribute("rel")
    _until(lambda: not frame.evaluate("map._panAnim && map._panAnim._inProgress"), page=page)
    wrap = frame.evaluate("""(() => {
        const c = document.querySelector('.leaflet-popup-content');
        const z = document.querySelector('.leaflet-control-zoom').getBoundingClientRect();
        const p = document.querySelector('.leaflet-popup').getBoundingClientRect();
        const over = !(p.right < z.left || p.left > z.right || p.bottom < z.top
                       || p.top > z.bottom);
        return {overflow: c.scrollWidth > c.clientWidth + 1, overZoom: over}; })()""")
    assert wrap == {"overflow": False, "overZoom": False}
    link = frame.locator(".leaflet-popup-content a.correct")
    assert link.get_attribute("target") == "_blank"
    with page.context.expect_page() as opened:
        link.click()
    form = opened.value
    form.get_by_label("Име", exact=True).locator("visible=true").first.wait_for(timeout=30000)
    wanted = frame.locator(".leaflet-popup-content .org-name").inner_text()
    assert form.get_by_label("Име", exact=True).locator("visible=true").first.input_value() \
        == wanted
    assert not log.errors, log.errors


def test_name_search_zooms_to_what_it_found_and_says_when_nothing_matches(app_url, browser):
    page, log = open_page(browser, app_url)
    frame = map_frame(page)
    wait_idle(page)
    zoom_before = frame.evaluate("map.getZoom()")
    field = page.get_by_label("Името съдържа")
    field.fill("Кърджали решава")
    field.press("Enter")
    _until(lambda: frame.evaluate("map.getZoom()") > zoom_before, page=page,
           what="the map to zoom to the matches")
    _until(lambda: frame.evaluate("civicMap.shown()") == sum(_counts(page).values()) == 1,
           page=page, what="the one match on the map")
    inside = frame.evaluate("""(() => { const b = map.getBounds();
        return civicMap.marks().every(m => b.contains(m.getLatLng())); })()""")
    assert inside
    field.fill("няма такова име xyz")
    field.press("Enter")
    page.get_by_text("Нито една организация не отговаря").wait_for(timeout=15000)
    _until(lambda: frame.evaluate("civicMap.shown()") == 0, page=page)
    assert not log.errors, log.errors


def test_presumed_libraries_can_be_hidden_from_the_url(app_url, browser):
    page, log = open_page(browser, app_url + "/?presumed=0&municipalities=KRZ14")
    map_frame(page)
    wait_idle(page)
    counts = _counts(page)
    assert counts["Читалищни библиотеки (предполагаеми)"] == 0
    assert counts["Читалища"] == 22
    assert "presumed=0" in page.url
    assert not log.errors, log.errors


@pytest.mark.once  # the browser's own drawing: the SQLite pass runs it
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
    legend = _until(lambda: map_frame(page).evaluate(
        "(document.querySelector('.civic-legend') || {}).innerText || ''").startswith("Legend")
        and True, page=page, what="the English legend")
    assert legend
    assert not log.errors, log.errors


@pytest.mark.once  # the browser's own drawing: the SQLite pass runs it
@pytest.mark.parametrize("lang", ["bg", "en"])
@pytest.mark.parametrize("size", [(1920, 1080), (1300, 900)])
def test_map_fills_the_window(app_url, browser, lang, size):
    page, log = open_page(browser, app_url + f"/?lang={lang}", *size)
    frame = map_frame(page)
    wait_idle(page)
    box = _until(lambda: (b := _iframe_box(page)) and b["y"] + b["height"] > size[1] - 60 and b,
                 page=page, what="the map to reach the bottom of the window")
    assert box["height"] >= size[1] - 260
    inner = frame.evaluate("map.getSize().y")
    assert abs(inner - box["height"]) < 4  # Leaflet fills its frame
    assert frame.locator(".civic-fullscreen a").is_visible()
    shot(page, f"map-{lang}-{size[0]}x{size[1]}")
    assert not log.errors, log.errors


@pytest.mark.once  # the browser's own drawing: the SQLite pass runs it
@pytest.mark.parametrize("lang", ["bg", "en", "tr"])
def test_phone_screen(app_url, browser, lang):
    page, log = open_page(browser, app_url + f"/?lang={lang}", width=390, height=844,
                          is_mobile=True, has_touch=True, user_agent=PHONE_AGENT)
    frame = map_frame(page)
    wait_idle(page)
    _until(lambda: frame.evaluate("""(() => { const b = map.getBounds().pad(0.02);
        return civicMap.marks().every(m => b.contains(m.getLatLng())); })()"""), page=page,
        what="every organisation of the three provinces on the phone screen")
    box = _iframe_box(page)
    assert 300 < box["width"] <= 390 and box["height"] > 500
    legend = frame.locator(".civic-legend details")
    assert legend.is_visible() and legend.get_attribute("open") is None  # folded on phones
    assert frame.locator(".leaflet-control-layers").is_visible()
    apart = frame.evaluate("""(() => {
        const a = document.querySelector('.leaflet-control-scale').getBoundingClientRect();
        const b = document.querySelector('.leaflet-control-attribution').getBoundingClientRect();
        return a.bottom <= b.top + 1 || a.right <= b.left || a.left >= b.right; })()""")
    assert apart  # the scale bar is not under the attribution
    shot(page, f"map-{lang}-phone")
    assert not log.errors, log.errors


def test_coverage_page_opens_from_a_link(app_url, browser):
    page, log = open_page(browser, app_url + "/coverage")
    page.get_by_text("Непокрити места").first.wait_for(timeout=30000)

    def coverage_frame():
        for f in page.frames:
            if "st_folium" in f.url and f.evaluate("typeof window.map !== 'undefined'"):
                return f
        return None

    frame = _until(coverage_frame, 30, page=page, what="the coverage map")
    assert frame.locator(".civic-legend").first.is_visible()
    shot(page, "coverage-bg")
    assert not log.errors, log.errors


HOSTILE_NAMES = [
    'Сдружение Хитро "><img src=x onerror="window.__pwned=1">',
    "Сдружение Хитро `${window.__pwned=4}` '; window.__pwned=5; '",
    "Сдружение Хитро <script>window.__pwned=7</script>",
]


@pytest.fixture(scope="module")
def hostile_map_url(tmp_path_factory):
    """The app over its own store: the real build plus names made to break out of text."""
    from tests.e2e.harness import private_store, serve_app

    env = private_store(tmp_path_factory.mktemp("hostile_map"),
                        ("tests/fixtures/map_hostile.csv",))
    with serve_app(env) as url:
        yield url


@pytest.mark.own_store
def test_hostile_names_stay_text_in_popups_and_tooltips(hostile_map_url, browser):
    page, log = open_page(browser, hostile_map_url + "/?q=Хитро&kinds=ngo")
    frame = map_frame(page)
    group = _click_mark(page, frame, lambda marks: max(marks, key=lambda m: m["n"]),
                        ".leaflet-popup-content .org-item")
    # the importer may turn a row away; those it kept must read exactly as written
    assert len(group["names"]) >= 2 and set(group["names"]) <= set(HOSTILE_NAMES)
    items = frame.locator(".leaflet-popup-content .org-item")
    assert sorted(items.all_inner_texts()) == sorted(group["names"])
    texts = []
    for i in range(items.count()):
        wanted = items.nth(i).inner_text()
        items.nth(i).click()
        name = frame.locator(".leaflet-popup-content .org-name")
        name.wait_for(timeout=5000)
        assert name.inner_text() == wanted
        texts.append(frame.locator(".leaflet-popup-content").inner_text())
        frame.locator(".leaflet-popup-content .org-back").click()
        items.first.wait_for(timeout=5000)
    assert any("ул. `${window.__pwned=2}` 5" in t for t in texts)
    assert any("</script><script>window.__pwned=6</script>" in t for t in texts)
    content = ".leaflet-popup-content"
    assert frame.locator(f"{content} script, {content} img").count() == 0
    hrefs = frame.evaluate("[...document.querySelectorAll('.leaflet-popup-content a[href]')]"
                           ".map(a => a.getAttribute('href'))")
    assert not any(h.lower().startswith("javascript") for h in hrefs)
    frame.evaluate("void map.closePopup()")  # Leaflet shows no tooltip over an open popup
    box = _iframe_box(page)
    page.mouse.move(box["x"] + 5, box["y"] + 5)
    page.mouse.move(box["x"] + group["x"], box["y"] + group["y"] + 1)
    tip = frame.locator(".leaflet-tooltip")
    tip.first.wait_for(timeout=5000)
    assert frame.locator(".leaflet-tooltip img, .leaflet-tooltip script").count() == 0
    assert frame.evaluate("window.__pwned") is None
    assert page.evaluate("window.__pwned") is None
    shot(page, "map-hostile")
    assert not log.dialogs and not log.errors, (log.dialogs, log.errors)
