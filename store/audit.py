"""The audit log: who changed what in the store, when, with the values before and after."""

from __future__ import annotations

import json
from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, func, select

from store.db import engine
from store.schema import audit_log


def _json(values: dict | None) -> str | None:
    return None if values is None else json.dumps(values, ensure_ascii=False, default=str)


def record(conn: Connection, who: str, action: str, target_id: str | None,
           before: dict | None, after: dict | None) -> None:
    """One entry, written in the caller's transaction (so it lands only if the change does)."""
    conn.execute(audit_log.insert(), [{
        "at": datetime.now(), "who": who, "action": action, "target_id": target_id,
        "before": _json(before), "after": _json(after)}])


def entries(limit: int = 500) -> pd.DataFrame:
    """The newest entries first."""
    log = audit_log
    with engine().connect() as conn:
        return pd.read_sql(select(log).order_by(log.c.id.desc()).limit(limit), conn)


# Entries that change what the pages draw from organisations (and their profiles); proposals,
# rejections and civic actions do not, so they leave the caches built on organisations alone.
ORGANISATION_CHANGES = ("build", "approve_new", "approve_correction", "import_add",
                        "import_update", "profile")


def organisations_stamp() -> int:
    """The newest entry that changed organisations or profiles (0 when none)."""
    log = audit_log
    with engine().connect() as conn:
        newest = conn.execute(select(func.max(log.c.id)).where(
            log.c.action.in_(ORGANISATION_CHANGES))).scalar()
    return int(newest or 0)
