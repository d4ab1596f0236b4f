"""Nationwide coverage speed; prints JSON.

All 5,256 settlements against every active organisation, for the three kinds and any kind,
at three radii (5, 10, 20 km): the core metrics alone, then with 2SFCA, then the same with
ten times as many organisations (copies jittered by up to 2 km) to show how cost grows.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import store  # noqa: E402
from geo.coverage import Options, settlement_coverage  # noqa: E402

RADII = (5.0, 10.0, 20.0)
REPEAT = 5


def _timed(settlements, orgs, with_access: bool) -> float:
    runs = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        for radius in RADII:
            settlement_coverage(settlements, orgs, Options(radius_km=radius), with_access)
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


def main() -> None:
    settlements = store.load_settlements()
    orgs = store.load_organisations()
    orgs = orgs[orgs["status"] == "active"]
    big = _tenfold(orgs)
    settlement_coverage(settlements, orgs, Options())  # warm imports and caches
    print(json.dumps({
        "settlements": len(settlements),
        "organisations": len(orgs),
        "radii_km": RADII,
        "core_ms_3_radii": _timed(settlements, orgs, False),
        "with_2sfca_ms_3_radii": _timed(settlements, orgs, True),
        "organisations_10x": len(big),
        "core_ms_3_radii_10x": _timed(settlements, big, False),
        "with_2sfca_ms_3_radii_10x": _timed(settlements, big, True),
    }, indent=2))


if __name__ == "__main__":
    main()
