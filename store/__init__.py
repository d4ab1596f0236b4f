"""The store: the only package that opens the database or the build's files.

Organisations, proposals, rate-limit events and the audit log live in a SQL database
(SQLite by default, PostgreSQL + PostGIS by URL); the geography as GeoParquet files.
"""

from store.db import (
    GeocodeCache,
    check_built,
    count_by_source,
    engine,
    ids_within,
    is_built,
    is_postgis,
    load_organisations,
    migrate,
    reading,
    replace_organisations,
    writing,
)
from store.files import (
    load_municipalities,
    load_provinces,
    load_settlements,
    write_geodata,
    write_text_atomically,
)
from store.profiles import load_profiles, presented_at, profile, upsert_profile
from store.schema import (
    ORGANISATION_COLUMNS,
    PROFILE_COLUMNS,
    audit_log,
    geocode_cache,
    metadata,
    organisations,
    proposals,
)

__all__ = [
    "GeocodeCache", "check_built", "migrate", "reading", "writing", "write_text_atomically",
    "ORGANISATION_COLUMNS", "audit_log", "count_by_source", "engine",
    "geocode_cache", "ids_within", "is_built", "is_postgis", "load_municipalities",
    "load_organisations", "load_provinces", "load_settlements", "metadata", "organisations",
    "proposals", "replace_organisations", "write_geodata",
    "PROFILE_COLUMNS", "load_profiles", "presented_at", "profile", "upsert_profile",
]
