"""The Map on a 390 px phone (issue 23): numbered clusters at low zoom, single marks later.

At the first view the organisation marks are gathered into clusters whose numbers add up
to the organisations shown; a tap on a cluster zooms in, and at a municipality's zoom the
single marks and their popups are back.
"""

from __future__ import annotations

import pytest

from layers.organisations import layer_titles
from tests.e2e.harness import map_frame, open_page, shot, wait_idle
from tests.e2e.test_map_e2e import PHONE_AGENT, _counts, _iframe_box, _until

pytestmark = pytest.mark.once  # the browser's own drawing on the same build: SQLite pass

# What the map shows now: its clusters (number, box on screen) and the marks drawn on their
# own (count), and every mark's organisations whether clustered or not.
SHOWN = """
() => {
    const frame = map.getContainer().getBoundingClientRect();
    const clusters = [], singles = [];
    map.eachLayer(l => {
        if (l instanceof L.MarkerCluster) {
            const r = l._icon.getBoundingClientRect(), s = getComputedStyle(l._icon.firstChild);
            clusters.push({n: l.getAllChildMarkers().reduce((a, m) => a + m.options.count, 0),
                           text: l._icon.innerText, x: r.left + r.width / 2,
                           y: r.top + r.height / 2, box: [r.left, r.top, r.right, r.bottom],
                           font: parseFloat(s.fontSize), colour: s.color,
                           background: s.backgroundColor, in_frame: r.left >= frame.left
                           && r.right <= frame.right && r.top >= frame.top
                           && r.bottom <= frame.bottom});
        } else if (l.feature && l.feature.properties && l.feature.properties.count) {
            singles.push(l.options.count);
        }
    });
    const all = civicMap.marks().reduce((a, m) => a + civicMap.members(m).length, 0);
    return {zoom: map.getZoom(), clusters, singles, all};
}
"""
CONTROLS = """
() => ['.leaflet-control-attribution', '.leaflet-control-scale', '.leaflet-control-zoom',
       '.leaflet-control-layers', '.civic-legend'].map(s => document.querySelector(s))
    .filter(Boolean).map(e => { const r = e.getBoundingClientRect();
                                return [r.left, r.top, r.right, r.bottom]; })
"""
SETTLED = ("!(map._animatingZoom || (map._panAnim && map._panAnim._inProgress)) && "
           "!document.querySelector('.leaflet-cluster-anim')")


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _still(frame, page):
    """What the map shows once it has stopped moving (the same view three times)."""
    still, previous = 0, None
    for _ in range(80):
        view = frame.evaluate("[map.getCenter().lat, map.getCenter().lng, map.getZoom(), "
                              "map.getSize().x, map.getSize().y]")
        still = still + 1 if view == previous and frame.evaluate(SETTLED) else 0
        if still >= 3:
            return frame.evaluate(SHOWN)
        previous = view
        page.wait_for_timeout(150)
    raise AssertionError("the map did not settle")


