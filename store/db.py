"""The organisation store: engine, reads and writes of organisations, geocoding cache."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, create_engine, delete, func, select, text

from civic import settings
from civic.record import Organisation
from store.schema import geocode_cache, metadata, organisations


def engine() -> Engine:
    """The shared engine for the configured database (`civic.settings.database_url`)."""
    return _engine(settings.database_url())


@lru_cache(maxsize=8)
def _engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    eng = create_engine(url, future=True)
    if eng.dialect.name == "postgresql":
        with eng.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    metadata.create_all(eng)
    if eng.dialect.name == "postgresql":
        _add_postgis_geometry(eng)
    return eng


def _add_postgis_geometry(eng: Engine) -> None:
    """A point geometry kept in step with lon/lat by PostgreSQL itself, with GiST indexes
    for planar and geographic (metre) searches."""
    with eng.begin() as conn:
        conn.execute(text(
            "ALTER TABLE organisations ADD COLUMN IF NOT EXISTS geom geometry(Point, 4326) "
            "GENERATED ALWAYS AS (CASE WHEN lon IS NULL OR lat IS NULL THEN NULL "
            "ELSE ST_SetSRID(ST_MakePoint(lon, lat), 4326) END) STORED"))
        conn.execute(text("CREATE INDEX IF NOT EXISTS organisations_geom_gist "
                          "ON organisations USING GIST (geom)"))
        conn.execute(text("CREATE INDEX IF NOT EXISTS organisations_geog_gist "
                          "ON organisations USING GIST ((geom::geography))"))


def is_postgis() -> bool:
    return engine().dialect.name == "postgresql"


def ids_within(lon: float, lat: float, radius_km: float) -> list[str] | None:
    """Ids of organisations within the radius, from the PostGIS index; None on SQLite
    (callers then measure every point themselves)."""
    if not is_postgis():
        return None
    query = text("SELECT id FROM organisations WHERE geom IS NOT NULL AND ST_DWithin("
                 "geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, "
                 ":metres)")
    with engine().connect() as conn:
        return [row[0] for row in conn.execute(query, {"lon": lon, "lat": lat,
                                                       "metres": radius_km * 1000})]


def replace_organisations(rows: Iterable[dict], sources: Iterable[str],
                          audit_before: dict | None = None,
                          audit_after: dict | None = None) -> int:
    """Delete every row from `sources`, insert `rows`, in one transaction with its audit
    entry; returns rows added."""
    from store import audit

    rows = [Organisation.from_row(row).row() for row in rows]  # checked, every column
    with engine().begin() as conn:
        conn.execute(delete(organisations).where(organisations.c.source.in_(list(sources))))
        if rows:
            conn.execute(organisations.insert(), rows)
        audit.record(conn, "build", "build", None, audit_before, audit_after)
    return len(rows)


def count_by_source(sources: Iterable[str]) -> dict[str, int]:
    """Organisation rows per source (for the audit log's before/after of a build)."""
    with engine().connect() as conn:
        rows = conn.execute(select(organisations.c.source, func.count())
                            .where(organisations.c.source.in_(list(sources)))
                            .group_by(organisations.c.source)).all()
    return {source: int(n) for source, n in rows}


def load_organisations() -> pd.DataFrame:
    """All organisations as a DataFrame (fields kept as a ';'-separated string)."""
    with engine().connect() as conn:
        return pd.read_sql(select(organisations), conn)


class GeocodeCache:
    """Geocoding answers kept in the store, keyed by the normalised query."""

    def get(self, query: str) -> dict | None:
        with engine().connect() as conn:
            row = conn.execute(
                select(geocode_cache.c.result).where(geocode_cache.c.query == query)
            ).first()
        return json.loads(row[0]) if row else None

    def put(self, query: str, result: dict) -> None:
        with engine().begin() as conn:
            conn.execute(delete(geocode_cache).where(geocode_cache.c.query == query))
            conn.execute(geocode_cache.insert(), {"query": query,
                                                  "result": json.dumps(result, ensure_ascii=False)})

    def clear(self) -> None:
        with engine().begin() as conn:
            conn.execute(delete(geocode_cache))




def is_built() -> bool:
    """True when the geography files and the organisation table exist with rows."""
    from store.files import geodata_exist

    if not geodata_exist():
        return False
    with engine().connect() as conn:
        return conn.execute(select(organisations.c.id).limit(1)).first() is not None
