"""The Map's filters run in the browser: what the map frame keeps is what geo.filters keeps.

The panel (layers/filter_panel.js) hands the map frame a filter; civicmap.js filters its own
records. Each case below is given to the frame as the panel gives it, and the counts the
frame reports back are compared with `geo.filters.counts(geo.filters.apply(...))` on the
same organisations: one definition of a filter, whichever side computes it.
"""

from __future__ import annotations

import json
import time

import pytest

from civic.i18n import term
from geo import filters
from tests.e2e.harness import ConsoleLog, map_frame, wait_idle

pytestmark = pytest.mark.once  # the browser's own drawing on the same build: SQLite pass

CASES = [
    {},
    {"municipalities": ["KRZ14", "RAZ26"]},
    {"kinds": ["ngo"]},
    {"kinds": ["library"], "presumed": False},
    {"fields": ["social"]},
    {"fields": ["culture", "youth"]},
    {"legal_forms": ["chitalishte"]},
    {"statuses": ["active", "inactive", "closed"]},
    {"precisions": ["settlement"]},
    {"q": "Вапцаров"},
    {"q": "vaptsarov"},
    {"q": "„Просвета"},
    {"q": "Kardzhali"},
    {"q": "няма такова име xyz"},
    {"municipalities": ["VRC10"], "kinds": ["chitalishte", "library"], "q": "бъдеще"},
    {"provinces": ["VAR"]},
    {"provinces": ["RAZ", "SOF"], "kinds": ["chitalishte"], "municipalities": ["SOF46"]},
    {"provinces": []},
    {"provinces": ["BGS", "BLG", "DOB", "GAB", "HKV", "JAM", "KNL", "KRZ", "LOV", "MON", "PAZ",
                   "PDV", "PER", "PVN", "RAZ", "RSE", "SFO", "SHU", "SLS", "SLV", "SML", "SOF",
                   "SZR", "TGV", "VAR", "VID", "VRC", "VTR"], "q": "Просвета"},
]
DEFAULT = filters.Filters()


def _as_filters(case: dict) -> filters.Filters:
    return filters.Filters(
        provinces=tuple(case.get("provinces", DEFAULT.provinces)),
        municipalities=tuple(case.get("municipalities", ())),
        kinds=tuple(case.get("kinds", DEFAULT.kinds)),
        presumed_libraries=case.get("presumed", True),
        fields=tuple(case.get("fields", ())), legal_forms=tuple(case.get("legal_forms", ())),
        statuses=tuple(case.get("statuses", DEFAULT.statuses)),
        precisions=tuple(case.get("precisions", DEFAULT.precisions)), name=case.get("q", ""))


def _browser_filter(case: dict, key: str) -> dict:
    f = _as_filters(case)
    return {"key": key, "provinces": list(f.provinces),
            "municipalities": list(f.municipalities), "kinds": list(f.kinds),
            "presumed": f.presumed_libraries, "fields": list(f.fields),
            "legal_forms": list(f.legal_forms), "statuses": list(f.statuses),
            "precisions": list(f.precisions), "q": f.name, "fit": None}


def test_the_browser_keeps_what_the_filters_keep(app_url, browser, orgs):
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    log = ConsoleLog(page)
    page.goto(app_url + "/?lang=bg")
    frame = map_frame(page)
    wait_idle(page)
    key = frame.evaluate("civicMap.key")
    assert any(len(filters.apply(orgs, _as_filters(c))) == 0 for c in CASES)  # one empty case
    for n, case in enumerate(CASES):
        wanted = filters.counts(filters.apply(orgs, _as_filters(case)))
        page.evaluate("""([text, n]) => { const d = document.createElement('div');
            d.hidden = true; d.id = 'case-' + n; document.body.appendChild(d);
            d.setAttribute('data-civic-map-filter', text); }""",
                      [json.dumps(_browser_filter(case, key)), n])
        deadline, got = time.monotonic() + 15, None
        while time.monotonic() < deadline:
            got = page.evaluate("window.civicMapCounts && window.civicMapCounts.counts")
            if got == wanted:
                break
            page.wait_for_timeout(20)
        assert got == wanted, (case, got, wanted)
        assert frame.evaluate("civicMap.shown()") == sum(wanted.values())
        page.evaluate("n => document.getElementById('case-' + n).remove()", n)
    assert not log.errors, log.errors


