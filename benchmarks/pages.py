"""How soon each page shows something useful, in Chromium; prints JSON.

For every page (Map, Nearby after a search, Actions, Libraries on one library, Coverage,
Regions, Data) in Bulgarian: `headline_s`, navigation start to the page's first heading
being visible, and `map_s`, to its first Leaflet map having drawn its base map (for the
pages that have one; null for those that do not). Each page is opened `--runs` times in a
fresh browser context after one warm-up visit (a first visit on a running server: the
process caches are warm, the browser's are not), and the median is printed;
`returning_headline_s` and `returning_map_s` the same for a returning visitor (one browser
context kept across the visits: the app's scripts and styles in its cache).
`slowest_page_s` is over the first-visit figures. On Regions with KRZ, RAZ and VRC, the
click on "Prepare PDF" to the download button being offered: `pdf_first_s` the first time on
the server (the Compass generated), `pdf_s` the median of the `--runs` after it (the same
Compass, from the process cache).

Run after `make test` has built the data: `.venv/bin/python benchmarks/pages.py [--runs 3]
[--url URL] [--pages coverage,library,pdf]` (without `--url` it starts the app with `make
run` on a free port, tiles off; `--pages`: only those pages, and the PDF only if named).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.e2e.harness import chromium, map_drawn, serve_app  # noqa: E402

LIBRARY = "library-21e546f4ae0a"  # the regional library in Kardzhali
PAGES = {
    "map": ("/?lang=bg", True),
    "nearby": ("/nearby?lang=bg&q=Момчилград", True),
    "actions": ("/actions?lang=bg", False),
    "library": (f"/library?lang=bg&id={LIBRARY}", True),
    "coverage": ("/coverage?lang=bg", True),
    "regions": ("/regions?lang=bg", False),
    "data": ("/data?lang=bg", False),
}
HEADING = "h1, h2, h3"
def _visit(browser, url: str, has_map: bool, timeout_s: float = 60,
           context=None) -> tuple[float, float | None]:
    """Seconds to the first visible heading, and to the first drawn map (or None).

    In a fresh browser context (nothing cached), or in `context` (a returning visitor's
    browser: the app's scripts and styles in its cache).
    """
    own = context is None
    context = context or browser.new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    started = time.monotonic()
    page.goto(url, wait_until="commit")
    page.locator(HEADING).first.wait_for(timeout=timeout_s * 1000)
    headline = time.monotonic() - started
    drawn = None
    if has_map:
        if not map_drawn(page, started + timeout_s):
            raise TimeoutError("no map drawn")
        drawn = time.monotonic() - started
    page.close()
    if own:
        context.close()
    return headline, drawn


def _pdf(browser, base: str) -> float:
    """Seconds from the click on 'Prepare PDF' to the download button."""
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    page.goto(base + "/regions?lang=bg&prov=KRZ,RAZ,VRC")
    prepare = page.get_by_role("button", name="Подготви PDF")
    prepare.wait_for(timeout=90000)
    started = time.monotonic()
    prepare.click()
    page.get_by_role("button", name="Изтегляне PDF").wait_for(timeout=180000)
    seconds = time.monotonic() - started
    context.close()
    return seconds


def measure(base: str, runs: int, pages: list[str] | None = None, pdf: bool = True) -> dict:
    """The figures for a running app at `base`: every page (or `pages`), and the PDF."""
    out: dict = {"runs": runs, "pages": {}}
    with chromium() as browser:
        for name, (path, has_map) in PAGES.items():
            if pages and name not in pages:
                continue
            _visit(browser, base + path, has_map)  # warm-up: the process caches fill
            heads, maps = [], []
            for _ in range(runs):
                head, drawn = _visit(browser, base + path, has_map)
                heads.append(head)
                if drawn is not None:
                    maps.append(drawn)
            returning = browser.new_context(viewport={"width": 1300, "height": 900})
            _visit(browser, base + path, has_map, context=returning)  # the browser's cache
            again = [_visit(browser, base + path, has_map, context=returning)
                     for _ in range(runs)]
            returning.close()
            out["pages"][name] = {
                "headline_s": round(statistics.median(heads), 2),
                "map_s": round(statistics.median(maps), 2) if maps else None,
                "returning_headline_s": round(statistics.median(h for h, _ in again), 2),
                "returning_map_s": round(statistics.median(m for _, m in again), 2)
                if has_map else None}
        if pdf:  # the first PDF is generated; later ones come from the process cache
            out["pdf_first_s"] = round(_pdf(browser, base), 2)
            out["pdf_s"] = round(statistics.median(_pdf(browser, base) for _ in range(runs)),
                                 2)
    out["slowest_page_s"] = max((max(v["headline_s"], v["map_s"] or 0)
                                 for v in out["pages"].values()), default=None)
    return out


def main() -> None:
    """Measure a running deployment (`--url`) or a fresh `make run`; print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--url")
    parser.add_argument("--pages", help="comma-separated page names (default: all, and the "
                        f"PDF): {','.join(PAGES)}")
    args = parser.parse_args()
    pages = args.pages.split(",") if args.pages else None
    if pages and set(pages) - set(PAGES) - {"pdf"}:
        parser.error(f"unknown page: {','.join(sorted(set(pages) - set(PAGES) - {'pdf'}))}")
    pdf = not pages or "pdf" in pages
    if args.url:
        print(json.dumps(measure(args.url.rstrip("/"), args.runs, pages, pdf), indent=1))
        return
    with serve_app({"CIVICMAP_TILES_URL": "none"}) as url:
        print(json.dumps(measure(url, args.runs, pages, pdf), indent=1))


if __name__ == "__main__":
    main()
