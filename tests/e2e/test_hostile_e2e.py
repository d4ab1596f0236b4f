"""Hostile names and addresses show as plain text in the app: no script runs, no dialog."""

from __future__ import annotations

import pytest

from tests.e2e.harness import map_frame, open_page, private_store, serve_app, shot

pytestmark = pytest.mark.own_store  # its own SQLite store: runs once, in the SQLite pass

HOSTILE_NAME = "<script>alert('xss')</script> Сдружение"


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory):
    """The app over its own store: the real build plus the hostile fixture rows."""
    env = private_store(tmp_path_factory.mktemp("hostile"),
                        ("tests/fixtures/bad_inputs/script_tags.csv",))
    with serve_app(env) as url:
        yield url


def test_hostile_name_in_map_popup_is_text(hostile_url, browser):
    page, log = open_page(browser, hostile_url + "/?q=script&kinds=ngo")
    frame = map_frame(page)
    # the name search frames the map on what it found: retry if the view moved under the click
    frame.wait_for_function("() => window.civicMap && civicMap.shown() > 0")
    popup = frame.locator(".leaflet-popup-content")
    for _ in range(4):
        point = frame.evaluate("""() => { let out = null; map.eachLayer(l => {
            if (!out && l.feature && l.feature.properties.k === 'ngo') {
                const p = map.latLngToContainerPoint(l.getLatLng());
                const box = map.getContainer().getBoundingClientRect();
                out = {x: p.x + box.left, y: p.y + box.top};
            } }); return out; }""")
        assert point
        box = page.locator("iframe[title*='st_folium']").first.bounding_box()
        page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
        try:
            popup.wait_for(timeout=3000)
            break
        except Exception:  # the map was still moving
            continue
    popup.wait_for(timeout=1000)
    assert HOSTILE_NAME in popup.inner_text()
    assert "<img src=x onerror=alert(1)>" in popup.inner_text()
    assert frame.locator(".leaflet-popup-content script, .leaflet-popup-content img").count() == 0
    shot(page, "hostile-popup")
    assert not log.dialogs and not log.errors, (log.dialogs, log.errors)


def test_hostile_name_in_nearby_results_is_text(hostile_url, browser):
    page, log = open_page(browser, hostile_url + "/nearby?q=Кърджали&r=1&kind=ngo",
                          width=390, height=844, is_mobile=True)
    cards = page.locator(".result")
    cards.first.wait_for(timeout=30000)
    texts = " ".join(cards.all_inner_texts())
    assert HOSTILE_NAME in texts
    assert page.locator(".result script, .result img").count() == 0
    assert not log.dialogs and not log.errors, (log.dialogs, log.errors)
