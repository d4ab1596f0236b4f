"""Map speed in Chromium, three provinces and the whole country, every layer on; prints JSON.

payload_bytes / national_payload_bytes: everything the app sends the browser over its
websocket for the default three-province view / for `?provinces=` all 28 (the page, the
map script and its data). Streamlit's own frontend, the component and Leaflet come over
plain HTTP and are cached by browsers; they are not counted.
bytes_per_organisation: payload_bytes divided by the organisations the map shows.
first_map_ms / national_first_map_ms: navigation start to the organisation marks drawn.
filter_update_ms_median: a municipality filter change to the map showing the new count;
filter_update_bytes_median: websocket bytes received for that change.
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
# Organisations the map shows: the map's own count when it has one, else drawn points.
SHOWN = f"(window.civicMap ? window.civicMap.shown() : {COUNT_MARKERS})"


class WsMeter:
    """Bytes received over the page's websockets."""

    def __init__(self, page) -> None:
        """Start counting on `page`."""
        self.total = 0
        page.on("websocket", self._on_ws)

    def _on_ws(self, ws) -> None:
        ws.on("framereceived", self._on_frame)

    def _on_frame(self, payload) -> None:
        self.total += len(payload if isinstance(payload, bytes) else payload.encode())


def _first_load(browser, url: str) -> tuple[int, float, int]:
    """(websocket bytes, ms to the first map, organisations shown) for one fresh visit."""
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    meter = WsMeter(page)
    started = time.perf_counter()
    page.goto(url)
    frame = map_frame(page, timeout_ms=120000)
    first_ms = (time.perf_counter() - started) * 1000
    wait_idle(page)
    shown = frame.evaluate(SHOWN)
    context.close()
    return meter.total, first_ms, shown


def _wait_shown_change(page, before: int, timeout_s: float = 20) -> None:
    """Until the map shows another count than `before` (the frame may be replaced)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if map_frame(page, timeout_ms=20000).evaluate(SHOWN) != before:
                return
        except Exception:  # the frame was replaced while we asked
            pass
        page.wait_for_timeout(10)
    raise AssertionError("the map did not change")


def _filter_updates(browser, url: str) -> tuple[list[float], list[int]]:
    """Milliseconds and websocket bytes per municipality change."""
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    meter = WsMeter(page)
    page.goto(url)
    map_frame(page, timeout_ms=60000)
    wait_idle(page)
    box = page.get_by_role("combobox", name="Община", exact=True)
    names = _muni_names()
    timings, sizes = [], []
    for code in MUNICIPALITIES:
        before = map_frame(page).evaluate(SHOWN)
        bytes_before = meter.total
        started = time.perf_counter()
        box.click()
        page.keyboard.press("Backspace")  # drop the previous municipality, if any
        box.fill(names[code])
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        _wait_shown_change(page, before)
        timings.append((time.perf_counter() - started) * 1000)
        wait_idle(page)
        sizes.append(meter.total - bytes_before)
    page.close()
    return timings, sizes


def _muni_names() -> dict[str, str]:
    import store

    m = store.load_municipalities()
    return dict(zip(m["code"], m["name"]))


def _all_provinces() -> str:
    import store

    return ",".join(sorted(store.load_provinces()["code"]))


def main() -> None:
    """Run both views and the filter changes; print one JSON object."""
    national = f"/?provinces={_all_provinces()}"
    with serve_app() as url, chromium() as browser:
        _first_load(browser, url)  # warm the server's caches, as after any first visitor
        ws, first_ms, shown = _first_load(browser, url)
        _first_load(browser, url + national)
        national_ws, national_ms, _ = _first_load(browser, url + national)
        updates, sizes = _filter_updates(browser, url)
    print(json.dumps({
        "payload_bytes": ws,
        "national_payload_bytes": national_ws,
        "bytes_per_organisation": round(ws / max(shown, 1)),
        "first_map_ms": round(first_ms),
        "national_first_map_ms": round(national_ms),
        "filter_update_ms_median": round(statistics.median(updates)),
        "filter_update_bytes_median": round(statistics.median(sizes)),
    }))


if __name__ == "__main__":
    main()
