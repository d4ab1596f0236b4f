"""Rate limits kept in the store: they hold across sessions, reloads, processes and restarts.

An event is (scope, key, time). Keys are hashed before they are stored (a client address is
personal data), and events older than their window are deleted as new ones arrive.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import delete, func, select

from store.db import writing
from store.schema import rate_events


def hashed(key: str) -> str:
    """The stored form of a key: a SHA-256 prefix (the address itself is never kept)."""
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def take(scope: str, key: str, limit: int, seconds: float, now: float) -> float:
    """Record one event and return 0 when fewer than `limit` happened in the last `seconds`.

    Otherwise record nothing and return the seconds until the next one is allowed.
    """
    ev, key = rate_events, hashed(key)
    with writing() as conn:
        conn.execute(delete(ev).where(ev.c.scope == scope, ev.c.key == key,
                                      ev.c.at <= now - seconds))
        count, oldest = conn.execute(select(func.count(), func.min(ev.c.at))
                                     .where(ev.c.scope == scope, ev.c.key == key)).one()
        if count >= limit:
            return max(1.0, oldest + seconds - now)
        conn.execute(ev.insert().values(scope=scope, key=key, at=now))
    return 0.0


def wait(scope: str, key: str, limit: int, seconds: float, now: float) -> float:
    """Seconds until one more event is allowed (0 when it is allowed now); records nothing."""
    ev, key = rate_events, hashed(key)
    with writing() as conn:
        count, oldest = conn.execute(select(func.count(), func.min(ev.c.at)).where(
            ev.c.scope == scope, ev.c.key == key, ev.c.at > now - seconds)).one()
    return 0.0 if count < limit else max(1.0, oldest + seconds - now)
