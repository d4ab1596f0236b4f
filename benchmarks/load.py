"""Load benchmark: where the time goes, the server or the browser; prints JSON.

Two variants against one server (`make run` on 127.0.0.1 through tests/e2e/harness.py
`serve_app`, or a running deployment with `--url`). Clients and server share this machine.

Browser sessions (`--sessions 1,4,8`, the older variant): N headless Chromium sessions, each
timing its first map, then municipality filter changes until `--changes` or `--seconds`.
Per N: p50/p95 of filter -> updated map, first loads, errors, the server's peak memory.

Protocol sessions (`--protocol-sessions N --seconds S [--url URL] [--seed K]`): N light
clients that speak Streamlit's own websocket protocol with the protobufs the installed
`streamlit` ships, and one real Chromium measured while they run.

Handshake, as Streamlit's frontend does it: GET /_stcore/health (its reply sets the
`_streamlit_xsrf` cookie; through the replicas' proxy also `SRV`, which keeps the session's
websocket on the replica that answered), then the websocket ws://HOST:PORT/_stcore/stream with
Sec-WebSocket-Protocol "streamlit, <xsrf token>", the cookies and an Origin header. Each
script run is a `rerun_script` BackMsg (ClientState: query_string, widget_states,
page_script_hash, page_name, context_info, cached_message_hashes). A first load sends the
page's url path as page_name ("" for the Map, "nearby", "coverage") and no hash; later
runs send the hash the server's `navigation` ForwardMsg named. Widget ids come from the
first load's deltas (each widget's proto carries its `id`, ending in the user key); values
go in widget_states as the frontend sends them: the Coverage slider `c_radius`
(double_array_value), and the Nearby place picker (a v2 component) as its one-time
trigger `$$STREAMLIT_INTERNAL_KEY_<id>__events` = [{"event": "query", "value": place}]
(json_trigger_value). Like the frontend, a session names the cacheable messages it has
received, so the server may answer with references.

Sessions start spread over the first 10 s (a third of the run if shorter); each opens a
page, then loops with think time uniform 5-10 s over: first
load of a page (Map, Nearby, Coverage), Nearby search ("Кърджали", ...), Coverage radius
change, and a Map filter change. Every Map filter, the province set included, runs in the
browser (layers/filter_panel.js): a filter change sends nothing to the server, so a
protocol session records it as an action with 0 round trips and time 0. (There used to be
a `province_change` action, a rerun of the Map with another province set; a province change
needs no rerun any more, so it is one more `map_filter`, and the one browser measures such
changes for real.) An action that needs another page loads that page first (counted as a first
load). A server action is timed from its BackMsg sent to its `script_finished`
(FINISHED_SUCCESSFULLY; a run the app restarts itself is waited through). Errors:
exceptions, exception deltas, page_not_found, a run that ends otherwise, closed
sockets, no end within 60 s.

The one Chromium (tests/e2e/harness.py `chromium()`), every 2-4 s meanwhile: a Map filter
change to the map showing another count (`browser_map_filter`), and a Nearby search to its
result cards showing (`browser_nearby_search`).

Fields: actions.<kind>.{n, p50_s, p95_s, p99_s} for first_load, nearby_search,
coverage_radius (and map_filter, all 0); browser.map_filter and browser.nearby_search
likewise; script_finished, the server runs the sessions saw end;
server.cpu_s, user+system CPU seconds of the streamlit process serving the port and its
children (/proc/PID/stat) over the whole run; server.cpu_s_per_map_filter, after the run,
with the protocol sessions paused (connected, nothing in flight), the CPU the server spent
during a burst of 8 browser filter changes minus the CPU it spent in an equally long quiet
window right after, divided by 8 (server.burst holds both); server.peak_mb, the highest
resident memory of the server's processes (sampled every 0.2 s). With `--url`, server
figures are null unless the process listening on that port runs here; at the replicas'
proxy, `--server-ports P1,P2` names the replicas' ports (serve_replicas.sh prints them):
the figures are their sums, and server.cpu_s_by_port shows how the load was spread.
clients.cpu_s is this process's own CPU (the protocol sessions and the measured Chromium's
driver, not Chromium itself), and machine.busy_share the share of all cores busy over the
run (/proc/stat): on one machine the clients take part of the cores the server needs. Counts
and time are bounded; all sockets are closed at the end.

    .venv/bin/python benchmarks/load.py [--sessions 1,4,8] [--changes 6] [--seconds 90]
    .venv/bin/python benchmarks/load.py --protocol-sessions 50 --seconds 120 [--url URL]
        [--server-ports P1,P2]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import random
import statistics
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.e2e.harness import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    COUNT_MARKERS,
    map_frame,
    serve_app,
)

MUNICIPALITIES = ["KRZ14", "RAZ26", "VRC10", "KRZ16", "RAZ14", "VRC08", "KRZ02", "RAZ11"]


def _serves(cmd: str, ports: tuple[int, ...]) -> bool:
    """Whether a command line is a streamlit server on one of `ports`."""
    return "streamlit" in cmd and any(f"--server.port {port}" in cmd for port in ports)


def _tree_rss_kb(ports: tuple[int, ...]) -> int:
    """Resident memory (kB) of the processes serving `ports` (streamlit and its children)."""
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            if not _serves(cmd, ports):
                continue
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


class PeakMemory:
    """Samples the server's resident memory in a thread; `peak_mb` when stopped."""

    def __init__(self, ports: tuple[int, ...]):
        """Watch the servers listening on `ports` (their sum)."""
        self.ports, self.peak, self._stop = ports, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, _tree_rss_kb(self.ports))

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


