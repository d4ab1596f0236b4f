"""Map speed in Chromium for the default three-province view with every layer on; prints JSON.

payload_bytes: what the app sends the browser for that view over its websocket (the map
script, its data and the page); static_http_bytes apart: Streamlit's own frontend, the
component and Leaflet, which browsers cache.
first_map_ms: navigation start to organisation points drawn.
filter_update_ms_median: a municipality filter change to the map showing the new count.
Run after `make test` has built the data: `.venv/bin/python benchmarks/map.py`.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.e2e.harness import COUNT_MARKERS, chromium, map_frame, serve_app, wait_idle  # noqa: E402

MUNICIPALITIES = ["KRZ14", "RAZ26", "VRC10", "KRZ16", "RAZ14", "VRC08"]


def _first_load(browser, url: str) -> tuple[int, int, float]:
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    ws_bytes = [0]
    http_bytes = [0]

    def on_ws(ws):
        ws.on("framereceived", lambda payload: ws_bytes.__setitem__(0, ws_bytes[0] + len(
            payload if isinstance(payload, bytes) else payload.encode())))

    def on_response(resp):
        if resp.url.startswith(url) and "/_stcore/" not in resp.url:
            try:
                http_bytes[0] += len(resp.body())
            except Exception:  # redirects and aborted loads have no body
                pass

    page.on("websocket", on_ws)
    page.on("response", on_response)
    started = time.perf_counter()
    page.goto(url)
    map_frame(page, timeout_ms=60000)
    first_ms = (time.perf_counter() - started) * 1000
    wait_idle(page)
    context.close()
    return ws_bytes[0], http_bytes[0], first_ms


def _filter_updates(browser, url: str) -> list[float]:
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    page.goto(url)
    map_frame(page, timeout_ms=60000)
    wait_idle(page)
    box = page.get_by_role("combobox", name="Община", exact=True)
    timings = []
    for code in MUNICIPALITIES:
        frame = map_frame(page)
        before = frame.evaluate(COUNT_MARKERS)
        started = time.perf_counter()
        box.click()
        page.keyboard.press("Backspace")  # drop the previous municipality, if any
        box.fill(_muni_name(code))
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                now = map_frame(page, timeout_ms=20000).evaluate(COUNT_MARKERS)
            except Exception:
                now = before
            if now != before:
                break
            page.wait_for_timeout(20)
        timings.append((time.perf_counter() - started) * 1000)
        wait_idle(page)
    return timings


def _muni_name(code: str) -> str:
    import store

    m = store.load_municipalities().set_index("code")
    return m.at[code, "name"]


def main() -> None:
    with serve_app() as url, chromium() as browser:
        _first_load(browser, url)  # warm the server's caches, as after any first visitor
        ws, http, first_ms = _first_load(browser, url)
        updates = _filter_updates(browser, url)
    print(json.dumps({
        "payload_bytes": ws,
        "static_http_bytes": http,
        "first_map_ms": round(first_ms),
        "filter_update_ms_median": round(statistics.median(updates)),
        "filter_update_ms": [round(x) for x in updates],
    }, indent=2))


if __name__ == "__main__":
    main()
