"""The organisation store's tables: organisations, geocoding answers, proposals, audit log."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

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
    Column("info_card_url", Text),  # a chitalishte's latest information card in the register
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

ORGANISATION_COLUMNS = [c.name for c in organisations.columns]  # == civic.record.COLUMNS

rate_events = Table(
    "rate_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scope", String(32), nullable=False),  # "proposal", "login_address", …
    Column("key", String(64), nullable=False),  # a hash of the client address or account
    Column("at", Float, nullable=False),  # seconds since the epoch
    Index("rate_events_scope_key_at", "scope", "key", "at"),
)

actions = Table(
    "actions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("title", Text, nullable=False),
    Column("cause", String(32), nullable=False, index=True),
    Column("type", String(32), nullable=False, index=True),
    Column("start", String(16), nullable=False, index=True),  # local time, Europe/Sofia
    Column("end", String(16), nullable=False),
    Column("host_id", String(64), nullable=False, index=True),
    Column("source", Text, nullable=False),  # proposal | import
    Column("description", Text),
    Column("rrule", Text),  # RFC 5545 RRULE with COUNT or UNTIL
    Column("online", Boolean, nullable=False, default=False),
    Column("ekatte", String(5), index=True),
    Column("settlement", Text),
    Column("municipality_code", String(5), index=True),
    Column("province_code", String(3), index=True),
    Column("address", Text),
    Column("lon", Float),
    Column("lat", Float),
    Column("partner_ids", Text),  # ';'-separated organisation ids
    Column("volunteers_needed", Integer),
    Column("skills", Text),
    Column("items", Text),
    Column("contact_phone", Text),  # the organisation's public contact, never a person's
    Column("contact_email", Text),
    Column("url", Text),
    Column("status", String(16), nullable=False, index=True),  # proposed|published|cancelled
    Column("cancel_reason", Text),
    Column("joined", Integer, nullable=False, default=0),  # a count of "I'll join", no names
    Column("last_end", String(16), nullable=False, index=True),  # end of the last occurrence
    Column("created_at", DateTime),
    Column("updated_at", DateTime),
)

ACTION_COLUMNS = [c.name for c in actions.columns]  # == civic.action.ACTION_COLUMNS

# A library's or chitalishte's profile (what it offers) and an NGO's hub and needs, keyed by
# organisation id. NULL = unknown (never "no"). Not touched by `civicmap build`, which
# replaces organisation rows under their stable ids, so profiles survive rebuilds.
profiles = Table(
    "profiles",
    metadata,
    Column("org_id", String(64), primary_key=True),
    Column("seats", Integer),
    Column("computers", Integer),
    Column("internet", Boolean),
    Column("exhibition_space", Boolean),
    Column("step_free", Boolean),
    Column("opening_hours", Text),  # OSM opening_hours syntax
    Column("hub_id", String(64), index=True),  # an NGO's hub: a library or chitalishte id
    Column("needs", Text),  # ';'-joined civic.vocabularies.NEEDS codes
    Column("updated_at", DateTime),
    Column("updated_by", Text),
)

PROFILE_COLUMNS = [c.name for c in profiles.columns]
