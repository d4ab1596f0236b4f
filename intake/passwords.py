"""Moderator passwords: PBKDF2 hashes, and a login check that is throttled before it hashes.

The throttle lives in the store (`store.limits`): per client address and per account name,
so reloading the page, opening new browsers or restarting the server does not reset it,
and refused attempts cost no hashing at all.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable

from store import limits

ITERATIONS = 600_000
LOGINS_PER_ADDRESS = (5, 300.0)  # attempts per window (seconds)
LOGINS_PER_ACCOUNT = (10, 300.0)


def hash_password(password: str, salt: bytes | None = None) -> str:
    """'pbkdf2_sha256$iterations$salt$hash' (base64), for CIVICMAP_MODERATORS or secrets."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, ITERATIONS)
    return "$".join(["pbkdf2_sha256", str(ITERATIONS), base64.b64encode(salt).decode(),
                     base64.b64encode(digest).decode()])


def verify_password(password: str, encoded: str) -> bool:
    """True when `password` matches the encoded hash (constant-time comparison)."""
    try:
        algorithm, iterations, salt, digest = encoded.split("$")
        if algorithm != "pbkdf2_sha256":
            return False
        candidate = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(salt),
                                        int(iterations))
        return hmac.compare_digest(candidate, base64.b64decode(digest))
    except (ValueError, TypeError):
        return False


def check_login(moderators: dict[str, str], name: str, password: str) -> bool:
    """True only for a configured moderator with the right password (constant work)."""
    encoded = moderators.get(name)
    if encoded is None:
        verify_password(password, hash_password("x", b"0" * 16))  # same cost either way
        return False
    return verify_password(password, encoded)


def login_wait(address: str, name: str, clock: Callable[[], float] = time.time) -> float:
    """Seconds to wait before another attempt from this address or on this account (0: go ahead).

    An allowed attempt is recorded against both before any hashing happens.
    """
    now = clock()
    wait = max(limits.wait("login_address", address, *LOGINS_PER_ADDRESS, now),
               limits.wait("login_account", name.strip().lower(), *LOGINS_PER_ACCOUNT, now))
    if wait:
        return wait
    limits.take("login_address", address, *LOGINS_PER_ADDRESS, now)
    limits.take("login_account", name.strip().lower(), *LOGINS_PER_ACCOUNT, now)
    return 0.0


def login(moderators: dict[str, str], name: str, password: str, address: str,
          clock: Callable[[], float] = time.time) -> tuple[bool, float]:
    """(logged in, seconds to wait): throttled first, so refused attempts never hash."""
    wait = login_wait(address, name, clock)
    if wait:
        return False, wait
    return check_login(moderators, name, password), 0.0