# ---------------------------------------------------------------------------------------------
# Protocol sessions: Streamlit's own websocket protocol, no browser.

PLACES = ["Кърджали", "Момчилград", "Кирково", "Разград", "Враца", "Джебел", "Исперих",
          "Крумовград", "Мездра", "Ардино"]
PAGES = {"map": "", "nearby": "nearby", "coverage": "coverage"}
ACTIONS = ("first_load", "nearby_search", "coverage_radius", "map_filter")
ACTION_TIMEOUT_S = 60
# The page each action happens on (a first load: the page a session starts with).
NEEDS = {"first_load": "map", "map_filter": "map", "coverage_radius": "coverage",
         "nearby_search": "nearby"}


class ProtocolError(Exception):
    """The server answered an action with an exception, a wrong page or no end of run."""


def _widget_of(msg) -> tuple[str, object] | None:
    """(id, element proto) of the widget a ForwardMsg delta carries, else None."""
    if msg.WhichOneof("type") != "delta" or msg.delta.WhichOneof("type") != "new_element":
        return None
    element = msg.delta.new_element
    kind = element.WhichOneof("type")
    proto = getattr(element, kind) if kind else None
    if proto is not None and "id" in proto.DESCRIPTOR.fields_by_name and proto.id:
        return proto.id, proto
    return None


