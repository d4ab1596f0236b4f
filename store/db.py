"""The organisation store: engine, reads and writes of organisations, geocoding cache."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine, create_engine, delete, func, select, text
from sqlalchemy.exc import SQLAlchemyError

from civic import settings
from civic.errors import CivicError, NotBuiltError, StoreError
from civic.record import Organisation
from store.schema import geocode_cache, metadata, organisations, profiles


def engine() -> Engine:
    """The shared engine for the configured database (`civic.settings.database_url`).

    It never changes the schema and, on SQLite, never creates a missing file: a store that
    is not there fails loudly (`NotBuiltError`) instead of appearing empty. Only
    `migrate()`, run by `civicmap build`, creates tables.
    """
    return _engine(settings.database_url(), False)


@lru_cache(maxsize=8)
def _engine(url: str, create: bool) -> Engine:
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        mode = "rwc" if create else "rw"
        # the file URL keeps SQLAlchemy's file-database pool; `creator` adds the mode
        return create_engine(url, future=True, creator=lambda: sqlite3.connect(
            f"file:{path}?mode={mode}", uri=True, check_same_thread=False))
    # A server restart kills every pooled connection; the ping on checkout replaces a dead
    # one, so the first page after the database is back is not a fault page.
    return create_engine(url, future=True, pool_pre_ping=True)


def migrate() -> None:
    """Create what is missing: tables, columns added since a store was made, PostGIS.

    On PostgreSQL also the PostGIS point with its indexes.
    Run by `civicmap build` only, never on a process's start (an ALTER TABLE behind an open
    import transaction would queue every reader behind it).
    """
    eng = _engine(settings.database_url(), True)
    if eng.dialect.name == "postgresql":
        with eng.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    metadata.create_all(eng)
    _add_missing_columns(eng)
    if eng.dialect.name == "postgresql":
        _add_postgis_geometry(eng)
    eng.dispose()
    _engine(settings.database_url(), False).dispose()


def _add_missing_columns(eng: Engine) -> None:
    """ALTER TABLE … ADD COLUMN for each schema column an existing table lacks.

    `create_all` makes missing tables only, so a store built before a column was added
    (e.g. `organisations.info_card_url`) gets it here. New columns must be nullable: the
    rows already there have no value, and the build fills them.
    """
    prep = eng.dialect.identifier_preparer
    with eng.begin() as conn:
        for table in metadata.sorted_tables:
            # the names only: reflecting types would warn about PostGIS's `geom`
            have = set(conn.execute(text(
                f"SELECT * FROM {prep.quote(table.name)} WHERE 1 = 0")).keys())
            for column in table.columns:
                if column.name in have:
                    continue
                if not column.nullable:
                    raise ValueError(f"a new column must be nullable: {table.name}.{column.name}")
                conn.execute(text(
                    f"ALTER TABLE {prep.quote(table.name)} ADD COLUMN {prep.quote(column.name)} "
                    f"{column.type.compile(dialect=eng.dialect)}"))


def _add_postgis_geometry(eng: Engine) -> None:
    """A point geometry kept in step with lon/lat by PostgreSQL itself.

    GiST indexes serve planar and geographic (metre) searches.
    """
    with eng.begin() as conn:
        exists = conn.execute(text(
            "SELECT 1 FROM information_schema.columns WHERE table_name = 'organisations' "
            "AND column_name = 'geom'")).first()
        if exists:
            return
        conn.execute(text(
            "ALTER TABLE organisations ADD COLUMN IF NOT EXISTS geom geometry(Point, 4326) "
            "GENERATED ALWAYS AS (CASE WHEN lon IS NULL OR lat IS NULL THEN NULL "
            "ELSE ST_SetSRID(ST_MakePoint(lon, lat), 4326) END) STORED"))
        conn.execute(text("CREATE INDEX IF NOT EXISTS organisations_geom_gist "
                          "ON organisations USING GIST (geom)"))
        conn.execute(text("CREATE INDEX IF NOT EXISTS organisations_geog_gist "
                          "ON organisations USING GIST ((geom::geography))"))


def loud(exc: SQLAlchemyError) -> CivicError:
    """The store's failure as an error a person can act on, without SQL or parameters."""
    reason = str(getattr(exc, "orig", exc)).lower()
    if any(s in reason for s in ("no such table", "does not exist", "unable to open",
                                 "undefinedtable", "no such column")):
        return NotBuiltError("the organisation store is missing or incomplete; "
                             "run `civicmap build`")
    if "readonly" in reason or "read-only" in reason or "permission denied" in reason:
        return StoreError("the organisation store is read-only; nothing was saved. "
                          "Ask the operator to make it writable")
    return StoreError("the organisation store cannot be used right now; nothing was "
                      "saved. Try again later or ask the operator")


