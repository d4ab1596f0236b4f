"""The offline basemap in Chromium with the tile server unreachable.

The Map, Nearby and the Data page's placement map show settlement names in the page's
language at municipality zoom, and the page logs at most two failed requests (the tile
layer's probe). No fixed sleeps: every wait is on a condition.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.harness import ConsoleLog, serve_app, shot, wait_idle

pytestmark = pytest.mark.once  # the browser's own drawing on the same build: SQLite pass

DEAD_TILES = "http://127.0.0.1:9/{z}/{x}/{y}.png"
KARDZHALI = {"bg": "Кърджали", "en": "Kardzhali", "tr": "Kırcaali"}
CENTRE = (41.6414, 25.3705)  # Kardzhali, lat, lon
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def dead_tiles_url(built):
    """The app with a tile server that refuses every connection."""
    with serve_app({"CIVICMAP_TILES_URL": DEAD_TILES}) as url:
        yield url


def _open(browser, url: str, width: int = 1300, height: int = 900):
    """A page that records its failed requests and console errors."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    log = ConsoleLog(page)
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}"))
    page.goto(url)
    return page, log, failed


def _leaflet(page, index: int = 0, timeout_s: float = 60):
    """The `index`-th st_folium frame once its Leaflet map has loaded."""
    page.wait_for_selector("iframe[title*='st_folium']", timeout=timeout_s * 1000)
    page.wait_for_function(
        "n => [...document.querySelectorAll(\"iframe[title*='st_folium']\")].length > n",
        arg=index, timeout=timeout_s * 1000)
    handle = page.locator("iframe[title*='st_folium']").nth(index).element_handle()
    frame = handle.content_frame()
    frame.wait_for_function("typeof window.map !== 'undefined' && !!window.map._loaded",
                            timeout=timeout_s * 1000)
    return frame


def _phone(page, frame) -> None:
    """Resize to a 390 px phone: until the sidebar has slid away and the map is narrow."""
    page.set_viewport_size(PHONE)
    page.wait_for_function("""() => { const s = document.querySelector(
        "[data-testid='stSidebar']"); return !s || s.getBoundingClientRect().right <= 1; }""")
    frame.wait_for_function("map.getSize().x < 400")
    _into_view(page)


def _into_view(page) -> None:
    """Scroll the (first) map into the window, for the screenshot."""
    page.locator("iframe[title*='st_folium']").first.scroll_into_view_if_needed()


def _view(frame, zoom: int) -> None:
    """Centre the map on Kardzhali at `zoom`, at once."""
    frame.evaluate(f"void map.setView([{CENTRE[0]}, {CENTRE[1]}], {zoom}, {{animate: false}})")


def _label(frame, text: str, timeout_s: float = 30) -> None:
    """Until a settlement label with exactly `text` is on the map."""
    frame.wait_for_function(
        "t => [...document.querySelectorAll('.civic-place-label')]"
        ".some(e => e.textContent === t && e.getBoundingClientRect().width > 0)",
        arg=text, timeout=timeout_s * 1000)


def _labels(frame) -> list[str]:
    return frame.evaluate("[...document.querySelectorAll('.civic-place-label')]"
                          ".map(e => e.textContent)")


def _few_failures(log: ConsoleLog, failed: list[str]) -> None:
    """At most two failed requests, all to the dead tile server; no other console error."""
    assert len(failed) <= 2, failed
    assert all(u.startswith("http://127.0.0.1:9/") for u in failed), failed
    others = [e for e in log.errors if "127.0.0.1:9/" not in e
              and "ERR_CONNECTION_REFUSED" not in e]
    assert not others, others
    assert len(log.errors) <= 2, log.errors


@pytest.mark.parametrize("lang", ["bg", "en", "tr"])
def test_map_names_settlements_without_tiles(dead_tiles_url, browser, lang):
    page, log, failed = _open(browser, f"{dead_tiles_url}/?provinces=KRZ&lang={lang}")
    frame = _leaflet(page)
    wait_idle(page)
    _view(frame, 11)
    _label(frame, KARDZHALI[lang])
    names = _labels(frame)
    assert len(names) >= 10, names  # villages around the town too
    if lang != "bg":
        assert not any(re.search("[а-яА-Я]", n) for n in names if n != KARDZHALI["bg"]), names
    assert frame.evaluate("!window.civicTileLayer || !map.hasLayer(window.civicTileLayer)")
    shot(page, f"basemap-map-{lang}")
    _phone(page, frame)
    _view(frame, 11)
    _label(frame, KARDZHALI[lang])
    shot(page, f"basemap-map-{lang}-phone")
    _few_failures(log, failed)
    page.context.close()


def test_country_view_names_only_the_big_places(dead_tiles_url, browser):
    page, log, failed = _open(browser, f"{dead_tiles_url}/?provinces=KRZ&lang=bg")
    frame = _leaflet(page)
    wait_idle(page)
    _view(frame, 8)
    _label(frame, "Кърджали")
    at_8 = set(_labels(frame))
    assert "Момчилград" not in at_8  # 7,000 residents, a municipality centre: from 9
    _view(frame, 10)
    _label(frame, "Момчилград")
    at_10 = set(_labels(frame))
    _view(frame, 12)
    frame.wait_for_function("document.querySelectorAll('.civic-place-label').length > 20")
    assert len(at_8) < len(at_10) < len(set(_labels(frame)))  # towns first, villages later
    _few_failures(log, failed)
    page.context.close()


