"""Issue 17's smaller items outside the importer.

Failed Nominatim look-ups are not retried on every search; approvals refresh every view
computed from the organisations.
"""

from __future__ import annotations

import pytest

import store
from geo.gazetteer import Gazetteer
from geo.geocoder import RETRY_FAILED_S, Geocoder


class _Down:
    """A street look-up whose server is down: every call fails."""

    def __init__(self):
        self.calls = 0

    def lookup(self, street: str, settlement: str, municipality: str):
        self.calls += 1
        raise TimeoutError("no answer")


@pytest.fixture(scope="module")
def gaz(built):
    return Gazetteer(store.load_settlements(), store.load_municipalities(),
                     store.load_provinces())


def test_failed_street_lookup_is_not_retried_on_every_search(gaz):
    now = [0.0]
    down = _Down()
    chain = Geocoder(gaz, grounds={}, street=down, clock=lambda: now[0])
    for _ in range(3):
        out = chain.geocode("ул. Лудогорие 19, 7330 Завет")
        assert out["precision"] == "settlement" and out["name"] == "Завет"
    assert down.calls == 1
    chain.geocode("ул. Лудогорие 21, 7330 Завет")  # another address is still asked
    assert down.calls == 2
    now[0] += RETRY_FAILED_S
    chain.geocode("ул. Лудогорие 19, 7330 Завет")  # asked again after the pause
    assert down.calls == 3


def test_approval_refreshes_everything_computed_from_organisations(monkeypatch):
    from ui import data

    cleared = []
    for name in ("organisations", "settlement_coverage", "municipality_coverage", "hubs",
                 "province_figures", "compass_pdf"):
        monkeypatch.setattr(getattr(data, name), "clear",
                            lambda name=name: cleared.append(name), raising=False)
    data.organisations_changed()
    assert {"organisations", "hubs", "settlement_coverage"} <= set(cleared)


def test_no_schema_change_when_a_process_starts(built):
    """Opening the store and reading it runs no DDL.

    An ALTER behind an open import transaction would queue every reader behind it on PostgreSQL.
    """
    import re

    from sqlalchemy import Engine, event

    from store import db

    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        db._engine.cache_clear()  # as in a new process
        store.load_organisations()
        assert store.is_built()
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    # DDL, or what create_all / the PostGIS check inspect first (pandas' own pg_catalog
    # look-up of table names is a plain read and allowed)
    schema_work = re.compile(r"\s*(CREATE|ALTER|DROP)\b|table_info|information_schema",
                             re.I)
    assert statements and not [s for s in statements if schema_work.search(s)]


def test_postgis_readers_do_not_wait_behind_an_open_import(built):
    """PostgreSQL only: an import in progress does not delay a new process's reads.

    The import is a transaction holding a write lock on organisations.
    """
    import subprocess
    import sys
    import time
    from pathlib import Path

    from sqlalchemy import text

    if not store.is_postgis():
        pytest.skip("PostgreSQL only")
    with store.engine().connect() as conn:
        trans = conn.begin()
        conn.execute(text("LOCK TABLE organisations IN ROW EXCLUSIVE MODE"))
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-c", "import store; "
                               "print(len(store.load_organisations()))"],
                              cwd=Path(__file__).resolve().parent.parent,
                              capture_output=True, text=True, timeout=60)
        elapsed = time.monotonic() - started
        trans.rollback()
    assert done.returncode == 0, done.stderr[-1000:]
    assert elapsed < 40, elapsed  # a reader behind the lock would wait for the timeout
