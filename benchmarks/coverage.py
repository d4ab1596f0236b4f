"""Coverage speed; prints JSON.

- core/2SFCA: all 5,256 settlements against every active organisation, per kind and any
  kind, at three radii (5, 10, 20 km), then with ten times as many organisations (copies
  jittered by up to 2 km) to show how cost grows;
- gaps: `civicmap gaps --province ALL --json`, in process (store read + model + document)
  and as a command (wall time, Python start-up included); goal ≤ 0.5 s;
- hubs: the sparse MCLP for the three default provinces; and for ALL 28 provinces (the
  decomposition: MCLP per province, then over the pooled sites), k = 5 and 50, existing
  chitalishta/libraries and new sites, in seconds; goal ≤ 30 s; beside it, for reference,
  one exact sparse model over every site at R = 10 km, and a hard case (R = 30 km, k = 50)
  where the time limits act. `--hubs-only` runs just that;
- Coverage page in Chromium: a radius preset clicked → the redrawn map's legend names the
  new R (radii not seen before, so nothing is cached; the last, 10 km, is the cached
  default); goal ≤ 1.5 s. `--no-browser` skips it.

Run after the data is built: `.venv/bin/python benchmarks/coverage.py`.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import store  # noqa: E402
from civic.facts import DEFAULT_PROVINCES  # noqa: E402
from cli.gaps import compute, gaps_document  # noqa: E402
from geo.coverage import Options, settlement_coverage, summarise  # noqa: E402
from geo.hubs import existing_hubs, national_hubs, new_hubs  # noqa: E402

RADII = (5.0, 10.0, 20.0)
REPEAT = 5
BROWSER_RADII = ("3 km", "15 km", "5 km", "own settlement", "10 km")


def _median_ms(fn, repeat: int = REPEAT) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(runs), 1)


def _tenfold(orgs: pd.DataFrame) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    copies = []
    for i in range(10):
        c = orgs.copy()
        c["id"] = c["id"] + f"-{i}"
        c["lon"] = c["lon"] + rng.uniform(-0.025, 0.025, len(c))
        c["lat"] = c["lat"] + rng.uniform(-0.018, 0.018, len(c))
        copies.append(c)
    return pd.concat(copies, ignore_index=True)


def _three_radii(settlements, orgs, with_access: bool):
    return lambda: [settlement_coverage(settlements, orgs, Options(radius_km=r), with_access)
                    for r in RADII]


def _gaps_all() -> None:
    codes = sorted(store.load_provinces()["code"])
    cov, _orgs = compute(codes, 10.0, False)
    json.dumps(gaps_document(summarise(cov, "province_code"), 10.0))


def _gaps_cli_s() -> float:
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([str(ROOT / ".venv" / "bin" / "civicmap"), "gaps", "--province", "ALL",
                        "--json"], check=True, capture_output=True)
        runs.append(time.perf_counter() - started)
    return round(statistics.median(runs), 2)


def _browser_radius_ms() -> dict:
    from tests.e2e.harness import chromium, open_page, serve_app, wait_idle
    from tests.e2e.test_coverage_e2e import coverage_legend

    with serve_app() as url, chromium() as browser:
        warm, _log = open_page(browser, f"{url}/?lang=en")  # app.py's navigation first
        warm.get_by_role("link", name="Coverage", exact=True).first.wait_for(timeout=90000)
        warm.context.close()
        page, _log = open_page(browser, f"{url}/coverage?lang=en")
        started = time.perf_counter()
        legend = coverage_legend(page, timeout=120)
        first = round((time.perf_counter() - started) * 1000)
        wait_idle(page)
        times = []
        for label in BROWSER_RADII:
            started = time.perf_counter()
            page.get_by_text(label, exact=True).click()
            legend = coverage_legend(page, differs_from=legend["text"], timeout=60,
                                     showing=f"R: {label}")
            times.append(round((time.perf_counter() - started) * 1000))
            wait_idle(page)
        return {"first_map_ms": first, "radius_change_to_map_ms": times,
                "radius_change_to_map_ms_median": statistics.median(times)}


def _seconds(fn):
    started = time.perf_counter()
    result = fn()
    return round(time.perf_counter() - started, 2), result


def _hubs_all(settlements, orgs) -> dict:
    """Hub siting for every province at once (what `civicmap hubs --province ALL` runs)."""
    import pulp  # noqa: F401  (import time is not the planner's)

    out = {"settlements": len(settlements), "radius_km": 10.0, "goal_s": 30}
    for k in (5, 50):
        secs, plan = _seconds(lambda k=k: national_hubs(settlements, orgs, 10.0, k))
        new_secs, new = _seconds(lambda k=k: new_hubs(settlements, orgs, 10.0, k))
        out[f"k{k}"] = {"existing_s": secs, "existing_sites": len(plan.sites),
                        "existing_newly_covered": plan.newly_covered,
                        "new_sites_s": new_secs, "new_sites_newly_covered": new.newly_covered,
                        "uncovered_before": plan.uncovered_before}
        out["method"] = plan.method
        out[f"k{k}"]["exact_existing_s"], out[f"k{k}"]["exact_existing_newly_covered"] = \
            _exact(settlements, orgs, 10.0, k)
    secs, plan = _seconds(lambda: national_hubs(settlements, orgs, 30.0, 50))
    out["hard_case_r30_k50"] = {"existing_s": secs, "newly_covered": plan.newly_covered,
                                "method": plan.method}
    return out


def _exact(settlements, orgs, radius_km: float, k: int) -> tuple[float, int]:
    """For reference: one exact sparse model over every site (fast at R = 10 km only)."""
    import geo.hubs

    limit = geo.hubs.MAX_CANDIDATES
    geo.hubs.MAX_CANDIDATES = 10**9
    try:
        secs, plan = _seconds(lambda: existing_hubs(settlements, orgs, radius_km, k))
    finally:
        geo.hubs.MAX_CANDIDATES = limit
    return secs, plan.newly_covered


def main() -> None:
    """Print the figures as one JSON document."""
    settlements = store.load_settlements()
    orgs = store.load_organisations()
    orgs = orgs[orgs["status"] == "active"]
    if "--hubs-only" in sys.argv:
        print(json.dumps({"hubs_all_provinces": _hubs_all(settlements, orgs)}, indent=2))
        return
    big = _tenfold(orgs)
    settlement_coverage(settlements, orgs, Options())  # warm imports and caches
    three = settlements[settlements["province_code"].isin(DEFAULT_PROVINCES)]
    doc = {
        "settlements": len(settlements),
        "organisations": len(orgs),
        "radii_km": RADII,
        "core_ms_3_radii": _median_ms(_three_radii(settlements, orgs, False)),
        "with_2sfca_ms_3_radii": _median_ms(_three_radii(settlements, orgs, True)),
        "organisations_10x": len(big),
        "core_ms_3_radii_10x": _median_ms(_three_radii(settlements, big, False)),
        "with_2sfca_ms_3_radii_10x": _median_ms(_three_radii(settlements, big, True)),
        "gaps_all_in_process_ms": _median_ms(_gaps_all),
        "gaps_all_cli_wall_s": _gaps_cli_s(),
        "hubs_3_provinces_k3_ms": _median_ms(lambda: existing_hubs(three, orgs, 10.0, 3)),
        "hubs_all_provinces": _hubs_all(settlements, orgs),
    }
    if "--no-browser" not in sys.argv:
        doc["coverage_page"] = _browser_radius_ms()
    print(json.dumps(doc, indent=2))


if __name__ == "__main__":
    main()