@contextmanager
def reading() -> Iterator[Connection]:
    """A connection for reads; store failures become NotBuiltError or StoreError."""
    try:
        with engine().connect() as conn:
            yield conn
    except SQLAlchemyError as exc:
        raise loud(exc) from exc


@contextmanager
def writing() -> Iterator[Connection]:
    """One transaction; store failures become NotBuiltError or StoreError (nothing saved)."""
    try:
        with engine().begin() as conn:
            yield conn
    except SQLAlchemyError as exc:
        raise loud(exc) from exc


def is_postgis() -> bool:
    """True when the store is PostgreSQL (with PostGIS)."""
    return engine().dialect.name == "postgresql"


def ids_within(lon: float, lat: float, radius_km: float) -> list[str] | None:
    """Ids of organisations within the radius, from the PostGIS index.

    None on SQLite (callers then measure every point themselves).
    """
    if not is_postgis():
        return None
    query = text("SELECT id FROM organisations WHERE geom IS NOT NULL AND ST_DWithin("
                 "geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, "
                 ":metres)")
    with reading() as conn:
        return [row[0] for row in conn.execute(query, {"lon": lon, "lat": lat,
                                                       "metres": radius_km * 1000})]


def replace_organisations(rows: Iterable[dict], sources: Iterable[str],
                          audit_before: dict | None = None,
                          audit_after: dict | None = None) -> int:
    """Replace every row of `sources` with `rows` in one audited transaction; returns rows added."""
    from store import audit

    rows = [Organisation.from_row(row).row() for row in rows]  # checked, every column
    with writing() as conn:
        conn.execute(delete(organisations).where(organisations.c.source.in_(list(sources))))
        if rows:
            conn.execute(organisations.insert(), rows)
        audit.record(conn, "build", "build", None, audit_before, audit_after)
    return len(rows)


def count_by_source(sources: Iterable[str]) -> dict[str, int]:
    """Organisation rows per source (for the audit log's before/after of a build)."""
    with reading() as conn:
        rows = conn.execute(select(organisations.c.source, func.count())
                            .where(organisations.c.source.in_(list(sources)))
                            .group_by(organisations.c.source)).all()
    return {source: int(n) for source, n in rows}


def load_organisations() -> pd.DataFrame:
    """All organisations as a DataFrame (fields kept as a ';'-separated string)."""
    with reading() as conn:
        return pd.read_sql(select(organisations), conn)


class GeocodeCache:
    """Geocoding answers kept in the store, keyed by the normalised query.

    The cache is an aid: when the store cannot be read or written, a look-up simply misses.
    """

    def get(self, query: str) -> dict | None:
        """The stored answer for `query`, or None."""
        try:
            with engine().connect() as conn:
                row = conn.execute(select(geocode_cache.c.result)
                                   .where(geocode_cache.c.query == query)).first()
        except SQLAlchemyError:
            return None
        return json.loads(row[0]) if row else None

    def put(self, query: str, result: dict) -> None:
        """Keep `result` for `query` (skipped when the store is read-only)."""
        try:
            with engine().begin() as conn:
                conn.execute(delete(geocode_cache).where(geocode_cache.c.query == query))
                conn.execute(geocode_cache.insert(), {
                    "query": query, "result": json.dumps(result, ensure_ascii=False)})
        except SQLAlchemyError:
            return

    def clear(self) -> None:
        """Forget every answer (after a build)."""
        with writing() as conn:
            conn.execute(delete(geocode_cache))


def is_built() -> bool:
    """True when the geography files are readable and the organisation table has rows."""
    try:
        check_built()
    except CivicError:
        return False
    return True


def check_built() -> None:
    """Raise NotBuiltError (or StoreError) naming what is missing; None when all is there."""
    from store.files import check_geodata

    check_geodata()
    with reading() as conn:
        # every column: a store made before a column was added counts as not built
        if conn.execute(select(*organisations.c).limit(1)).first() is None:
            raise NotBuiltError("the organisation store is empty; run `civicmap build`")
        conn.execute(select(*profiles.c).limit(1))  # a store made before profiles: rebuild
