"""Two app processes behind HAProxy on one PostgreSQL + PostGIS store, in Chromium.

`deploy/serve_replicas.sh 2` as users run it, on a throwaway PostGIS cluster
(`.ci/pg.sh`): the Map loads through the proxy and a browser stays on one replica; a
proposal limit reached on replica A refuses on replica B; an approval on B shows on A;
A killed by SIGKILL under open pages: new browsers go to B, A's pages reconnect to B with
Streamlit's own "Connecting", no traceback, and every acknowledged proposal is stored once;
PostgreSQL stopped under open pages and three protocol clients: the store-fault page, no
proposal stored, the clients keep their connections, then the app recovers by itself when
the database is back. The tests run in order and share the replicas and the store.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.e2e.harness import ARTIFACTS, ROOT, _free_port, map_frame, open_page, shot, wait_idle
from tests.e2e.test_data_e2e import MODERATORS, _ngo_count

pytestmark = pytest.mark.own_store  # its own PostGIS cluster, which it restarts: runs once

HAPROXY = os.environ.get("HAPROXY", "/usr/sbin/haproxy")
THANKS = re.compile(r"Благодарим! Предложение (\d+)")
TOO_MANY_PROPOSALS = re.compile("Твърде много предложения от този адрес")
NAME = "Сдружение „Реплика за проба“"


def _until(check, timeout_s: float, what: str, page=None):
    """Wait for `check()` to be truthy; returns its value or fails with `what`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        if page is not None:
            page.wait_for_timeout(250)  # pumps Playwright events
        else:
            time.sleep(0.25)
    raise AssertionError(what)