@pytest.mark.parametrize("lang", ["bg", "tr"])
def test_nearby_names_settlements_after_a_search(dead_tiles_url, browser, lang):
    page, log, failed = _open(browser, f"{dead_tiles_url}/nearby?r=10&lang={lang}")
    box = page.locator("input.q")
    box.wait_for(timeout=60000)
    wait_idle(page)
    box.fill("Кърджали")
    box.press("Enter")
    page.locator(".result b").first.wait_for(timeout=30000)
    wait_idle(page)
    frame = _leaflet(page)
    _label(frame, KARDZHALI[lang])
    assert len(_labels(frame)) >= 5
    _into_view(page)
    shot(page, f"basemap-nearby-{lang}")
    _phone(page, frame)
    shot(page, f"basemap-nearby-{lang}-phone")
    _few_failures(log, failed)
    page.context.close()


@pytest.mark.parametrize("lang", ["bg", "en"])
def test_data_placement_map_names_places_and_says_where(dead_tiles_url, browser, lang):
    page, log, failed = _open(browser, f"{dead_tiles_url}/data?lang={lang}")
    frame = _leaflet(page)
    wait_idle(page)
    _label(frame, {"bg": "София", "en": "Sofia"}[lang])  # the country view: big places
    _into_view(page)
    shot(page, f"basemap-data-{lang}-country")
    _view(frame, 12)
    point = frame.evaluate(f"map.latLngToContainerPoint([{CENTRE[0]}, {CENTRE[1]}])")
    page.locator("iframe[title*='st_folium']").first.click(
        position={"x": point["x"], "y": point["y"]})
    said = {"bg": "Отбелязано в Кърджали, община Кърджали",
            "en": "Marked in Кърджали (Kardzhali), Кърджали (Kardzhali)"}[lang]
    page.get_by_text(said).wait_for(timeout=30000)
    wait_idle(page)
    frame = _leaflet(page)
    _label(frame, KARDZHALI[lang])
    # the municipality lines around the point are drawn
    assert frame.evaluate("(() => { let n = 0; map.eachLayer(l => { if (l instanceof L.Polygon)"
                          " n++; }); return n; })()") > 0
    _into_view(page)
    shot(page, f"basemap-data-{lang}")
    _phone(page, frame)
    shot(page, f"basemap-data-{lang}-phone")
    _few_failures(log, failed)
    page.context.close()


# A 1 x 1 grey PNG: what the fake tile server answers while it is "up".
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c63b8b9b9f91f0005fa02fd4a1b4c0e00"
                    "00000049454e44ae426082")


@pytest.fixture(scope="module")
def tile_server():
    """A local tile server: `state["up"]` tiles answered, then 404s; counts requests."""
    import contextlib
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    state = {"up": 10**6, "served": 0, "asked": 0}

    class Tiles(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server API)
            state["asked"] += 1
            if state["served"] < state["up"]:
                state["served"] += 1
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Access-Control-Allow-Origin", "*")
                self.end_headers()
                self.wfile.write(PNG)
            else:
                with contextlib.suppress(OSError):  # the browser gave up on it
                    self.send_error(404)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1], state
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def live_tiles_url(built, tile_server):
    """The app with tiles from the local tile server."""
    port, _state = tile_server
    with serve_app({"CIVICMAP_TILES_URL": f"http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png"}
                   ) as url:
        yield url


def test_tiles_that_load_are_used(live_tiles_url, browser, tile_server):
    _port, state = tile_server
    state.update(up=10**6, served=0)
    page, log, failed = _open(browser, f"{live_tiles_url}/?provinces=KRZ&lang=en")
    frame = _leaflet(page)
    frame.wait_for_function("!!window.civicTileLayer && map.hasLayer(window.civicTileLayer)"
                            " && document.querySelectorAll('img.leaflet-tile-loaded').length > 0")
    _view(frame, 11)
    _label(frame, "Kardzhali")  # names stay over the tiles
    # Leaflet cancels the tiles still loading when the zoom changes (net::ERR_ABORTED)
    failed = [f for f in failed if not f.endswith("net::ERR_ABORTED")]
    assert not failed and not log.errors, (failed, log.errors)
    page.context.close()


def test_tiles_that_stop_loading_fall_back(live_tiles_url, browser, tile_server):
    port, state = tile_server
    state.update(up=1, served=0)  # the probe loads, every tile after it fails
    page, log, failed = _open(browser, f"{live_tiles_url}/?provinces=KRZ&lang=tr")
    frame = _leaflet(page)
    frame.wait_for_function("!!window.civicTileLayer && !map.hasLayer(window.civicTileLayer)"
                            " && !document.querySelector('.leaflet-tile-container img')",
                            timeout=30000)
    asked = state["asked"]
    _view(frame, 11)
    _label(frame, "Kırcaali")
    assert frame.evaluate("!map.hasLayer(window.civicTileLayer)")
    # the tiles of the first view fail together (asked for at once), none after them
    assert all(f.startswith(f"http://127.0.0.1:{port}/") for f in failed), failed
    assert len(failed) <= 40, len(failed)
    assert all(f"127.0.0.1:{port}/" in e or "404" in e for e in log.errors), log.errors
    assert state["asked"] == asked  # no tile asked for after the fall-back
    page.context.close()
