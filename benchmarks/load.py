"""Load test: N headless Chromium sessions against one server; prints JSON.

Each session times its first map, then municipality filter changes until its count or the
time budget runs out.

Per N (default 1, 4, 8): p50/p95 of filter → updated map, first-load times, errors, and the
server's peak resident memory (its process tree, sampled every 0.2 s). The server is `make
run` on 127.0.0.1 (tests/e2e/harness.py); clients and server share this machine. Loops are
bounded in count (`--changes`) and time (`--seconds` per N).

    .venv/bin/python benchmarks/load.py [--sessions 1,4,8] [--changes 6] [--seconds 90]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.e2e.harness import CHROMIUM, CHROMIUM_ARGS, COUNT_MARKERS, serve_app  # noqa: E402

MUNICIPALITIES = ["KRZ14", "RAZ26", "VRC10", "KRZ16", "RAZ14", "VRC08", "KRZ02", "RAZ11"]


def _tree_rss_kb(port: int) -> int:
    """Resident memory (kB) of the processes serving `port` (streamlit and its children)."""
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            if "streamlit" not in cmd or f"--server.port {port}" not in cmd:
                continue
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


class PeakMemory:
    """Samples the server's resident memory in a thread; `peak_mb` when stopped."""

    def __init__(self, port: int):
        """Watch the server listening on `port`."""
        self.port, self.peak, self._stop = port, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, _tree_rss_kb(self.port))

    def __enter__(self) -> PeakMemory:
        """Start sampling."""
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        """Stop sampling."""
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> int:
        """The highest resident memory seen, in MB."""
        return round(self.peak / 1024)


async def _map_frame(page, deadline: float):
    """The st_folium frame with organisation points drawn, or None at the deadline."""
    while time.monotonic() < deadline:
        for frame in page.frames:
            if "st_folium" in frame.url:
                try:
                    if await frame.evaluate(f"typeof window.map !== 'undefined' && "
                                            f"({COUNT_MARKERS}) > 0"):
                        return frame
                except Exception:  # still loading
                    pass
        await page.wait_for_timeout(50)
    return None


async def _session(browser, url: str, names: list[str], changes: int, stop_at: float,
                   out: dict) -> None:
    context = await browser.new_context(viewport={"width": 1300, "height": 900})
    page = await context.new_page()
    page.on("pageerror", lambda exc: out["errors"].append(f"pageerror: {exc}"))
    try:
        started = time.perf_counter()
        await page.goto(url, timeout=60000)
        frame = await _map_frame(page, time.monotonic() + 60)
        if frame is None:
            out["errors"].append("first map not drawn within 60 s")
            return
        out["first"].append(time.perf_counter() - started)
        box = page.get_by_role("combobox", name="Община", exact=True)
        for name in names[:changes]:
            if time.monotonic() > stop_at:
                break
            before = await frame.evaluate(COUNT_MARKERS)
            started = time.perf_counter()
            await box.click()
            await page.keyboard.press("Backspace")
            await box.fill(name)
            await page.keyboard.press("Enter")
            await page.keyboard.press("Escape")
            changed = False
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and not changed:
                frame = await _map_frame(page, deadline)
                try:
                    changed = frame is not None and await frame.evaluate(COUNT_MARKERS) != before
                except Exception:  # the frame was replaced meanwhile
                    changed = False
                if not changed:
                    await page.wait_for_timeout(20)
            if changed:
                out["updates"].append(time.perf_counter() - started)
            else:
                out["errors"].append(f"map not updated within 20 s after '{name}'")
    except Exception as exc:  # a session that broke counts as an error, the run goes on
        out["errors"].append(f"{type(exc).__name__}: {str(exc)[:200]}")
    finally:
        await context.close()


async def _run(url: str, sessions: int, changes: int, seconds: float, names: list[str]) -> dict:
    from playwright.async_api import async_playwright

    out: dict = {"first": [], "updates": [], "errors": []}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        stop_at = time.monotonic() + seconds
        rotated = [names[i:] + names[:i] for i in range(sessions)]
        await asyncio.wait_for(asyncio.gather(*[
            _session(browser, url, rotated[i % len(rotated)], changes, stop_at, out)
            for i in range(sessions)]), timeout=seconds + 120)
        await browser.close()
    return out


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def main() -> None:
    """Serve once, warm it, then run each N in turn and print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", default="1,4,8")
    parser.add_argument("--changes", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=90)
    args = parser.parse_args()
    import store

    munis = store.load_municipalities().set_index("code")
    names = [munis.at[c, "name"] for c in MUNICIPALITIES]
    results = {}
    with serve_app() as url:
        port = urllib.parse.urlparse(url).port
        asyncio.run(_run(url, 1, 1, 60, names))  # warm the caches, as any first visitor does
        for n in [int(x) for x in args.sessions.split(",")]:
            with PeakMemory(port) as memory:
                out = asyncio.run(_run(url, n, args.changes, args.seconds, names))
            results[str(n)] = {
                "filter_update_s_p50": _pct(out["updates"], 0.5),
                "filter_update_s_p95": _pct(out["updates"], 0.95),
                "updates": len(out["updates"]),
                "first_load_s_p50": _pct(out["first"], 0.5),
                "first_load_s_max": round(max(out["first"]), 2) if out["first"] else None,
                "errors": len(out["errors"]),
                "error_examples": out["errors"][:3],
                "server_peak_rss_mb": memory.peak_mb,
                "mean_update_s": round(statistics.mean(out["updates"]), 2)
                if out["updates"] else None,
            }
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
