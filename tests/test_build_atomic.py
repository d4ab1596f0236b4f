"""A `civicmap build` killed at random moments leaves the previous build readable and whole.

A damaged build file or a missing store is reported (NotBuiltError), never created empty.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.own_store  # its own SQLite store: runs once, in the SQLite pass

CHECK = """
import store
store.check_built()
s, m, p = store.load_settlements(), store.load_municipalities(), store.load_provinces()
print(len(s), len(m), len(p), len(store.load_organisations()))
"""


# The build, with its own SIGKILL scheduled at a given moment (the fault is in the child).
KILLED_BUILD = """
import os, signal, sys, threading
timer = threading.Timer(float(sys.argv[1]), lambda: os.kill(os.getpid(), signal.SIGKILL))
timer.daemon = True
timer.start()
from cli import main
main(["build"])
"""

# The build's geography written again (what `civicmap build` writes last, with the frames it
# would write), the given GeoParquet write (1-3) dying half-written: this part of a build
# alone, without the rest of the build before it (a build killed at random covers that).
KILLED_WRITE = """
import io, os, signal, sys
import geopandas as gpd
import store
frames = store.load_settlements(), store.load_municipalities(), store.load_provinces()
real, writes = gpd.GeoDataFrame.to_parquet, []
def half_then_die(self, path, **kwargs):
    writes.append(path)
    if len(writes) == int(sys.argv[1]):
        buffer = io.BytesIO()
        real(self, buffer, **kwargs)
        with open(path, "wb") as out:
            out.write(buffer.getvalue()[: len(buffer.getvalue()) // 2])
            out.flush()
        os.kill(os.getpid(), signal.SIGKILL)
    return real(self, path, **kwargs)
gpd.GeoDataFrame.to_parquet = half_then_die
store.write_geodata(*frames)
"""


def _env(folder: Path) -> dict[str, str]:
    return {**os.environ, "CIVICMAP_BUILD_DIR": str(folder),
            "CIVICMAP_DATABASE_URL": f"sqlite:///{folder / 'civicmap.sqlite'}"}


def _served(env: dict[str, str]) -> str:
    """What a fresh app process would load: the counts, or the failure."""
    done = subprocess.run([sys.executable, "-c", CHECK], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-1500:]
    return done.stdout.strip()


@pytest.fixture(scope="module")
def previous_build(tmp_path_factory, built):
    """A private complete build, copied from the suite's build (SQLite only)."""
    from civic import settings

    if settings.database_url().startswith("postgresql"):
        pytest.skip("the kill test uses a private SQLite store")
    folder = tmp_path_factory.mktemp("atomic")
    for path in settings.build_dir().iterdir():
        if path.is_file():
            shutil.copy(path, folder / path.name)
    return folder


def test_killed_builds_leave_the_previous_build_serving(previous_build):
    """Four builds killed at random moments, three geography writes killed halfway."""
    env = _env(previous_build)
    expected = _served(env)
    rng = random.Random(17)
    plan = [(KILLED_BUILD, f"{rng.uniform(0.5, 7.0):.2f}") for _ in range(4)]
    plan += [(KILLED_WRITE, str(k)) for k in (1, 2, 3)]
    for attempt, (script, arg) in enumerate(plan):
        proc = subprocess.run([sys.executable, "-c", script, arg], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode in (0, -signal.SIGKILL), proc.stderr[-1500:]
        if script is KILLED_WRITE:
            assert proc.returncode == -signal.SIGKILL, f"write {arg} was not reached"
        assert _served(env) == expected, f"attempt {attempt}"
        leftovers = [p.name for p in previous_build.iterdir() if p.name.endswith(".tmp")]
        assert len(leftovers) <= 3  # a killed writer may leave its own temporary file
        for name in leftovers:
            (previous_build / name).unlink()


def test_damaged_file_and_missing_store_are_reported(tmp_path):
    from civic.errors import NotBuiltError

    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "settlements.parquet").write_bytes(b"")
    done = subprocess.run([sys.executable, "-c", CHECK], cwd=ROOT, env=_env(folder),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and NotBuiltError.__name__ in done.stderr
    assert "settlements.parquet is incomplete or damaged" in done.stderr
    assert not (folder / "civicmap.sqlite").exists()  # nothing created by reading