class ProtocolSession:
    """One light client: the browser's handshake and rerun BackMsgs, without a browser.

    Like Streamlit's frontend it keeps the hashes of cacheable messages it received and
    names them in each rerun, so the server may send a reference instead of the element;
    it keeps what those messages carried (widgets, exceptions), not the messages.
    """

    def __init__(self, url: str):
        """A session against the app at `url` (http://host:port)."""
        self.url = url.rstrip("/")
        self.ws = None
        self.page = ""
        self.page_hash = ""
        self.widgets: dict[str, object] = {}  # widget key (or id) -> its element proto
        self.states: dict[str, object] = {}   # widget id -> WidgetState set by this session
        self.cache: dict[str, tuple[str, object] | None] = {}
        self.finished = 0

    async def connect(self) -> None:
        """GET /_stcore/health (the XSRF cookie), then the websocket with the token."""
        import urllib.request

        from websockets.asyncio.client import connect

        def cookies() -> dict[str, str]:
            # every cookie, as a browser keeps them: behind the replicas' proxy its SRV
            # cookie sends the websocket to the replica that answered this request
            with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=30) as r:
                raw = r.headers.get_all("Set-Cookie") or []
            pairs = (c.split(";", 1)[0].split("=", 1) for c in raw)
            return {p[0].strip(): p[1] for p in pairs if len(p) == 2}

        kept = await asyncio.to_thread(cookies)
        jar = "; ".join(f"{k}={v}" for k, v in kept.items())
        token = kept.get("_streamlit_xsrf", "")
        ws_url = self.url.replace("http", "ws", 1) + "/_stcore/stream"
        self.ws = await connect(ws_url, subprotocols=["streamlit", token] if token else
                                ["streamlit"], origin=self.url,
                                additional_headers={"Cookie": jar} if jar else None,
                                max_size=None, open_timeout=30, compression=None,
                                ping_interval=None)  # browsers send no pings either

    async def close(self) -> None:
        """Close the websocket (idempotent)."""
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

    def _backmsg(self, trigger: dict | None = None) -> bytes:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        rerun = msg.rerun_script
        rerun.query_string = ""
        rerun.page_script_hash = self.page_hash
        rerun.page_name = self.page
        rerun.context_info.timezone = "Europe/Sofia"
        rerun.context_info.locale = "bg-BG"
        rerun.cached_message_hashes.extend(self.cache)
        for state in [*self.states.values(), *(trigger or {}).values()]:
            rerun.widget_states.widgets.add().CopyFrom(state)
        return msg.SerializeToString()

    async def run(self, trigger: dict | None = None) -> float:
        """Send one rerun BackMsg; seconds until its `script_finished`."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        started = time.perf_counter()
        await self.ws.send(self._backmsg(trigger))
        deadline = time.monotonic() + ACTION_TIMEOUT_S
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no script_finished within {ACTION_TIMEOUT_S} s")
            msg = ForwardMsg()
            try:
                msg.ParseFromString(await asyncio.wait_for(self.ws.recv(), left))
            except TimeoutError:
                raise TimeoutError(f"no script_finished within {ACTION_TIMEOUT_S} s "
                                   f"(page {self.page or 'map'!r})") from None
            kind = msg.WhichOneof("type")
            carried = self.cache.get(msg.ref_hash) if kind == "ref_hash" else _widget_of(msg)
            if msg.metadata.cacheable:
                self.cache[msg.hash] = carried
            if kind == "delta" and msg.delta.new_element.WhichOneof("type") == "exception":
                ex = msg.delta.new_element.exception
                raise ProtocolError(f"exception: {ex.type}: {ex.message[:160]}")
            if kind == "page_not_found":
                raise ProtocolError(f"page not found: {msg.page_not_found.page_name!r}")
            if kind == "navigation" and msg.navigation.page_script_hash:
                self.page_hash = msg.navigation.page_script_hash
            if carried:
                wid, proto = carried
                self.widgets[wid.rsplit("-", 1)[-1] if wid.startswith("$$ID") else wid] = proto
            if kind == "script_finished":
                status = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
                if status == "FINISHED_EARLY_FOR_RERUN":
                    continue  # the app asked for another run; the user waits for that one
                if status != "FINISHED_SUCCESSFULLY":
                    raise ProtocolError(f"script_finished {status}")
                self.finished += 1
                return time.perf_counter() - started

    async def open(self, page: str) -> float:
        """First load of `page` (a key of PAGES), as a fresh tab sends it: no hash yet."""
        self.page, self.page_hash = PAGES[page], ""
        self.widgets, self.states = {}, {}
        return await self.run()

    def _state(self, key: str):
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        proto = self.widgets.get(key)
        if proto is None:
            raise ProtocolError(f"widget {key!r} not on the page")
        state = WidgetState()
        state.id = proto.id
        return state, proto

    async def coverage_radius(self, rng: random.Random) -> float:
        """Another radius on Coverage (slider `c_radius`)."""
        state, proto = self._state("c_radius")
        current = self.states[state.id].double_array_value.data[0] if state.id in self.states \
            else (proto.default[0] if proto.default else 0)
        state.double_array_value.data.append(
            rng.choice([r for r in range(int(proto.min), int(proto.max) + 1) if r != current]))
        self.states[state.id] = state
        return await self.run()

    async def nearby_search(self, place: str) -> float:
        """A search on Nearby: the place picker's one-time `query` trigger."""
        from streamlit.components.v2.bidi_component.main import _make_trigger_id
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        picker = self.widgets.get("place_picker")
        if picker is None:
            raise ProtocolError("the place picker is not on the page")
        trigger = WidgetState()
        trigger.id = _make_trigger_id(picker.id, "events")
        trigger.json_trigger_value = json.dumps([{"event": "query", "value": place}])
        return await self.run({trigger.id: trigger})


