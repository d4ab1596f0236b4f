"""Civic actions in the store: reads, the moderated writes, imports and the join counter.

Every write builds the checked `civic.action.Action` record first and lands in one
transaction with its audit entry, as organisation changes do (`store.changes`).
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import select, update

from civic.action import Action
from store import audit
from store.changes import mark_approved
from store.db import reading, writing
from store.schema import actions


def load_actions() -> pd.DataFrame:
    """Every stored action (published, cancelled and past alike), soonest first."""
    with reading() as conn:
        return pd.read_sql(select(actions).order_by(actions.c.start, actions.c.id), conn)


def action(action_id: str) -> dict | None:
    """One action's stored row, or None."""
    with reading() as conn:
        row = conn.execute(select(actions).where(actions.c.id == action_id)
                           ).mappings().first()
    return dict(row) if row else None


def apply_proposal(number: int, moderator: str, record: Action, new: bool,
                   values: dict) -> bool:
    """Publish a new action or apply a change/cancellation, and mark the proposal approved.

    One transaction; False when the proposal was no longer pending (nothing changed).
    """
    now = datetime.now()
    with writing() as conn:
        if not mark_approved(conn, number, moderator, values, now):
            conn.rollback()
            return False
        row = record.row()
        if new:
            conn.execute(actions.insert(), [{**row, "created_at": now, "updated_at": now}])
            audit.record(conn, moderator, "approve_action_new", record.id, None, row)
        else:
            before = conn.execute(select(actions).where(actions.c.id == record.id)
                                  ).mappings().one()
            changed = {k: v for k, v in row.items()
                       if k not in ("joined", "created_at", "updated_at") and before[k] != v}
            conn.execute(update(actions).where(actions.c.id == record.id)
                         .values(**changed, updated_at=now))
            audit.record(conn, moderator, "approve_action_change", record.id,
                         {k: before[k] for k in changed}, changed)
    return True


def write_import(records: list[Action], who: str) -> int:
    """Insert every record in ONE transaction, each with its audit entry; returns the count."""
    now = datetime.now()
    with writing() as conn:
        for record in records:
            row = record.row()
            conn.execute(actions.insert(), [{**row, "created_at": now, "updated_at": now}])
            audit.record(conn, who, "import_action_add", record.id, None, row)
    return len(records)


def join(action_id: str) -> int | None:
    """One more person will come: the new count, or None when the action is already full.

    The check and the increment are one UPDATE, so two people at once never overfill it.
    """
    a = actions
    with writing() as conn:
        done = conn.execute(update(a).where(
            a.c.id == action_id, a.c.status == "published",
            (a.c.volunteers_needed.is_(None)) | (a.c.joined < a.c.volunteers_needed))
            .values(joined=a.c.joined + 1))
        if done.rowcount != 1:
            return None
        return int(conn.execute(select(a.c.joined).where(a.c.id == action_id)).scalar_one())
