"""Shared fixtures: one real build of the real sources per test run, copied for each worker.

Every test gets one marker by what it needs, so `pytest -m unit` runs without a build:
`e2e` (under tests/e2e: Chromium and the running app), `integration` (uses the `built`
fixture, directly or through another fixture), `unit` (neither).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import store
from tests.e2e import harness


def worker_database(url: str, worker: str, template: str | None = None) -> str:
    """A fresh PostGIS database beside the configured one, named for `worker`; its URL.

    With `template`, a copy of that database (which must have no open connection).
    """
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'
                          + (f' TEMPLATE "{template}"' if template else "")))
    admin.dispose()
    mine = base.set(database=name)
    eng = create_engine(mine, isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    eng.dispose()
    return mine.render_as_string(hide_password=False)


@pytest.fixture(scope="session", autouse=True)
def _shared_builds(tmp_path_factory, worker_id):
    """Every worker of one run finds the builds it shares in one folder (no build here)."""
    root = tmp_path_factory.getbasetemp()
    harness.SHARED["root"] = root if worker_id == "master" else root.parent


def _postgres_template(url: str) -> tuple[str, Path]:
    """The run's one PostGIS build for `pytest -n`: its database's name and its build folder.

    The first worker builds into a database of its own; each worker then works on a copy.
    """
    from filelock import FileLock
    from sqlalchemy.engine import make_url

    folder = harness.shared_root() / "postgis-template"
    name = f"{make_url(url).database}_template"
    with FileLock(f"{folder}.database.lock"):
        if not (folder / "build_report.json").exists():
            template_url = worker_database(url, "template")
            harness.build_once(folder, {"CIVICMAP_BUILD_DIR": str(folder),
                                        "CIVICMAP_DATABASE_URL": template_url})
    return name, folder


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The real sources built once per run, copied into a private build dir; the report.

    SQLite: a copy of the run's template build (`tests.e2e.harness.template_build`).
    PostgreSQL (CI's second pass): under `pytest -n`, each worker works on its own copy of
    one PostGIS build; without workers, the build goes into the configured database.
    """
    from sources.build import build

    folder = tmp_path_factory.mktemp("build")
    mp = pytest.MonkeyPatch()
    mp.setenv("CIVICMAP_BUILD_DIR", str(folder))
    url = os.environ.get("CIVICMAP_DATABASE_URL", "")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url.startswith("postgresql"):  # SQLite: a private file
        mp.delenv("CIVICMAP_DATABASE_URL", raising=False)
        harness.copy_build(harness.template_build(), folder)
        report = json.loads((folder / "build_report.json").read_text())
    elif worker:
        template, files = _postgres_template(url)
        harness.copy_build(files, folder)
        mp.setenv("CIVICMAP_DATABASE_URL", worker_database(url, worker, template))
        report = json.loads((folder / "build_report.json").read_text())
    else:
        report = build()
    yield report
    mp.undo()


@pytest.fixture(scope="session")
def orgs(built):
    """Every organisation of the real build."""
    return store.load_organisations()


@pytest.fixture(scope="session")
def settlements(built):
    """Every settlement of the real build."""
    return store.load_settlements()


def on_postgres() -> bool:
    """Whether this run's configured store is PostgreSQL (the second CI pass)."""
    return os.environ.get("CIVICMAP_DATABASE_URL", "").startswith("postgresql")


# The slowest test files (make test prints the slowest tests), longest first. `make test`
# hands whole files to its workers in collection order, so these go first: the workers then
# finish together instead of one running a long file alone at the end.
SLOWEST_FIRST = ("test_tour_e2e.py", "test_limits_e2e.py", "test_tour_phone_e2e.py",
                 "test_build_atomic.py", "test_replicas_e2e.py", "test_actions_e2e.py",
                 "test_library_e2e.py", "test_coverage_e2e.py", "test_map_e2e.py",
                 "test_payloads_e2e.py", "test_filter_panel_e2e.py", "test_faults_e2e.py")


def _run_order(item) -> tuple[int, int]:
    """Slowest files first, then the other browser tests, then the rest; stable within."""
    name = item.path.name
    if name in SLOWEST_FIRST:
        return 0, SLOWEST_FIRST.index(name)
    return (1 if "e2e" in item.path.parts else 2), 0


def pytest_collection_modifyitems(config, items):
    """Mark each test e2e, integration or unit by what it needs.

    Under PostgreSQL (CI's second pass) only tests that read or write the configured store
    run. Left out: `unit` tests (no store at all), tests marked `own_store` (they build a
    store of their own, so the SQLite pass has already run them exactly as they would run
    here) and tests marked `once` (the browser's own drawing, filtering and screenshots, on
    the same build; every page's store-reading e2e tests run in both passes).
    """
    for item in items:
        if "e2e" in item.path.parts:
            item.add_marker(pytest.mark.e2e)
        elif "built" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.integration)
        else:
            item.add_marker(pytest.mark.unit)
    items.sort(key=_run_order)
    if on_postgres():
        own = [item for item in items if any(item.get_closest_marker(m)
                                              for m in ("unit", "own_store", "once"))]
        if own:
            config.hook.pytest_deselected(items=own)
            items[:] = [item for item in items if item not in own]


def pytest_terminal_summary(terminalreporter):
    """Say, under PostgreSQL, which tests were left to the SQLite pass and why."""
    if on_postgres() and terminalreporter.stats.get("deselected"):
        terminalreporter.write_line(
            f"{len(terminalreporter.stats['deselected'])} tests marked unit, own_store or "
            "once deselected: the SQLite pass runs them")