@dataclasses.dataclass(frozen=True)
class Mix:
    """How the protocol sessions behave: think time range, start ramp, minimum actions.

    `ramp_s` None: 10 s, or a third of a shorter run. `warm`: one session opens every page
    before the run, as the browser variant warms the caches.
    """

    think: tuple[float, float] = (5, 10)
    ramp_s: float | None = None
    min_actions: int = 0
    warm: bool = True


class Pause:
    """Lets the browser pause the protocol sessions between their actions."""

    def __init__(self):
        """Not paused; nothing in flight."""
        self.resume = asyncio.Event()
        self.resume.set()
        self.in_flight = 0


async def _protocol_session(url: str, rng: random.Random, stop_at: float, out: dict,
                            pause: Pause, mix: Mix, offset: int) -> None:
    """One session: a first page, then actions with think time until `stop_at`.

    It starts after up to `mix.ramp_s`; at least `mix.min_actions` actions even past
    `stop_at`.
    """
    min_actions = mix.min_actions
    session = ProtocolSession(url)
    pages = list(PAGES)
    try:
        await asyncio.sleep(rng.uniform(0, mix.ramp_s or 0))
        await session.connect()
        out["sockets"] += 1
        todo = ["first_load", "map_filter", "coverage_radius", "nearby_search"]
        # the first round starts elsewhere in each session
        todo = todo[:2] + todo[2:][offset % 2:] + todo[2:][:offset % 2]
        out["first_load"].append(await session.open(NEEDS[todo[-1]]))
        while True:
            await asyncio.sleep(rng.uniform(*mix.think))
            await pause.resume.wait()
            if time.monotonic() >= stop_at and min_actions <= 0:
                break
            min_actions -= 1
            if not todo:  # each later round does every action once, in a random order
                todo = list(NEEDS)
                rng.shuffle(todo)
            action = todo.pop()
            pause.in_flight += 1
            try:
                if action == "first_load":
                    out[action].append(await session.open(rng.choice(pages)))
                    continue
                wanted = NEEDS[action]
                if PAGES[wanted] != session.page:  # navigate there first (a page load)
                    out["first_load"].append(await session.open(wanted))
                if action == "map_filter":
                    out[action].append(0.0)  # runs in the browser: nothing to send
                elif action == "coverage_radius":
                    out[action].append(await session.coverage_radius(rng))
                else:
                    out[action].append(await session.nearby_search(rng.choice(PLACES)))
            finally:
                pause.in_flight -= 1
    except Exception as exc:  # noqa: BLE001 - every failure is an error of the run
        out["errors"].append(f"{type(exc).__name__}: {str(exc)[:200]}")
    finally:
        out["finished"] += session.finished
        await session.close()


# ---------------------------------------------------------------------------------------------
# The one real browser, and the server's CPU.

BROWSER_PLACES = ["Кърджали", "Момчилград", "Разград", "Враца"]
SHOWN = f"(window.civicMap ? window.civicMap.shown() : {COUNT_MARKERS})"


