"""Every page in Chromium, in Bulgarian, English and Turkish, on a desktop and a phone (issue 23).

Each visit saves a full-page screenshot, `artifacts/tour-<page>-<lang>-<desktop|phone>.png`,
for a person to read, and checks what a reader would notice at once: a Streamlit exception,
the page's heading missing, the page wider than a 390 px phone (outside the elements meant
to scroll sideways: tables, maps) or a tab past its edge, and, in Bulgarian and Turkish,
an English message id shown as-is anywhere in the sidebar or the page's text.

One test per device walks its 21 visits and reports every problem found, not only the
first; the phone's is in `test_tour_phone_e2e.py`, because the suite runs test files whole
on one worker and the two halves should run side by side.
No fixed sleeps: each visit waits for its heading, for Streamlit to stop running and, on
the pages with a map, for Leaflet to have drawn it.
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from civic.i18n import _catalogue, gettext
from tests.e2e.harness import ARTIFACTS, ConsoleLog, map_drawn, wait_idle

pytestmark = pytest.mark.once  # screenshots to read: the SQLite pass takes them

LIBRARY = "library-21e546f4ae0a"  # the regional library in Kardzhali
LIBRARY_NAME = "Регионална библиотека „Н. Й. Вапцаров“"
# name: (path and query, the main heading's message id or literal text, has a map)
PAGES = {
    "map": ("/?", "Civil sector map", True),
    "nearby": ("/nearby?q=Момчилград&", "Who is near me?", True),
    "actions": ("/actions?", "Civic actions", False),
    "library": (f"/library?id={LIBRARY}&", LIBRARY_NAME, True),
    "coverage": ("/coverage?", "Coverage gaps", True),
    "regions": ("/regions?", "Regions", False),
    "data": ("/data?", "Improve the data", False),
}
LANGS = ("bg", "en", "tr")
PHONE_AGENT = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like "
               "Gecko) Chrome/126.0 Mobile Safari/537.36")
VIEWPORTS = {"desktop": {"viewport": {"width": 1300, "height": 900}},
             "phone": {"viewport": {"width": 390, "height": 844}, "user_agent": PHONE_AGENT,
                       "is_mobile": True, "has_touch": True}}

MAP_DRAWN = ("() => typeof window.map !== 'undefined' && !!document.querySelector("
             "'.leaflet-overlay-pane path, .leaflet-overlay-pane canvas, .leaflet-marker-icon')")

# Elements wider than the phone's screen that are meant to scroll or clip inside themselves.
SCROLLERS = ("[data-testid='stDataFrame'], [data-testid='stTable'], iframe, "
             "[data-testid='stVegaLiteChart'], [data-testid='stSidebar'], .leaflet-container,"
             " [data-testid='stCode'], [role='tablist'], [data-testid='stMarkdown'] "
             "table")
OVERFLOW = """(scrollers) => {
  const width = document.documentElement.clientWidth;
  const found = [];
  const main = document.querySelector("[data-testid='stMain']");
  for (const el of [document.scrollingElement, main]) {
    if (el && el.scrollWidth > el.clientWidth + 1)
      found.push(`${el.tagName}.${el.getAttribute('data-testid') || ''} scrolls sideways: `
                 + `${el.scrollWidth} > ${el.clientWidth}`);
  }
  for (const el of (main || document.body).querySelectorAll('*')) {
    if (el.closest(scrollers)) continue;
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || r.right <= width + 1) continue;
    let clipped = false;  // inside a box that hides or scrolls its overflow
    for (let p = el.parentElement; p && p !== main; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (s.overflowX !== 'visible' && p.getBoundingClientRect().right <= width + 1) {
        clipped = true; break;
      }
    }
    if (clipped) continue;
    const text = (el.innerText || '').trim().slice(0, 40);
    found.push(`${el.tagName}.${el.getAttribute('data-testid') || el.className} `
               + `right=${Math.round(r.right)} '${text}'`);
    if (found.length > 5) break;
  }
  return found;
}"""
# Tabs past the screen's right edge: on a phone a reader would not know they are there.
TABS_OFF_SCREEN = """() => Array.from(document.querySelectorAll(
    "[data-testid='stMain'] [data-testid='stTab']"))
  .filter(t => t.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .map(t => t.innerText.trim())"""
# Every piece of text a reader sees on the page itself (maps and tables draw their own).
SHOWN = """() => {
  const out = [];
  for (const root of document.querySelectorAll(
      "[data-testid='stSidebar'], [data-testid='stMain']")) {
    const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const el = n.parentElement, text = n.textContent.trim();
      if (text && el && el.getClientRects().length && !el.closest('script, style'))
        out.push(text);
    }
  }
  return out;
}"""


def _english_ids(lang: str) -> set[str]:
    """The English message ids whose translation in `lang` reads differently."""
    return {m for m, t in _catalogue(lang).items() if t.strip() != m.strip()}


def _untranslated(texts: list[str], english: set[str]) -> list[str]:
    """Shown texts that are an English message id as-is (a missing translation)."""
    out = []
    for text in texts:
        text = text.rstrip(" ◀").strip()
        if text in english and text not in out:
            out.append(text)
    return out


def _has_heading(page, text: str) -> bool:
    """Whether the main column shows a heading (h1-h3) with `text`.

    A few seconds' grace only: Streamlit has stopped running, so it is there or never will be.
    """
    head = page.locator("[data-testid='stMain']").locator("h1, h2, h3").filter(has_text=text)
    try:
        head.first.wait_for(timeout=10000)
    except PlaywrightTimeout:
        return False
    return True


def _full_shot(page, name: str) -> None:
    """The whole page, sidebar included.

    The viewport is made as tall as the longer of the two scrolling columns (Streamlit
    scrolls inside `stMain`, so a plain full-page screenshot would show only the first
    screen), then put back.
    """
    size = page.viewport_size
    tall = page.evaluate("""() => Math.max(window.innerHeight, ...Array.from(
        document.querySelectorAll("[data-testid='stMain'], [data-testid='stSidebarContent']"))
        .filter(el => el.getBoundingClientRect().right > 50)  // a phone's sidebar is shut
        .map(el => el.scrollHeight))""")
    page.set_viewport_size({"width": size["width"], "height": min(int(tall), 16000)})
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    page.set_viewport_size(size)


def start(context, base: str, name: str, lang: str):
    """A new tab opening one page."""
    page = context.new_page()
    log = ConsoleLog(page)
    page.goto(f"{base}{PAGES[name][0]}lang={lang}", wait_until="commit")
    return page, log


def visit(page, log, name: str, lang: str, device: str) -> list[str]:
    """Once the page has loaded: screenshot it and return the problems a reader would see."""
    _path, heading, has_map = PAGES[name]
    problems: list[str] = []
    page.locator("h1, h2, h3").first.wait_for(timeout=90000)  # the page has begun
    if has_map and not map_drawn(page, time.monotonic() + 60, MAP_DRAWN):
        problems.append("no map drawn")
    wait_idle(page, 90)
    expected = gettext(heading, lang)
    if not _has_heading(page, expected):
        problems.append(f"heading {expected!r} not shown")
    _full_shot(page, f"tour-{name}-{lang}-{device}")
    if page.locator("[data-testid='stException']").count():
        problems.append("Streamlit exception: "
                        + page.locator("[data-testid='stException']").first.inner_text()[:300])
    if device == "phone":
        problems += [f"wider than the phone: {o}" for o in page.evaluate(OVERFLOW, SCROLLERS)]
        problems += [f"tab off the screen: {t}" for t in page.evaluate(TABS_OFF_SCREEN)]
    said = page.evaluate("() => [document.documentElement.lang, (document.querySelector("
                         "\"[data-testid='stSkipToContent']\") || {}).textContent]")
    if said != [lang, gettext("Skip to main content", lang)]:
        problems.append(f"document language and skip link say {said}")
    if lang != "en":
        english = _untranslated(page.evaluate(SHOWN), _english_ids(lang))
        if english:
            problems.append(f"English shown untranslated: {english}")
    if log.errors:
        problems.append(f"console errors: {log.errors[:3]}")
    page.close()
    return [f"{name}/{lang}/{device}: {p}" for p in problems]


def tour(app_url: str, browser, device: str) -> None:
    """Every page in every language on one device; fails listing every problem seen."""
    problems: list[str] = []
    context = browser.new_context(**VIEWPORTS[device])
    for lang in LANGS:
        for name in PAGES:
            problems += visit(*start(context, app_url, name, lang), name, lang, device)
    context.close()
    assert not problems, "\n".join(problems)


def test_every_page_in_every_language_on_a_desktop(app_url, browser):
    tour(app_url, browser, "desktop")
