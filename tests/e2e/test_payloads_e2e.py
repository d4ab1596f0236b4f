"""The payload corpus on every surface, in Chromium.

Map, Nearby, Coverage, Regions, Data and the Compass. No script runs (no dialog, no
`window.__pwned` in any frame), no page error, and every map is still drawn with its
tooltips holding the payloads as plain text.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.e2e.harness import ROOT, open_page, private_store, serve_app, shot, wait_idle
from tests.payloads import PAYLOADS

pytestmark = pytest.mark.own_store  # its own SQLite store: runs once, in the SQLite pass

# Gives every organisation in the three provinces a payload in front of its name (so the
# Coverage hubs, the Nearby results and the Map all carry them) and a hostile website.
RENAME = """
import sys
from sqlalchemy import select, update
import store
from tests.payloads import HOSTILE_URL, PAYLOADS
org = store.organisations
with store.engine().begin() as conn:
    three = org.c.province_code.in_(['KRZ', 'RAZ', 'VRC'])
    ids = [r[0] for r in conn.execute(select(org.c.id).where(three).order_by(org.c.id))]
    for i, org_id in enumerate(ids):
        conn.execute(update(org).where(org.c.id == org_id).values(
            name=PAYLOADS[i % len(PAYLOADS)] + ' ' + str(i), website=HOSTILE_URL))
print(ids[0])
"""

OPEN_TOOLTIPS = """() => { let n = 0, texts = [];
    map.eachLayer(l => { if (l.getTooltip && l.getTooltip()) { l.openTooltip();
        const c = l.getTooltip().getContent(); texts.push(typeof c === 'string' ? c : '');
        n++; } });
    return {n: n, text: Array.from(document.querySelectorAll('.leaflet-tooltip'))
                              .map(e => e.innerText).join('\\n')}; }"""


@pytest.fixture(scope="module")
def payload_app(tmp_path_factory):
    """The app over its own store: the real build with the payloads in Kardzhali's names."""
    env = private_store(tmp_path_factory.mktemp("payloads"))
    with serve_app(env) as url:
        # renamed once the server runs (`make run` may rebuild first), before any page loads
        out = subprocess.run([sys.executable, "-c", RENAME], cwd=ROOT, check=True, text=True,
                             capture_output=True, env={**os.environ, **env})
        yield url, out.stdout.strip(), env


def _assert_nothing_ran(page, log) -> None:
    for frame in page.frames:
        try:
            flag = frame.evaluate("() => window.__pwned || null")
        except Exception:  # a detached frame
            continue
        assert flag is None, (frame.url, flag)
    assert not log.dialogs, log.dialogs
    assert not log.errors, log.errors


def _map_frames(page, want: int = 1, timeout_s: float = 60):
    """The st_folium frames once Leaflet has drawn in them (`want` of them)."""
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        ready = []
        for frame in page.frames:
            if "st_folium" not in frame.url:
                continue
            try:
                if frame.evaluate("() => typeof window.map !== 'undefined' && "
                                  "!!document.querySelector('.leaflet-container')"):
                    ready.append(frame)
            except Exception:  # still loading
                pass
        if len(ready) >= want:
            return ready
        page.wait_for_timeout(250)
    raise AssertionError("the map was not drawn")


OPEN_POPUPS = """() => { let opened = 0, bad = [];
    map.eachLayer(l => { if (opened < 60 && l.getPopup && l.feature) { l.openPopup(); opened++;
        const c = document.querySelector('.leaflet-popup-content');
        if (c && c.querySelector('script, img, svg, b[onmouseover], a[href^="javascript"]'))
            bad.push(c.innerHTML.slice(0, 200)); } });
    return {opened: opened, bad: bad}; }"""


def _tooltips(frame) -> dict:
    return frame.evaluate(OPEN_TOOLTIPS)


@pytest.mark.parametrize("path", ["/nearby?lat=41.6500&lon=25.3700&r=15",
                                  "/coverage", "/?provinces=KRZ"])
def test_payloads_on_the_maps(payload_app, browser, path):
    url = payload_app[0]
    page, log = open_page(browser, url + path)
    frame = _map_frames(page)[0]
    wait_idle(page)
    frame = _map_frames(page)[0]
    tips = _tooltips(frame)
    assert tips["n"] > 0, "no tooltip on the map"
    assert any(p.split(" ")[0] in tips["text"] for p in PAYLOADS), tips["text"][:500]
    if path.startswith("/?"):
        popups = frame.evaluate(OPEN_POPUPS)
        assert popups["opened"] > 0 and not popups["bad"], popups
    shot(page, "payloads" + path.split("?")[0].replace("/", "-"))
    _assert_nothing_ran(page, log)


def test_payloads_in_coverage_hub_tooltips(payload_app, browser):
    url = payload_app[0]
    page, log = open_page(browser, url + "/coverage")
    wait_idle(page)
    frame = _map_frames(page)[0]
    text = _tooltips(frame)["text"]
    hubs = [line for line in text.splitlines() if ": +" in line]
    # existing hubs are (renamed) organisations: their payloads show as text; new sites
    # are settlements
    assert sum("__pwned" in line or "alert(" in line for line in hubs) >= 2, hubs
    _assert_nothing_ran(page, log)


@pytest.mark.parametrize("path", ["/regions", "/data?correct={id}", "/data"])
def test_payloads_on_regions_and_data(payload_app, browser, path):
    url, first_id, _ = payload_app
    page, log = open_page(browser, url + path.format(id=first_id))
    wait_idle(page)
    page.wait_for_selector("[data-testid='stMain']", timeout=30000)
    shot(page, "payloads" + path.split("?")[0].replace("/", "-"))
    _assert_nothing_ran(page, log)


COMPASS = """
import store
from reports.compass import source_rows
from reports.compass import compass_data, render_html
data = compass_data(['KRZ'], 'bg', store.load_settlements(), store.load_municipalities(),
                    store.load_provinces(), store.load_organisations(), 10.0)
print(render_html(data, source_rows()))
"""


def test_payloads_in_the_compass(payload_app, browser):
    """The Compass HTML (what Chromium prints to PDF) with payload names, opened as a page."""
    html = subprocess.run([sys.executable, "-c", COMPASS], cwd=ROOT, check=True,
                          capture_output=True, text=True,
                          env={**os.environ, **payload_app[2]}).stdout
    assert "__pwned" in html  # the payloads are in it, as text
    page, log = open_page(browser, "about:blank")
    page.set_content(html)
    _assert_nothing_ran(page, log)