def _muni_names() -> list[str]:
    import store

    munis = store.load_municipalities().set_index("code")
    return [munis.at[c, "name"] for c in MUNICIPALITIES]


def browser_map_filter(page, step: int, names: list[str] | None = None) -> float:
    """Seconds from a municipality filter change to the map showing another count.

    Step 0 opens the panel's municipality list and ticks the first name; later steps tick
    the next one and untick the previous in the same browser task (so no in-between set
    is drawn). The map is the st_folium frame; its count is `window.civicMap.shown()`.
    """
    names = names or _muni_names()
    new, old = names[step % len(names)], names[(step - 1) % len(names)]
    frame = map_frame(page, timeout_ms=60000)
    before = frame.evaluate(SHOWN)
    if step == 0:
        page.locator(".cfp-municipalities summary").click()
    tick = page.get_by_role("checkbox", name=new, exact=True).element_handle()
    untick = page.get_by_role("checkbox", name=old, exact=True).element_handle() if step \
        else None
    started = time.perf_counter()
    page.evaluate("([a, b]) => { a.click(); if (b) b.click(); }", [tick, untick])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if map_frame(page, timeout_ms=20000).evaluate(SHOWN) != before:
                return time.perf_counter() - started
        except Exception:  # noqa: BLE001 - the frame was replaced while we asked
            pass
        page.wait_for_timeout(10)
    raise AssertionError(f"the map did not change after ticking {new!r}")


def browser_nearby_search(page, place: str) -> float:
    """Seconds from typing `place` + Enter on Nearby to its result cards showing."""
    before = "|".join(page.locator(".result b").all_inner_texts())
    box = page.locator("input.q")
    started = time.perf_counter()
    box.fill(place)
    box.press("Enter")
    page.wait_for_function(
        "before => { const t = [...document.querySelectorAll('.result b')]"
        ".map(e => e.innerText).join('|'); return t && t !== before; }",
        arg=before, timeout=60000)
    return time.perf_counter() - started