@pytest.mark.parametrize("lang", ["bg", "tr"])
def test_panel_filters_without_a_rerun_and_keeps_the_url(app_url, browser, lang):
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    log = ConsoleLog(page)
    sent = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda p: sent.append(p)))
    page.goto(app_url + f"/?lang={lang}&kinds=ngo,chitalishte")
    frame = map_frame(page)
    wait_idle(page)
    before = len(sent)
    page.locator(".cfp-fields summary").click()
    page.get_by_role("checkbox", name=term("social", lang), exact=True).check()
    deadline = time.monotonic() + 15
    while "fields=" not in page.url and time.monotonic() < deadline:
        page.wait_for_timeout(20)
    assert "fields=" in page.url and "kinds=ngo,chitalishte" in page.url, page.url
    assert f"lang={lang}" in page.url
    shown = frame.evaluate("civicMap.shown()")
    counts = page.locator(".civic-counts").inner_text()
    assert shown > 0 and shown < 723, (shown, counts)
    assert len(sent) == before  # the server was never asked
    # a reload of the URL the panel wrote shows the same view
    page.goto(page.url)
    frame = map_frame(page)
    wait_idle(page)
    deadline = time.monotonic() + 15
    while frame.evaluate("civicMap.shown()") != shown and time.monotonic() < deadline:
        page.wait_for_timeout(20)
    assert frame.evaluate("civicMap.shown()") == shown
    assert page.locator(".cfp-fields summary .cfp-summary").inner_text().strip()
    assert not log.errors, log.errors


def _province_labels(lang: str) -> dict[str, str]:
    import store
    from civic.i18n import place_names

    provinces = store.load_provinces()
    return dict(zip(provinces["code"], place_names(provinces, lang)))


# the organisations' layer, then each overlay drawn from the base map's records, by name
OVERLAYS = "Object.fromEntries((window.civicOverlays || []).filter(Boolean).map(g => " \
           "[g.civicName, g.getLayers().length]))"


@pytest.mark.parametrize("lang", ["bg", "tr"])
def test_a_province_change_needs_no_rerun_and_keeps_the_url(app_url, browser, orgs,
                                                             settlements, lang):
    """Varna in, Kardzhali out: marks, outlines, places, counts and URL follow.

    The page never asks the server meanwhile (no websocket message sent: no rerun).
    """
    import store
    from civic.i18n import translator

    _ = translator(lang)
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    log = ConsoleLog(page)
    sent = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda p: sent.append(p)))
    page.goto(app_url + f"/?lang={lang}")
    frame = map_frame(page)
    wait_idle(page)
    frame.evaluate("window.civicSameFrame = true")
    assert not frame.evaluate("map.getBounds().contains([43.21, 27.91])")
    before = len(sent)
    labels = _province_labels(lang)
    page.locator(".cfp-provinces summary").click()
    page.get_by_role("checkbox", name=labels["VAR"], exact=True).check()
    page.get_by_role("checkbox", name=labels["KRZ"], exact=True).uncheck()
    chosen = ("RAZ", "VAR", "VRC")
    wanted = filters.counts(filters.apply(orgs, filters.Filters(provinces=chosen)))
    deadline, got = time.monotonic() + 15, None
    while time.monotonic() < deadline:
        got = page.evaluate("window.civicMapCounts && window.civicMapCounts.counts")
        if got == wanted and "provinces=RAZ,VAR,VRC" in page.url:
            break
        page.wait_for_timeout(20)
    assert got == wanted, (got, wanted)
    assert frame.evaluate("civicMap.shown()") == sum(wanted.values())
    assert "provinces=RAZ,VAR,VRC" in page.url and f"lang={lang}" in page.url, page.url
    # the chosen provinces' municipality outlines and settlements, nobody else's
    munis = store.load_municipalities()
    drawn = frame.evaluate(OVERLAYS)
    assert drawn[_("Municipalities")] == munis["province_code"].isin(chosen).sum()
    assert drawn[_("Settlements (zoom in)")] == (settlements["province_code"].isin(chosen)
                                                 & settlements.geometry.notna()).sum()
    # the panel lists the chosen provinces' municipalities only
    listed = page.evaluate("""[...document.querySelectorAll('.cfp-municipalities label')]
        .filter(l => l.style.display !== 'none').length""")
    assert listed == munis["province_code"].isin(chosen).sum()
    # framed: Varna (the city) in view, which the first view (KRZ, RAZ, VRC) was not
    assert frame.evaluate("map.getBounds().contains([43.21, 27.91])")
    assert len(sent) == before  # the server was never asked: no rerun
    assert frame.evaluate("window.civicSameFrame === true")  # the same map, redrawn in place
    # a reload of the URL the panel wrote shows the same view
    page.goto(page.url)
    frame = map_frame(page)
    wait_idle(page)
    deadline = time.monotonic() + 15
    while frame.evaluate("civicMap.shown()") != sum(wanted.values()) \
            and time.monotonic() < deadline:
        page.wait_for_timeout(20)
    assert frame.evaluate("civicMap.shown()") == sum(wanted.values())
    assert not log.errors, log.errors
