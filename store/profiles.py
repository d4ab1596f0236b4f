"""Profiles in the store: what a library or chitalishte offers, an NGO's hub and needs.

One row per organisation id, NULL = unknown. Writes merge (only the given keys change) and
land in one transaction with their audit entry (action "profile", before/after), as the
other store writes do. Needs are kept as ';'-joined codes and read back as a list.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, and_, select, update

from store import audit
from store.changes import mark_approved
from store.db import reading, writing
from store.schema import organisations, profiles

VALUE_COLUMNS = ("seats", "computers", "internet", "exhibition_space", "step_free",
                 "opening_hours", "hub_id", "needs")
HUB_KINDS = ("library", "chitalishte")


def _needs_text(value) -> str | None:
    if value is None:
        return None
    parts = value if isinstance(value, list | tuple) else str(value).split(";")
    text = ";".join(p.strip() for p in parts if str(p).strip())
    return text or None


def _needs_list(value) -> list[str]:
    return [p for p in str(value).split(";") if p] if isinstance(value, str) and value else []


def load_profiles() -> pd.DataFrame:
    """Every stored profile, indexed by org_id (needs as ';'-joined text, NULL = unknown)."""
    with reading() as conn:
        frame = pd.read_sql(select(profiles).order_by(profiles.c.org_id), conn)
    return frame.set_index("org_id")


def profile(org_id: str) -> dict | None:
    """One organisation's profile (needs as a list), or None when nothing is known."""
    with reading() as conn:
        row = conn.execute(select(profiles).where(profiles.c.org_id == org_id)
                           ).mappings().first()
    if row is None:
        return None
    out = dict(row)
    out["needs"] = _needs_list(out["needs"])
    return out


def _upsert(conn: Connection, org_id: str, values: dict, who: str) -> None:
    changes = {k: (_needs_text(v) if k == "needs" else v) for k, v in values.items()
               if k in VALUE_COLUMNS}
    before = conn.execute(select(profiles).where(profiles.c.org_id == org_id)
                          ).mappings().first()
    stamp = {"updated_at": datetime.now(), "updated_by": who}
    if before is None:
        conn.execute(profiles.insert(), [{"org_id": org_id, **changes, **stamp}])
        old = None
    else:
        conn.execute(update(profiles).where(profiles.c.org_id == org_id)
                     .values(**changes, **stamp))
        old = {k: before[k] for k in changes}
    audit.record(conn, who, "profile", org_id, old, changes)


def upsert_profile(org_id: str, values: dict, who: str, conn: Connection | None = None
                   ) -> None:
    """Merge `values` (checked by `civic.profile.check_profile`) into the org's profile.

    Only the given keys change; the audit entry holds their values before and after. With
    `conn`, written in the caller's transaction; else in one of its own.
    """
    if conn is not None:
        _upsert(conn, org_id, values, who)
        return
    with writing() as own:
        _upsert(own, org_id, values, who)


def presented_at(hub_id: str) -> list[str]:
    """Ids of the NGOs that name `hub_id` as their hub, by name."""
    org = organisations
    with reading() as conn:
        return [r[0] for r in conn.execute(
            select(profiles.c.org_id).join(org, org.c.id == profiles.c.org_id)
            .where(profiles.c.hub_id == hub_id, org.c.kind == "ngo")
            .order_by(org.c.name, org.c.id))]


def hub_kinds() -> dict[str, str]:
    """Active libraries and chitalishta that can be hubs: id -> kind.

    A chitalishte's presumed library is left out: its chitalishte is the hub.
    """
    org = organisations
    with reading() as conn:
        return dict(conn.execute(select(org.c.id, org.c.kind).where(and_(
            org.c.kind.in_(HUB_KINDS), org.c.status == "active",
            org.c.presumed.is_(False)))).all())


def apply_proposal(number: int, moderator: str, org_id: str, values: dict) -> bool:
    """Merge a profile proposal's values and mark the proposal approved, in one transaction.

    False when the proposal was no longer pending (nothing changed).
    """
    now = datetime.now()
    with writing() as conn:
        if not mark_approved(conn, number, moderator, values, now):
            conn.rollback()
            return False
        _upsert(conn, org_id, values, moderator)
    return True


def write_import(rows: dict[str, dict], who: str) -> int:
    """Merge every org's values in ONE transaction, each with its audit entry; the count."""
    with writing() as conn:
        for org_id, values in rows.items():
            _upsert(conn, org_id, values, who)
    return len(rows)