def _machine_ticks() -> tuple[int, int]:
    """The machine's busy and total CPU ticks so far, all cores (/proc/stat's first line)."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle and iowait
    return sum(ticks) - idle, sum(ticks)


def _tree_cpu_s(ports: tuple[int, ...]) -> float | None:
    """CPU seconds (user + system) of the streamlit processes serving `ports`, and children.

    None when no such process runs on this machine.
    """
    stats: dict[int, tuple[int, float]] = {}  # pid -> (parent, cpu seconds)
    roots = []
    tick = os.sysconf("SC_CLK_TCK")
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            stats[int(pid)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            if _serves(cmd, ports):
                roots.append(int(pid))
        except (OSError, ValueError):
            continue
    if not roots:
        return None
    tree, grew = set(roots), True
    while grew:
        more = {p for p, (parent, _cpu) in stats.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(stats[p][1] for p in tree)


def _browser_part(url: str, port: tuple[int, ...] | None, events: dict[str, threading.Event],
                  burst: int, rng: random.Random) -> dict:
    """One Chromium: map filter changes and Nearby searches until `stop`, then a burst.

    `events`: "ready" is set here once both pages are open (the run starts then), "stop"
    and "paused" by the run.

    The burst (`burst` filter changes) waits for `paused` (no protocol action in flight)
    and measures the server's CPU during it, and during as long a quiet window after it.
    """
    from tests.e2e.harness import chromium, wait_idle

    out: dict = {"map_filter": [], "nearby_search": [], "errors": []}
    names = _muni_names()
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1300, "height": 900})
        try:
            map_page = context.new_page()
            map_page.goto(url + "/?lang=bg", timeout=120000)
            map_frame(map_page, timeout_ms=120000)
            wait_idle(map_page)
            near = context.new_page()
            near.goto(url + "/nearby?lang=bg", timeout=120000)
            near.locator("input.q").wait_for(timeout=120000)
            wait_idle(near)
            events["ready"].set()
            stop, step = events["stop"], 0
            while not stop.is_set():
                try:
                    out["map_filter"].append(browser_map_filter(map_page, step, names))
                    step += 1
                except Exception as exc:  # noqa: BLE001 - counted; the panel's state is
                    out["errors"].append(f"browser: {type(exc).__name__}: {str(exc)[:200]}")
                    burst = 0  # unknown now: no more filter changes, nor the burst
                    break
                try:
                    out["nearby_search"].append(
                        browser_nearby_search(near, BROWSER_PLACES[step % len(BROWSER_PLACES)]))
                except Exception as exc:  # noqa: BLE001 - counted, the run goes on
                    out["errors"].append(f"browser: {type(exc).__name__}: {str(exc)[:200]}")
                stop.wait(rng.uniform(2, 4))
            events["paused"].wait(timeout=ACTION_TIMEOUT_S + 10)
            wait_idle(map_page)
            cpu0, t0 = (_tree_cpu_s(port) if port else None), time.monotonic()
            for _i in range(burst):
                out["map_filter"].append(browser_map_filter(map_page, step, names))
                step += 1
            cpu1, t1 = (_tree_cpu_s(port) if port else None), time.monotonic()
            time.sleep(t1 - t0)  # a measuring window as long, with nothing sent: the idle baseline
            cpu2 = _tree_cpu_s(port) if port else None
            if burst and None not in (cpu0, cpu1, cpu2):
                out["burst"] = {"changes": burst, "cpu_s": round(cpu1 - cpu0, 3),
                                "idle_cpu_s": round(cpu2 - cpu1, 3), "s": round(t1 - t0, 2)}
        except Exception as exc:  # noqa: BLE001
            out["errors"].append(f"browser: {type(exc).__name__}: {str(exc)[:200]}")
        finally:
            events["ready"].set()
            context.close()
    return out


def _figures(values: list[float]) -> dict:
    return {"n": len(values), "p50_s": _pct(values, 0.5), "p95_s": _pct(values, 0.95),
            "p99_s": _pct(values, 0.99)}


async def run_protocol(url: str, sessions: int, seconds: float, seed: int = 0,
                       browser: bool = True, burst: int = 8, mix: Mix | None = None,
                       server_ports: tuple[int, ...] | None = None) -> dict:
    """Protocol sessions for `seconds` (and one Chromium unless `browser` is False); figures.

    The server's figures are measured when its processes run on this machine: the one on
    the url's port, or those on `server_ports` (the replicas behind a proxy), summed, with
    each one's CPU in `cpu_s_by_port`.
    """
    mix = mix or Mix()
    if mix.ramp_s is None:
        mix = dataclasses.replace(mix, ramp_s=min(10.0, seconds / 3))
    url_port = urllib.parse.urlparse(url).port
    port = server_ports or ((url_port,) if url_port else ())
    local = bool(port) and _tree_cpu_s(port) is not None
    rng = random.Random(seed)
    out: dict = {a: [] for a in ACTIONS} | {"errors": [], "sockets": 0, "finished": 0}
    pause = Pause()
    events = {name: threading.Event() for name in ("ready", "stop", "paused")}
    if mix.warm:  # the caches a first visitor fills (as the browser variant warms them)
        session = ProtocolSession(url)
        try:
            await session.connect()
            for page in PAGES:
                await session.open(page)
        finally:
            await session.close()
    with contextlib.ExitStack() as stack:
        memory = stack.enter_context(PeakMemory(port)) if local else None
        seen = None
        if browser:
            seen = asyncio.create_task(asyncio.to_thread(
                _browser_part, url, port if local else None, events, burst,
                random.Random(rng.random())))
            await asyncio.to_thread(events["ready"].wait, 300)
        cpu_start = _tree_cpu_s(port) if local else None
        by_port = {p: _tree_cpu_s((p,)) for p in port} if local else {}
        clients_start, machine_start = time.process_time(), _machine_ticks()
        stop_at = time.monotonic() + seconds
        tasks = [asyncio.create_task(_protocol_session(
            url, random.Random(rng.random()), stop_at, out, pause, mix, i))
            for i in range(sessions)]
        await asyncio.sleep(max(0.0, stop_at - time.monotonic()))
        pause.resume.clear()
        events["stop"].set()
        wait_until = time.monotonic() + ACTION_TIMEOUT_S + 5
        while pause.in_flight and time.monotonic() < wait_until:
            await asyncio.sleep(0.05)
        events["paused"].set()
        seen_out = await seen if seen else {"map_filter": [], "nearby_search": [], "errors": []}
        pause.resume.set()
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=ACTION_TIMEOUT_S + 30)
        cpu_end = _tree_cpu_s(port) if local else None
        clients_cpu, machine_end = time.process_time() - clients_start, _machine_ticks()
        by_port = {str(p): round((_tree_cpu_s((p,)) or 0) - (c or 0), 2)
                   for p, c in by_port.items()}
    burst_out = seen_out.get("burst")
    errors = out["errors"] + seen_out["errors"]
    return {
        "protocol_sessions": sessions, "seconds": seconds, "errors": len(errors),
        "error_examples": errors[:5],
        "script_finished": out["finished"],
        "actions": {a: _figures(out[a]) for a in ACTIONS},
        "browser": {"map_filter": _figures(seen_out["map_filter"]),
                    "nearby_search": _figures(seen_out["nearby_search"])} if browser else None,
        "server": {
            "cpu_s": round(cpu_end - cpu_start, 2) if local else None,
            "cpu_s_by_port": by_port if len(by_port) > 1 else None,
            "cpu_s_per_map_filter": round(max(0.0, burst_out["cpu_s"] - burst_out["idle_cpu_s"])
                                          / burst_out["changes"], 4) if burst_out else None,
            "burst": burst_out,
            "peak_mb": memory.peak_mb if memory else None,
        },
        # The clients share the machine with the server: their CPU, and how busy it was.
        "clients": {"cpu_s": round(clients_cpu, 2)},
        "machine": {"cpus": os.cpu_count(), "busy_share": round(
            (machine_end[0] - machine_start[0]) / max(1, machine_end[1] - machine_start[1]), 3)},
    }


def main() -> None:
    """Browser sessions (each N in turn) or protocol sessions; prints the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", default="1,4,8")
    parser.add_argument("--changes", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=90)
    parser.add_argument("--protocol-sessions", type=int, default=0)
    parser.add_argument("--url", default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--server-ports", default="",
                        help="with --url at a proxy: the app processes' ports, P1,P2 (the "
                             "replicas serve_replicas.sh printed), for the server figures")
    args = parser.parse_args()
    if args.protocol_sessions:
        if not 0 < args.protocol_sessions <= 500 or not 0 < args.seconds <= 3600:
            parser.error("--protocol-sessions 1..500, --seconds up to 3600")
        with contextlib.ExitStack() as stack:
            url = args.url or stack.enter_context(serve_app())
            if urllib.parse.urlparse(url).hostname not in ("127.0.0.1", "localhost"):
                parser.error("loopback only: --url http://127.0.0.1:PORT")
            ports = tuple(int(p) for p in args.server_ports.split(",") if p.strip())
            result = asyncio.run(run_protocol(url.rstrip("/"), args.protocol_sessions,
                                              args.seconds, args.seed, server_ports=ports or None))
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return
    import store

    munis = store.load_municipalities().set_index("code")
    names = [munis.at[c, "name"] for c in MUNICIPALITIES]
    results = {}
    with serve_app() as url:
        port = urllib.parse.urlparse(url).port
        asyncio.run(_run(url, 1, 1, 60, names))  # warm the caches, as any first visitor does
        for n in [int(x) for x in args.sessions.split(",")]:
            with PeakMemory((port,)) as memory:
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
