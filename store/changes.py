"""Changes to organisations from outside the build: proposals, moderation, file imports.

Visitors propose, moderators decide, operators import. Each change is one transaction with
its audit entry.
"""

from __future__ import annotations

import json
from datetime import datetime

import pandas as pd
from sqlalchemy import select, update

from civic.record import Organisation
from store import audit
from store.db import reading, writing
from store.schema import organisations, proposals


def organisation(org_id: str) -> dict | None:
    """One organisation's stored row, or None."""
    with reading() as conn:
        row = conn.execute(select(organisations).where(organisations.c.id == org_id)
                           ).mappings().first()
    return dict(row) if row else None


def add_proposal(action: str, target_id: str | None, values: dict) -> int:
    """Store a pending proposal and its audit entry; returns the proposal's number."""
    with writing() as conn:
        result = conn.execute(proposals.insert().values(
            action=action, target_id=target_id, payload=json.dumps(values, ensure_ascii=False),
            status="pending", created_at=datetime.now()))
        number = int(result.inserted_primary_key[0])
        audit.record(conn, "visitor", f"propose_{action}", target_id, None,
                     {"proposal": number, **values})
    return number


def pending_proposals() -> pd.DataFrame:
    """Pending proposals, oldest first."""
    with reading() as conn:
        return pd.read_sql(select(proposals).where(proposals.c.status == "pending")
                           .order_by(proposals.c.id), conn)


def proposal(number: int) -> dict | None:
    """One proposal with its decoded `values`, or None."""
    with reading() as conn:
        row = conn.execute(select(proposals).where(proposals.c.id == number)
                           ).mappings().first()
    if row is None:
        return None
    out = dict(row)
    out["values"] = json.loads(out["payload"])
    return out


def mark_approved(conn, number: int, moderator: str, values: dict, now: datetime) -> bool:
    """Mark proposal `number` approved with the values applied, if it is still pending.

    In the caller's transaction; False when another moderator decided it meanwhile.
    """
    decided = conn.execute(update(proposals).where(
        proposals.c.id == number, proposals.c.status == "pending").values(
        status="approved", decided_by=moderator, decided_at=now,
        payload=json.dumps(values, ensure_ascii=False, default=str)))
    return decided.rowcount == 1


def apply_proposal(number: int, moderator: str, org_id: str, changes: dict, new: bool,
                   values: dict) -> bool:
    """Add (`new`) or update organisation `org_id` and mark the proposal approved, in one go.

    One transaction; False when the proposal was no longer pending (nothing changed).
    """
    now = datetime.now()
    org = organisations
    with writing() as conn:
        if not mark_approved(conn, number, moderator, values, now):
            conn.rollback()
            return False
        if new:
            row = Organisation.from_row(changes).row()  # checked, every column
            conn.execute(org.insert(), [row])
            audit.record(conn, moderator, "approve_new", org_id, None, row)
        else:
            before = conn.execute(select(org).where(org.c.id == org_id)).mappings().one()
            conn.execute(update(org).where(org.c.id == org_id).values(**changes))
            audit.record(conn, moderator, "approve_correction", org_id,
                         {k: before[k] for k in changes}, changes)
    return True


def reject_proposal(number: int, moderator: str, reason: str, target_id: str | None) -> bool:
    """Mark a pending proposal rejected with the reason; False when no longer pending."""
    with writing() as conn:
        decided = conn.execute(update(proposals).where(
            proposals.c.id == number, proposals.c.status == "pending").values(
            status="rejected", reason=reason, decided_by=moderator, decided_at=datetime.now()))
        if decided.rowcount != 1:
            conn.rollback()
            return False
        audit.record(conn, moderator, "reject", target_id, None,
                     {"proposal": number, "reason": reason})
    return True


def match_keys() -> list[tuple[str, str | None, str, str | None, str]]:
    """(id, uic, name, ekatte, kind) of every organisation, for matching imported rows."""
    org = organisations
    with reading() as conn:
        return [tuple(r) for r in conn.execute(
            select(org.c.id, org.c.uic, org.c.name, org.c.ekatte, org.c.kind))]


def write_import(additions: list[dict], updates: dict[str, dict], who: str) -> None:
    """Insert `additions` (full rows) and apply `updates` (id → changed values) in ONE transaction.

    Each change is written with its audit entry.
    """
    org = organisations
    with writing() as conn:
        for org_id, changes in updates.items():
            before = conn.execute(select(org).where(org.c.id == org_id)).mappings().one()
            conn.execute(update(org).where(org.c.id == org_id).values(**changes))
            audit.record(conn, who, "import_update", org_id,
                         {k: before[k] for k in changes}, changes)
        for row in additions:
            row = Organisation.from_row(row).row()
            conn.execute(org.insert(), [row])
            audit.record(conn, who, "import_add", row["id"], None, row)
