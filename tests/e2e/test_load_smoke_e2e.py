"""The load benchmark's protocol sessions against the real app, briefly.

Ten light sessions speak Streamlit's websocket protocol for 20 s (think times 1-3 s, each
at least one action after its first page, so a slow machine still sees every kind) through
`benchmarks.load.run_protocol`: no errors, every kind of server action ended with a
`script_finished`, and the JSON has the fields the benchmark documents.
"""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

from benchmarks.load import Mix, run_protocol

# (a province change on the Map runs in the browser now, like every Map filter: no rerun)
SERVER_ACTIONS = ("first_load", "nearby_search", "coverage_radius")


def test_protocol_sessions_reach_every_server_action(app_url):
    # in a thread of its own: the suite's Playwright browser holds this thread's event loop
    with ThreadPoolExecutor(1) as pool:
        result = pool.submit(asyncio.run, run_protocol(
            app_url, 10, 20, seed=3, browser=False,
            mix=Mix(think=(1.0, 3.0), ramp_s=2, min_actions=1))).result()
    json.dumps(result)  # printable as JSON
    assert result["errors"] == 0, result["error_examples"]
    assert {"protocol_sessions", "seconds", "errors", "actions", "browser", "server"} \
        <= set(result)
    assert result["protocol_sessions"] == 10
    for kind in SERVER_ACTIONS:
        figures = result["actions"][kind]
        assert figures["n"] >= 1, (kind, result["actions"])
        assert set(figures) == {"n", "p50_s", "p95_s", "p99_s"}
        assert 0 < figures["p50_s"] <= figures["p95_s"] <= figures["p99_s"] < 60
    # every timed server action ended with its own script_finished
    timed = sum(result["actions"][kind]["n"] for kind in SERVER_ACTIONS)
    assert result["script_finished"] >= timed
    # a Map filter change runs in the browser: recorded, with no server round trip
    assert result["actions"]["map_filter"]["p99_s"] in (0.0, None)
    assert {"cpu_s", "cpu_s_per_map_filter", "peak_mb"} <= set(result["server"])
    assert result["server"]["cpu_s"] > 0 and result["server"]["peak_mb"] > 0
