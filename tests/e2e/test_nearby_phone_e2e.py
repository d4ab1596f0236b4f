"""Nearby on a 390 px phone from the first load (issue 23).

Enter searches, the results sit above the map, and a card's tel:/mailto: link is a real,
tappable link. No fixed sleeps.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.harness import open_page, shot, wait_idle

pytestmark = pytest.mark.once  # the browser's own drawing on the same build: SQLite pass

NEAR = {"bg": re.compile("Около Момчилград"), "tr": re.compile(r"Момчилград.* yakını")}


@pytest.mark.parametrize("lang", ["bg", "tr"])
def test_a_phone_user_searches_with_enter_and_reaches_a_contact(app_url, browser, lang):
    page, log = open_page(browser, f"{app_url}/nearby?lang={lang}&r=20", width=390,
                          height=844, is_mobile=True, has_touch=True)
    box = page.locator("input.q")
    box.wait_for(timeout=60000)
    wait_idle(page)
    box.tap()
    box.type("Момчилград", delay=20)
    page.locator(".suggestions li").first.wait_for(timeout=10000)
    box.press("Enter")
    box.blur()  # a phone's keyboard closes on its search key
    page.get_by_text(NEAR[lang]).first.wait_for(timeout=30000)
    wait_idle(page)
    assert box.input_value() == "Момчилград"  # not emptied by the rerun
    assert "q=" in page.url
    first = page.locator(".result").first
    iframe = page.locator("iframe[title*='st_folium']").first
    assert first.bounding_box()["y"] < iframe.bounding_box()["y"]  # the list before the map
    contact = page.locator(".result a[href^='tel:'], .result a[href^='mailto:']").first
    contact.wait_for(timeout=10000)
    assert re.fullmatch(r"tel:\+?\d{6,}|mailto:[^@\s]+@[^@\s]+", contact.get_attribute("href"))
    contact.scroll_into_view_if_needed()
    size = contact.bounding_box()
    assert contact.is_visible() and size["height"] >= 24 and size["width"] >= 40
    assert size["x"] >= 0 and size["x"] + size["width"] <= 390
    # follow it: the tap reaches the link with nothing in the page stopping or swallowing it
    # (the last listener sees the click; it then keeps headless Chromium from the phone app)
    page.evaluate("""() => { window.__followed = null;
        window.addEventListener('click', e => {
            const a = e.target.closest && e.target.closest('a');
            if (!a) { return; }
            window.__followed = [a.href, e.defaultPrevented];
            e.preventDefault(); }); }""")
    href, before = contact.get_attribute("href"), page.url
    contact.tap()
    page.wait_for_function("() => window.__followed !== null", timeout=10000)
    followed, swallowed = page.evaluate("() => window.__followed")
    assert followed == href and not swallowed and page.url == before
    shot(page, f"nearby-phone-{lang}")
    assert page.get_by_text(re.compile(r"^No (results|options)")).count() == 0
    assert not log.errors, log.errors
