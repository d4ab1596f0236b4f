"""The store: organisations in a SQL database, geography as GeoParquet.

Only this module opens the database or the GeoParquet files; everything else asks it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    select,
    text,
)

from civic import paths

metadata = MetaData()

organisations = Table(
    "organisations",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("kind", String(16), nullable=False, index=True),  # ngo | chitalishte | library
    Column("subtype", Text),  # library: regional, chitalishte, municipal, other, presumed
    Column("presumed", Boolean, nullable=False, default=False),
    Column("parent_id", String(64)),  # a chitalishte library points at its chitalishte
    Column("legal_form", Text),
    Column("name", Text, nullable=False),
    Column("name_latin", Text),
    Column("fields", Text),  # ';'-separated vocabulary codes
    Column("ekatte", String(5), index=True),
    Column("settlement", Text),
    Column("municipality_code", String(5), index=True),
    Column("province_code", String(3), index=True),
    Column("address", Text),
    Column("lon", Float),
    Column("lat", Float),
    Column("precision", Text),  # source_point | street | settlement | municipality
    Column("precision_score", Integer),
    Column("precision_note", Text),
    Column("status", Text, nullable=False, index=True),  # active | closed | inactive
    Column("uic", Text),
    Column("register_number", Text),
    Column("phone", Text),
    Column("email", Text),
    Column("website", Text),
    Column("source", Text, nullable=False),
    Column("source_url", Text),
    Column("see_also_url", Text),  # a second citation, e.g. the directory row that enriched it
    Column("source_date", Text),
    Column("source_file", Text),
    Column("imported_at", DateTime),
)

geocode_cache = Table(
    "geocode_cache",
    metadata,
    Column("query", Text, primary_key=True),
    Column("result", Text, nullable=False),  # JSON
)

proposals = Table(
    "proposals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("action", String(16), nullable=False),  # new | correction
    Column("target_id", String(64)),  # the organisation a correction is about
    Column("payload", Text, nullable=False),  # JSON: the proposed values
    Column("status", String(16), nullable=False, index=True),  # pending | approved | rejected
    Column("reason", Text),  # a moderator's reason for a rejection
    Column("created_at", DateTime, nullable=False),
    Column("decided_by", Text),
    Column("decided_at", DateTime),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False, index=True),
    Column("who", Text, nullable=False),  # a moderator's name, "build", "import", "visitor"
    Column("action", String(32), nullable=False),
    Column("target_id", Text),
    Column("before", Text),  # JSON
    Column("after", Text),  # JSON
)

ORGANISATION_COLUMNS = [c.name for c in organisations.columns]


def engine() -> Engine:
    """The shared engine for the configured database (`civic.paths.database_url`)."""
    return _engine(paths.database_url())


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
    from civic import audit

    rows = [{c: row.get(c) for c in ORGANISATION_COLUMNS} for row in rows]
    with engine().begin() as conn:
        conn.execute(delete(organisations).where(organisations.c.source.in_(list(sources))))
        if rows:
            conn.execute(organisations.insert(), rows)
        audit.record(conn, "build", "build", None, audit_before, audit_after)
    return len(rows)


def count_by_source(sources: Iterable[str]) -> dict[str, int]:
    """Organisation rows per source (for the audit log's before/after of a build)."""
    from sqlalchemy import func

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


def write_geodata(
    settlements: gpd.GeoDataFrame, municipalities: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame
) -> None:
    """Write the three geography tables as GeoParquet, replacing earlier ones."""
    paths.build_dir().mkdir(parents=True, exist_ok=True)
    settlements.to_parquet(paths.settlements_file(), index=False)
    municipalities.to_parquet(paths.municipalities_file(), index=False)
    provinces.to_parquet(paths.provinces_file(), index=False)


def load_settlements() -> gpd.GeoDataFrame:
    return gpd.read_parquet(paths.settlements_file())


def load_municipalities() -> gpd.GeoDataFrame:
    return gpd.read_parquet(paths.municipalities_file())


def load_provinces() -> gpd.GeoDataFrame:
    return gpd.read_parquet(paths.provinces_file())


def is_built() -> bool:
    """True when the geography files and the organisation table exist with rows."""
    files = [paths.settlements_file(), paths.municipalities_file(), paths.provinces_file()]
    if not all(f.exists() for f in files):
        return False
    with engine().connect() as conn:
        return conn.execute(select(organisations.c.id).limit(1)).first() is not None
