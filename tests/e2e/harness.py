"""Drive the real app: `make run` on a free port, and Debian's Chromium through Playwright.

Used by the end-to-end tests and by `benchmarks/map.py`.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from civic import settings

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = settings.chromium()
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
# Map tiles come from the internet, which this machine does not reach; their failed loads
# are expected and are the only console errors a test forgives.
TILE_HOSTS = ("tile.openstreetmap.org",)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve_app(env_overrides: dict[str, str] | None = None):
    """`make run` on a free port (the same command users run); stopped by its process group.

    The store is the configured one (`CIVICMAP_DATABASE_URL`), unless overridden.
    """
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "CIVICMAP_BUILD_DIR"}
    env.update(env_overrides or {})
    env["PORT"] = str(port)
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(["make", "run"], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
            if proc.poll() is not None:
                raise RuntimeError(f"make run exited: {log.read_text()[-2000:]}")
        else:
            raise RuntimeError("the app did not answer within 180 s")
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _sqlite_build_env(folder: Path) -> dict[str, str]:
    """The environment that points the app and the CLI at a build in `folder`."""
    return {"CIVICMAP_BUILD_DIR": str(folder),
            "CIVICMAP_DATABASE_URL": f"sqlite:///{folder / 'civicmap.sqlite'}"}


# Where a test run's shared builds live: set by tests/conftest.py to one folder that every
# worker of `pytest -n` sees. Unset (a benchmark), the process makes a folder of its own.
SHARED: dict[str, Path] = {}


def build_once(folder: Path, env: dict[str, str]) -> Path:
    """`civicmap build` with `env` into `folder`, unless a complete build is already there.

    One process at a time: the first to come builds, the others wait on the lock and then
    find the build complete (its report is written last) and use it.
    """
    import sys

    from filelock import FileLock

    with FileLock(f"{folder}.lock"):
        if not (folder / "build_report.json").exists():
            folder.mkdir(parents=True, exist_ok=True)
            done = subprocess.run([sys.executable, "-m", "cli", "build"], cwd=ROOT,
                                  env={**os.environ, **env}, capture_output=True, text=True)
            if done.returncode:
                raise RuntimeError(f"civicmap build into {folder} failed:\n"
                                   f"{done.stderr[-3000:]}")
    return folder


def shared_root() -> Path:
    """The folder of this run's shared builds (a private one outside pytest)."""
    if "root" not in SHARED:
        import atexit
        import shutil
        import tempfile

        SHARED["root"] = Path(tempfile.mkdtemp(prefix="civicmap-shared-"))
        atexit.register(shutil.rmtree, SHARED["root"], True)
    return SHARED["root"]


def template_build() -> Path:
    """One SQLite build of the real sources per test run, never changed afterwards.

    Private stores and the suite's own build are copies of it: the same files a build
    writes, for a copy's price (a build costs the suite's few cores a quarter of a minute,
    and each test process needed two).
    """
    folder = shared_root() / "sqlite-template"
    return build_once(folder, _sqlite_build_env(folder))


def copy_build(template: Path, folder: Path) -> Path:
    """The files of the build in `template` copied into `folder`; `folder`."""
    import shutil

    folder.mkdir(parents=True, exist_ok=True)
    for path in template.iterdir():
        if path.is_file():
            shutil.copy2(path, folder / path.name)
    return folder


def private_store(folder: Path, imports: tuple[str, ...] = ()) -> dict[str, str]:
    """A build of the real sources in `folder` (its own SQLite store), fixture files imported.

    The build is a copy of the run's template build (`template_build`). Imports use
    --accept-valid; returns the environment that points the app at the build.
    """
    import sys

    copy_build(template_build(), folder)
    env = _sqlite_build_env(folder)
    cli = [sys.executable, "-m", "cli"]
    for path in imports:
        subprocess.run([*cli, "import", path, "--kind", "ngo", "--accept-valid"], cwd=ROOT,
                       env={**os.environ, **env}, check=True, capture_output=True)
    return env


@contextlib.contextmanager
def chromium():
    """Debian's Chromium, headless, with the flags this closed network needs."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


class ConsoleLog:
    def __init__(self, page):
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on("dialog", self._on_dialog)

    def _on_console(self, msg):
        if msg.type != "error":
            return
        where = (msg.location or {}).get("url", "")
        if any(host in where for host in TILE_HOSTS):
            return
        if re.search(r"/[\w-]+/_stcore/(host-config|health)$", where):
            return  # Streamlit probes page-relative paths first when a page URL is opened
        self.errors.append(f"{msg.text} @ {where}")

    def _on_dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()


def open_page(browser, url: str, width: int = 1300, height: int = 900, **kwargs):
    context = browser.new_context(viewport={"width": width, "height": height}, **kwargs)
    page = context.new_page()
    log = ConsoleLog(page)
    page.goto(url)
    return page, log


COUNT_MARKERS = ("(() => { let n = 0; map.eachLayer(l => { if (l.feature && l.feature.properties"
                 " && l.feature.properties.k) n++; }); return n; })()")


def map_frame(page, timeout_ms: int = 30000):
    """The st_folium iframe, once Leaflet has drawn organisation points."""
    page.wait_for_selector("iframe[title*='st_folium']", timeout=timeout_ms)
    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        for frame in page.frames:
            if "st_folium" in frame.url:
                try:
                    ready = f"typeof window.map !== 'undefined' && ({COUNT_MARKERS}) > 0"
                    if frame.evaluate(ready):
                        return frame
                except Exception:  # frame still loading
                    pass
        page.wait_for_timeout(250)  # pumps Playwright events
    raise AssertionError("Leaflet map did not load in the st_folium iframe")


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def wait_idle(page, timeout_s: float = 30) -> None:
    """Until the app has finished its reruns (no 'Running…' status for half a second)."""
    status = page.locator("[data-testid='stStatusWidget']")
    quiet_since = None
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if status.count() and status.first.is_visible():
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > 0.5:
            return
        page.wait_for_timeout(100)  # pumps Playwright events


# a Leaflet map that has drawn something: outlines, marks or the basemap's place names
MAP_DRAWN = ("() => typeof window.map !== 'undefined' && !!document.querySelector("
             "'.leaflet-overlay-pane path, .leaflet-overlay-pane canvas, .leaflet-marker-icon, "
             ".civic-place-label')")


def map_drawn(page, deadline: float, drawn: str = MAP_DRAWN) -> bool:
    """Whether a map frame (st_folium's iframe) passes `drawn` before `deadline`."""
    while time.monotonic() < deadline:
        for frame in page.frames:
            if frame is page.main_frame:
                continue
            try:
                if frame.evaluate(drawn):
                    return True
            except Exception:  # a frame still loading or gone
                pass
        page.wait_for_timeout(50)  # pumps Playwright's events
    return False