@pytest.mark.parametrize(("lang", "provinces"), [("bg", ""), ("tr", "ALL")])
def test_phone_clusters_add_up_and_open_into_marks(app_url, browser, orgs, lang, provinces):
    query = f"/?lang={lang}"
    if provinces == "ALL":  # the national view
        query += "&provinces=" + ",".join(sorted(set(orgs["province_code"].dropna())))
    page, log = open_page(browser, app_url + query, width=390, height=844, is_mobile=True,
                          has_touch=True, user_agent=PHONE_AGENT)
    frame = map_frame(page, timeout_ms=90000)
    wait_idle(page)
    counted = _until(lambda: (c := _counts(page)) and frame.evaluate("civicMap.shown()")
                     == sum(c.values()) and c, 60, page=page, what="the counts on the map")
    first = _still(frame, page)
    assert first["zoom"] < 10
    assert len(first["clusters"]) >= 3 and max(c["n"] for c in first["clusters"]) >= 20
    # a cluster's number is the organisations it holds; together with the single marks
    # they are every organisation of the counts line (a presumed library is told of
    # inside its chitalishte's entry, as in a mark's popup)
    assert all(c["text"] == str(c["n"]) for c in first["clusters"])
    total = sum(c["n"] for c in first["clusters"]) + sum(first["singles"])
    assert total == first["all"]
    presumed = counted[layer_titles(lang)["library_presumed"]]
    assert sum(counted.values()) - presumed <= total <= sum(counted.values())
    # readable: 12 px or more, white on dark, inside the map and clear of its controls
    assert all(c["font"] >= 12 and c["colour"] == "rgb(255, 255, 255)" for c in first["clusters"])
    controls = frame.evaluate(CONTROLS)
    assert len(controls) >= 4
    for c in first["clusters"]:
        assert c["in_frame"], c
        assert not any(_overlap(c["box"], box) for box in controls), (c, controls)
    shot(page, f"map-phone-clusters-{lang}")

    # a tap on the biggest cluster zooms in
    biggest = max(first["clusters"], key=lambda c: c["n"])
    box = _iframe_box(page)
    page.touchscreen.tap(box["x"] + biggest["x"], box["y"] + biggest["y"])
    _until(lambda: frame.evaluate("map.getZoom()") > first["zoom"], page=page,
           what="the map to zoom into the cluster")
    after = _still(frame, page)
    assert after["all"] == first["all"]  # nothing lost on the way

    # at a municipality's zoom the marks are single again, each with its popup
    frame.evaluate("void map.setView(map.getCenter(), Math.max(map.getZoom(), 11), "
                   "{animate: false})")
    close = _still(frame, page)
    assert close["zoom"] >= 10 and not close["clusters"] and close["singles"]
    marks = frame.evaluate("""() => { const b = map.getBounds(), box =
        map.getContainer().getBoundingClientRect();
        return civicMap.marks().filter(m => b.contains(m.getLatLng())).map(m => {
            const p = map.latLngToContainerPoint(m.getLatLng());
            return {x: p.x + box.left, y: p.y + box.top, drawn: map.hasLayer(m),
                    canvas: m._renderer instanceof L.Canvas}; }); }""")
    assert marks and all(m["drawn"] and m["canvas"] for m in marks)
    size = frame.evaluate("[map.getSize().x, map.getSize().y]")
    middle = min(marks, key=lambda m: abs(m["x"] - size[0] / 2) + abs(m["y"] - size[1] / 2))
    page.touchscreen.tap(box["x"] + middle["x"], box["y"] + middle["y"])
    frame.locator(".leaflet-popup-content .org-name, .leaflet-popup-content .org-item") \
        .first.wait_for(timeout=5000)
    _until(lambda: frame.evaluate(SETTLED + " && getComputedStyle(document.querySelector("
                                  "'.leaflet-popup')).opacity === '1'"), page=page,
           what="the popup to open")
    shot(page, f"map-phone-marks-{lang}")

    # a window widened past 640 px of map (a tablet, a desktop): at the first zoom no
    # cluster, every mark on its own; narrowed again, the clusters are back
    page.set_viewport_size({"width": 1300, "height": 900})
    _until(lambda: frame.evaluate("map.getSize().x") > 640, page=page, what="a wider map")
    frame.evaluate("void map.closePopup()")
    frame.evaluate(f"void map.setZoom({first['zoom']}, {{animate: false}})")
    wide = _still(frame, page)
    assert wide["zoom"] == first["zoom"] and not wide["clusters"]
    assert sum(wide["singles"]) == wide["all"] == first["all"]
    page.set_viewport_size({"width": 390, "height": 844})
    _until(lambda: frame.evaluate("map.getSize().x") < 640, page=page, what="a narrow map")
    narrow = _still(frame, page)
    assert narrow["zoom"] < 10 and narrow["clusters"]
    assert sum(c["n"] for c in narrow["clusters"]) + sum(narrow["singles"]) == first["all"]
    assert not log.errors, log.errors
