"""HTML to PDF with Chromium's print-to-PDF (Playwright driving Debian's Chromium)."""

from __future__ import annotations

import os

from civic import settings
from civic.errors import UsageError

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def html_to_pdf(html: str) -> bytes:
    """A4 PDF of a self-contained HTML page (no network needed: images are embedded).

    Runs in its own thread: Playwright's sync API refuses a thread that already has an
    event loop (a test's browser session, an async server).
    """
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_print, html).result()


def _print(html: str) -> bytes:
    from playwright.sync_api import sync_playwright

    chromium = settings.chromium()
    if not os.path.exists(chromium):
        raise UsageError("Chromium not found at {path} (apt-get install chromium, or set "
                         "CIVICMAP_CHROMIUM); write an .html report instead", path=chromium)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        try:
            page = browser.new_page()
            page.set_content(html, wait_until="load")
            return page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
        finally:
            browser.close()