def _replica(url: str, cookie: str | None = None) -> str | None:
    """The replica that answers a request through the proxy (HAProxy's X-Civicmap-Replica)."""
    request = urllib.request.Request(url + "/_stcore/health")
    if cookie:
        request.add_header("Cookie", cookie)
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.headers.get("X-Civicmap-Replica")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="module")
def replicas(tmp_path_factory):
    """PostGIS, the real build loaded into it, and `serve_replicas.sh 2` in front of it."""
    if not Path(HAPROXY).exists():
        raise RuntimeError(f"HAProxy not found at {HAPROXY}: apt-get install haproxy")
    folder = tmp_path_factory.mktemp("replicas")
    pg = Path(tempfile.mkdtemp(prefix="civicmap-pg-")) / "pg"  # the postgres user reaches /tmp
    db_url = subprocess.run([str(ROOT / ".ci/pg.sh"), "start", str(pg), str(_free_port())],
                            check=True, capture_output=True, text=True).stdout.strip()
    env = {**os.environ, "CIVICMAP_BUILD_DIR": str(folder / "build"),
           "CIVICMAP_DATABASE_URL": db_url, "CIVICMAP_MODERATORS": MODERATORS}
    proc = None
    pids: list[int] = []
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / "replicas.log"
    try:
        subprocess.run([sys.executable, "-m", "cli", "build"], cwd=ROOT, env=env, check=True,
                       capture_output=True)
        port = _free_port()
        with log.open("w") as out:
            proc = subprocess.Popen([str(ROOT / "deploy/serve_replicas.sh"), "2", str(port)],
                                    cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        started = _until(lambda: proc.poll() is not None or "haproxy: pid" in log.read_text(),
                         180, "serve_replicas.sh did not start")
        assert started and proc.poll() is None, log.read_text()[-3000:]
        text = log.read_text()
        ports = {f"app{n}": int(p) for n, p in re.findall(r"replica (\d+): port (\d+)", text)}
        pids = [int(p) for p in re.findall(r"pid (\d+)", text)]
        assert len(ports) == 2 and len(pids) == 3, text
        proxy = f"http://127.0.0.1:{port}"

        def answers() -> bool:
            try:
                return _replica(proxy) is not None
            except OSError:
                return False
        _until(answers, 30, "the proxy did not answer")
        yield {"proxy": proxy, "ports": ports, "pids": dict(zip(("app1", "app2"), pids)),
               "log": log, "db_url": db_url, "pg": pg}
    finally:
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # the script stops its replicas and HAProxy
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        for pid in pids:  # anything the script left behind, by its PID
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        subprocess.run([str(ROOT / ".ci/pg.sh"), "stop", str(pg)], check=False)
        shutil.rmtree(pg.parent, ignore_errors=True)


def _stream_servers(log: Path) -> list[str]:
    """The replica of each finished websocket (HAProxy logs a tunnel when it closes)."""
    return re.findall(r"replicas/(app\d) .*\"GET /_stcore/stream", log.read_text())


def test_map_through_the_proxy_on_one_replica(replicas, browser):
    proxy = replicas["proxy"]
    assert {_replica(proxy) for _ in range(4)} == {"app1", "app2"}  # new visitors spread

    streams = len(_stream_servers(replicas["log"]))
    page, log = open_page(browser, proxy + "/")
    frame = map_frame(page, timeout_ms=60000)
    assert frame.evaluate("civicMap.shown()") > 0
    shot(page, "replicas-map")
    cookie = {c["name"]: c["value"] for c in page.context.cookies()}.get("SRV")
    assert cookie in {"app1", "app2"}
    # the page's later requests go where its first one went
    seen = {page.evaluate("fetch('/_stcore/health').then(r => "
                          "r.headers.get('x-civicmap-replica'))") for _ in range(4)}
    assert seen == {cookie}
    assert not log.errors, log.errors
    page.context.close()  # closes the websocket: HAProxy logs which replica carried it
    ended = _until(lambda: _stream_servers(replicas["log"])[streams:], 15,
                   "HAProxy logged no websocket")
    assert ended == [cookie]


def _propose(browser, url: str, name: str, expect: re.Pattern) -> None:
    page, log = open_page(browser, url + "/data")
    page.get_by_text("Предложете организация").first.wait_for(timeout=60000)
    wait_idle(page)
    page.get_by_label("Име", exact=True).locator("visible=true").first.fill(name)
    page.get_by_label("Населено място", exact=True).locator("visible=true").first.fill(
        "Момчилград")
    page.get_by_role("button", name="Изпрати предложение").click()
    page.get_by_text(expect).wait_for(timeout=30000)
    assert not log.errors, log.errors
    page.context.close()


def test_proposal_limit_reached_on_one_replica_holds_on_the_other(replicas, browser):
    a = f"http://127.0.0.1:{replicas['ports']['app1']}"
    b = f"http://127.0.0.1:{replicas['ports']['app2']}"
    # Four of the five allowed proposals are counted in the store directly (quicker than
    # four forms); the fifth is made on A, and B then refuses the sixth.
    subprocess.run([sys.executable, "-c", "from intake import moderation\n"
                    "assert all(moderation.proposal_wait('local') == 0 for _ in range(4))"],
                   cwd=ROOT, check=True, env={**os.environ,
                                              "CIVICMAP_DATABASE_URL": replicas["db_url"]})
    _propose(browser, a, NAME, THANKS)
    _propose(browser, b, "Сдружение „Шесто“", TOO_MANY_PROPOSALS)


def test_approval_on_one_replica_shows_on_the_other(replicas, browser):
    a = f"http://127.0.0.1:{replicas['ports']['app1']}"
    b = f"http://127.0.0.1:{replicas['ports']['app2']}"
    watch, log = open_page(browser, a + "/?q=Реплика&kinds=ngo")
    assert _ngo_count(watch) == 0  # A has the organisations cached, the proposal pending

    page, mod_log = open_page(browser, b + "/data")
    page.get_by_role("tab", name="Модериране").click()
    page.get_by_label("Модератор", exact=True).locator("visible=true").first.fill("librarian")
    page.get_by_label("Парола", exact=True).locator("visible=true").first.fill(
        "e2e-librarian-pass")
    page.get_by_role("button", name="Вход").click()
    page.get_by_text("Влезли сте като librarian").wait_for(timeout=30000)
    page.get_by_role("button", name="Одобряване").click()
    page.get_by_text("Одобрено: промяната е на картата.").wait_for(timeout=30000)
    assert not mod_log.errors, mod_log.errors
    page.context.close()

    def shown_on_a() -> bool:
        watch.reload()
        return _ngo_count(watch) == 1
    _until(shown_on_a, 30, "replica A still does not show the approval", page=watch)
    assert map_frame(watch).evaluate("civicMap.shown()") == 1
    shot(watch, "replicas-approved-on-b-seen-on-a")
    assert not log.errors, log.errors
    watch.context.close()


# -- faults under load: a replica killed, the database restarted -------------------------

CRASH = "Сдружение „Срив"  # the names of this part's proposals start so
FAULT_PAGE = "Данните не са достъпни в момента"
STORE_DOWN = "хранилището с организации не е достъпно в момента; нищо не е записано"
LEAKS = ("Traceback", "OperationalError", "psycopg", "SELECT", "postgresql", "/tmp/")
# Streamlit's connection status ("CONNECTING" in the status widget while it has lost the
# server) and any dialog it opens, recorded by the page itself as they come and go.
WATCH_STATUS = """() => {
  const seen = window.civicStatus = [];
  const note = () => {
    const c = document.querySelector("[data-testid='stConnectionStatus']");
    const d = document.querySelector("[role='dialog']");
    const now = (c ? "connection: " + c.textContent.trim() : "") +
                (d ? " dialog: " + d.innerText.slice(0, 200) : "");
    if (now && seen[seen.length - 1] !== now) seen.push(now);
  };
  new MutationObserver(note).observe(document.body,
    {subtree: true, childList: true, characterData: true});
}"""


def _db(url: str):
    """A connection to the shared store outside the app (no pool: it outlives restarts)."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    return create_engine(url, poolclass=NullPool).begin()


def _crash_proposals(url: str) -> list[int]:
    """Numbers of the stored proposals this part sent (their names start with CRASH)."""
    import json

    with _db(url) as conn:
        rows = conn.execute(text("SELECT id, payload FROM proposals ORDER BY id")).all()
    return [int(i) for i, payload in rows if json.loads(payload).get("name", "").startswith(CRASH)]


def _names(url: str) -> list[str]:
    """The names in every stored proposal and in the audit log's proposal entries."""
    import json

    with _db(url) as conn:
        payloads = conn.execute(text("SELECT payload FROM proposals")).scalars().all()
        after = conn.execute(text("SELECT after FROM audit_log WHERE action LIKE 'propose%'")
                             ).scalars().all()
    return [json.loads(v or "{}").get("name", "") for v in [*payloads, *after]]


def _waiting_inserts(url: str) -> int:
    """App connections whose INSERT INTO proposals waits for a lock."""
    with _db(url) as conn:
        return conn.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query LIKE 'INSERT INTO proposals%'")).scalar_one()


def _fresh_limit(url: str) -> None:
    """Forget the proposals counted for the proxy's address (earlier tests used the five)."""
    with _db(url) as conn:
        conn.execute(text("DELETE FROM rate_events WHERE scope = 'proposal'"))


def _open_on(browser, url: str, replica: str, proxy: str):
    """A visitor whose SRV cookie names `replica`: the proxy sends them there."""
    from tests.e2e.harness import ConsoleLog

    context = browser.new_context(viewport={"width": 1300, "height": 900})
    context.add_cookies([{"name": "SRV", "value": replica, "url": proxy}])
    page = context.new_page()
    log = ConsoleLog(page)
    page.goto(url)
    page.get_by_role("button", name="Изпрати предложение").wait_for(timeout=60000)
    wait_idle(page)
    return page, log


def _acknowledged(page) -> set[int]:
    return {int(n) for t in page.get_by_text(THANKS).all_inner_texts()
            for n in THANKS.findall(t)}


def _fill(page, name: str) -> None:
    """The new-organisation form: a name in Momchilgrad."""
    page.get_by_label("Име", exact=True).locator("visible=true").first.fill(name)
    page.get_by_label("Населено място", exact=True).locator("visible=true").first.fill(
        "Момчилград")


def _send(page, name: str) -> int:
    """Fill and send the new-organisation form; the number in "Благодарим! Предложение N"."""
    before = _acknowledged(page)
    _fill(page, name)
    page.get_by_role("button", name="Изпрати предложение").click()
    new = _until(lambda: _acknowledged(page) - before, 30, f"no thanks for {name!r}", page=page)
    assert len(new) == 1, new
    return new.pop()


def _protocol_load(url: str, sessions: int, progress: dict, stop,
                   change: bool = True) -> list[dict]:
    """Light clients (benchmarks/load.py's) rerunning a page on `url` until it goes away.

    Each opens Coverage and changes its radius (a widget change, so a real rerun: the
    Map's filters, its province set too, run in the browser and rerun nothing), or, not
    `change`, opens the Map and reruns it as it is, about every half second, until its
    connection ends or `stop` is set.
    `progress[n]` counts client n's finished reruns; returns how each one ended.
    """
    import asyncio
    import random

    from benchmarks.load import ProtocolSession

    async def one(n: int) -> dict:
        client, rng = ProtocolSession(url), random.Random(n)
        try:
            await client.connect()
            await client.open("coverage" if change else "map")
            progress[n] += 1
            while not stop.is_set():
                await asyncio.sleep(0.5)
                await (client.coverage_radius(rng) if change else client.run())
                progress[n] += 1
            return {"end": "stopped"}
        except Exception as exc:  # noqa: BLE001 - how it ended is the result
            return {"end": type(exc).__name__, "detail": str(exc)[:200]}
        finally:
            try:
                await client.close()
            except Exception:  # noqa: BLE001 - a dead server's socket
                pass

    async def run() -> list[dict]:
        return list(await asyncio.gather(*[one(n) for n in range(sessions)]))
    return asyncio.run(run())


def _protocol_map(url: str) -> float:
    """A new light client's first load of the Map through `url`, in seconds."""
    import asyncio

    from benchmarks.load import ProtocolSession

    async def run() -> float:
        client = ProtocolSession(url)
        try:
            await client.connect()
            return await client.open("map")
        finally:
            await client.close()
    return asyncio.run(run())


def _no_leak(page) -> None:
    text = page.locator("body").inner_text()
    assert not [leak for leak in LEAKS if leak in text], text[:2000]
    assert page.locator("[data-testid='stException']").count() == 0


def test_a_killed_replica_loses_no_acknowledged_write_and_its_pages_reconnect(
        replicas, browser):
    proxy, db = replicas["proxy"], replicas["db_url"]
    _fresh_limit(db)
    assert _crash_proposals(db) == []
    # two visitors on A, proposals acknowledged on A while both pages stay open
    pages = [_open_on(browser, proxy + "/data", "app1", proxy) for _ in range(2)]
    # and three protocol clients on A, rerunning Coverage (a radius change) meanwhile
    progress, stop = {n: 0 for n in range(3)}, threading.Event()
    pool = ThreadPoolExecutor(1)
    load = pool.submit(_protocol_load, f"http://127.0.0.1:{replicas['ports']['app1']}", 3,
                       progress, stop)
    try:
        _until(lambda: min(progress.values()) >= 2 or load.done(), 120,
               "the protocol clients did not start")
        _killed_under_load(replicas, browser, pages)
        ends = load.result(timeout=60)
    finally:
        stop.set()
        pool.shutdown(wait=True)
    # each client was served on A until A died, and then lost its connection: no exception
    # from the server, no hang until the action timeout
    assert all(e["end"] in ("ConnectionClosedError", "ConnectionClosedOK") for e in ends), ends
    assert min(progress.values()) >= 2, progress
    with ThreadPoolExecutor(1) as one:  # asyncio off Playwright's thread
        assert one.submit(_protocol_map, proxy).result(timeout=90) > 0  # a new one: served by B
    print("protocol clients on A: reruns", progress, "ends", {e["end"] for e in ends})


def _killed_under_load(replicas, browser, pages) -> None:
    """Proposals on A, one in flight when A is SIGKILLed; A's pages reconnect to B."""
    proxy, db, app1 = replicas["proxy"], replicas["db_url"], replicas["pids"]["app1"]
    sent = [_send(pages[0][0], f"{CRASH} 1“"), _send(pages[1][0], f"{CRASH} 2“")]
    assert {_replica(proxy, cookie="SRV=app1") for _ in range(2)} == {"app1"}
    for page, _log in pages:
        page.evaluate(WATCH_STATUS)
    statuses: list[list[str]] = []

    # a third proposal is in flight on A when A dies: the test holds the proposals table,
    # so A's INSERT waits inside its transaction; A is killed there, the lock released
    with _db(db) as hold:
        hold.execute(text("LOCK TABLE proposals IN EXCLUSIVE MODE"))
        _fill(pages[1][0], f"{CRASH} в полет“")
        pages[1][0].get_by_role("button", name="Изпрати предложение").click()
        _until(lambda: _waiting_inserts(db), 30, "A's INSERT never waited for the lock",
               page=pages[1][0])
        os.kill(app1, signal.SIGKILL)
    _until(lambda: not _alive(app1) or None, 10, "replica A still runs")
    # the health check takes A out (HAProxy logs it) within ~2 s, then nobody is sent to A
    _until(lambda: "Server replicas/app1 is DOWN" in replicas["log"].read_text(), 15,
           "HAProxy did not mark the killed replica down")
    # a browser pinned to A by its cookie is sent to B; so is every new one
    assert _replica(proxy, cookie="SRV=app1") == "app2"
    for _ in range(2):  # round robin would give one of two new visitors to A
        page, log = open_page(browser, proxy + "/")
        frame = map_frame(page, timeout_ms=60000)
        assert frame.evaluate("civicMap.shown()") > 0
        assert {c["name"]: c["value"] for c in page.context.cookies()}.get("SRV") == "app2"
        assert not log.errors, log.errors
        page.context.close()

    # A's open pages said they lost the server (Streamlit's own state), then reconnected
    # through the proxy to B and work there: the form sends, nothing was sent twice
    for n, (page, _log) in enumerate(pages):
        seen = _until(lambda p=page: [s for s in p.evaluate("window.civicStatus")
                                      if "connecting" in s.lower()], 30,
                      "the page never showed that it lost the server", page=page)
        statuses.append(seen)
        page.get_by_role("button", name="Изпрати предложение").wait_for(timeout=30000)
        wait_idle(page)
        _no_leak(page)
        sent.extend(_acknowledged(page) - set(sent))  # a thanks the reconnect may have shown
        sent.append(_send(page, f"{CRASH} {n + 3} след срива“"))
        assert {c["name"]: c["value"] for c in page.context.cookies()}.get("SRV") == "app2"
        _no_leak(page)
    shot(pages[0][0], "replicas-killed-a-page-reconnected-to-b")
    for page, _log in pages:
        page.context.close()

    stored = _crash_proposals(db)
    assert len(stored) == len(set(stored)) == len(sent) == 4, (stored, sent)
    assert set(stored) == set(sent)  # none lost, none doubled, the one in flight not half-kept
    assert not [n for n in _names(db) if "в полет" in n]
    crash = [n for n in _names(db) if n.startswith(CRASH)]  # each: one row, one audit entry
    assert sorted(crash) == sorted(2 * list(set(crash))) and len(crash) == 8, crash
    print("killed replica's pages saw:", statuses)


def _shown(page) -> str:
    """"map" or "fault": what the page shows once it shows either."""
    return _until(lambda: ("map" if page.locator("iframe[title*='st_folium']").count() else
                           "fault" if page.get_by_text(FAULT_PAGE).count() else None),
                  60, "neither the map nor the fault page", page=page)


def test_a_database_restart_shows_the_fault_page_then_recovers(replicas, browser):
    proxy, db, pg = replicas["proxy"], replicas["db_url"], replicas["pg"]
    port = db.rsplit(":", 1)[1].split("/", 1)[0]
    _fresh_limit(db)
    before = _crash_proposals(db)
    live = [s for s in ("app1", "app2") if _alive(replicas["pids"][s])]
    form, form_log = _open_on(browser, proxy + "/data", live[0], proxy)
    watch, watch_log = open_page(browser, proxy + "/")
    # the survivor of the kill test may draw its first map now, cold: allow for a busy machine
    assert map_frame(watch, timeout_ms=150000).evaluate("civicMap.shown()") > 0
    _fill(form, f"{CRASH} при спряна база“")
    # and three protocol clients rerunning the Map through the proxy all along
    progress, stop = {n: 0 for n in range(3)}, threading.Event()
    pool = ThreadPoolExecutor(1)
    load = pool.submit(_protocol_load, proxy, 3, progress, stop, False)
    try:
        _until(lambda: min(progress.values()) >= 2 or load.done(), 120,
               "the protocol clients did not start")
        _restarted_under_load(proxy, db, pg, port, form, watch)
        back = dict(progress)
        _until(lambda: all(progress[n] >= back[n] + 2 for n in progress) or load.done(), 60,
               "the protocol clients' reruns did not go on with the database back")
    finally:
        stop.set()
        ends = load.result(timeout=90)
        pool.shutdown(wait=True)
    # through the stop and both restarts, no client lost its connection or saw an exception
    assert [e["end"] for e in ends] == ["stopped"] * 3, ends

    form.reload()
    form.get_by_role("button", name="Изпрати предложение").wait_for(timeout=60000)
    wait_idle(form)
    number = _send(form, f"{CRASH} след рестарта“")
    _no_leak(form)
    form.context.close()
    assert _crash_proposals(db) == [*before, number]  # the one sent while down is not there
    assert not [n for n in _names(db) if "при спряна база" in n]
    print("protocol clients' reruns through the restarts:", progress)


def _restarted_under_load(proxy: str, db: str, pg, port: str, form, watch) -> None:
    """PostGIS stopped: a proposal and a page show the fault page; back: the map again."""
    subprocess.run([str(ROOT / ".ci/pg.sh"), "stop", str(pg)], check=True)
    try:
        # a proposal sent now: the store-fault page, translated, nothing stored
        form.get_by_role("button", name="Изпрати предложение").click()
        form.get_by_text(FAULT_PAGE).wait_for(timeout=30000)
        main = form.locator("[data-testid='stMain']")
        _until(lambda: STORE_DOWN in main.inner_text(), 15,
               "the fault page does not give the store's message", page=form)
        _no_leak(form)
        shot(form, "replicas-database-down-proposal")
        watch.reload()  # a page that reads the store
        watch.get_by_text(FAULT_PAGE).wait_for(timeout=30000)
        _no_leak(watch)
    finally:
        subprocess.run([str(ROOT / ".ci/pg.sh"), "restart", str(pg), port], check=True,
                       capture_output=True)

    # no restart of the app: a reload shows the map again (stale connections are not reused)
    reloads = []

    def map_again() -> bool:
        watch.reload()
        reloads.append(1)
        return _shown(watch) == "map"
    _until(map_again, 30, "the Map still shows the fault page with the database back",
           page=watch)
    assert map_frame(watch, timeout_ms=30000).evaluate("civicMap.shown()") > 0
    _no_leak(watch)

    # a restart nobody saw (the app's pooled connections all died with it): the very next
    # page that reads the store shows the map, not the fault page
    subprocess.run([str(ROOT / ".ci/pg.sh"), "restart", str(pg), port], check=True,
                   capture_output=True)
    watch.reload()
    assert _shown(watch) == "map", "a stale pooled connection gave the fault page"
    assert map_frame(watch, timeout_ms=30000).evaluate("civicMap.shown()") > 0
    watch.context.close()
    print("reloads until the map came back:", len(reloads))
