"""Public proposals and their moderation: visitors propose, librarians decide.

Proposals wait as `pending`. A moderator approves (possibly after editing) or rejects with a
reason; only approved changes reach the organisations table, each with an audit entry.
Moderators are configured by name with PBKDF2 password hashes; without any, moderation is
unavailable (there is no default password).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from collections import deque
from datetime import datetime

import pandas as pd
from sqlalchemy import select, update

import store
from civic import settings
from civic.errors import ProposalError
from civic.text import to_latin
from civic.vocabularies import FIELDS, KINDS, LEGAL_FORMS, PRECISION_SCORE, stable_id
from store import audit

ITERATIONS = 600_000
EDITABLE = ("name", "kind", "legal_form", "fields", "ekatte", "address", "lon", "lat",
            "phone", "email", "website", "source_url")
_EMAIL = re.compile(r"^[^@\s;,<>\"']+@[^@\s;,<>\"']+\.[^@\s;,<>\"']+$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*\.[^\s]+$", re.I)
SUBMISSION_SOURCE = "submission"


# -- passwords and throttling -----------------------------------------------------------

def hash_password(password: str, salt: bytes | None = None) -> str:
    """'pbkdf2_sha256$iterations$salt$hash' (base64), for CIVICMAP_MODERATORS or secrets."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, ITERATIONS)
    return "$".join(["pbkdf2_sha256", str(ITERATIONS), base64.b64encode(salt).decode(),
                     base64.b64encode(digest).decode()])


def verify_password(password: str, encoded: str) -> bool:
    try:
        algorithm, iterations, salt, digest = encoded.split("$")
        if algorithm != "pbkdf2_sha256":
            return False
        candidate = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(salt),
                                        int(iterations))
        return hmac.compare_digest(candidate, base64.b64decode(digest))
    except (ValueError, TypeError):
        return False


def moderators_from_env() -> dict[str, str]:
    """`CIVICMAP_MODERATORS="name=hash;other=hash"`; empty when unset."""
    return settings.moderators()


def check_login(moderators: dict[str, str], name: str, password: str) -> bool:
    """True only for a configured moderator with the right password (constant work)."""
    encoded = moderators.get(name)
    if encoded is None:
        verify_password(password, hash_password("x", b"0" * 16))  # same cost either way
        return False
    return verify_password(password, encoded)


class RateLimit:
    """At most `limit` events in a sliding window of `seconds` (per session)."""

    def __init__(self, limit: int, seconds: float):
        self.limit, self.seconds = limit, seconds
        self.events: deque[float] = deque()

    def allow(self, now: float | None = None) -> bool:
        """Record one event if allowed; False when over the limit (nothing recorded)."""
        now = time.monotonic() if now is None else now
        while self.events and now - self.events[0] > self.seconds:
            self.events.popleft()
        if len(self.events) >= self.limit:
            return False
        self.events.append(now)
        return True

    def wait_seconds(self, now: float | None = None) -> int:
        now = time.monotonic() if now is None else now
        return int(self.seconds - (now - self.events[0])) + 1 if self.events else 0


# -- proposals ---------------------------------------------------------------------------

def _check_values(values: dict) -> dict:
    """Proposed values, cleaned; raises ProposalError. Text stays text (markup and
    formula-looking cells are kept verbatim and escaped wherever they are shown)."""
    out = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()
           if k in EDITABLE and v not in (None, "", [])}
    if "kind" in out and out["kind"] not in KINDS:
        raise ProposalError(f"unknown kind '{out['kind']}'")
    if "legal_form" in out and out["legal_form"] not in set(LEGAL_FORMS.values()):
        raise ProposalError(f"unknown legal form '{out['legal_form']}'")
    if "fields" in out:
        fields = out["fields"] if isinstance(out["fields"], list) else out["fields"].split(";")
        unknown = [f for f in fields if f not in FIELDS]
        if unknown:
            raise ProposalError(f"unknown field(s): {', '.join(unknown)}")
        out["fields"] = ";".join(fields)
    if "email" in out and not all(_EMAIL.match(e.strip()) for e in out["email"].split(";")):
        raise ProposalError("the e-mail address is not valid")
    for key in ("website", "source_url"):
        if key in out and not _URL.match(out[key]):
            raise ProposalError("links must start with http:// or https://")
    if ("lon" in out) != ("lat" in out):
        raise ProposalError("a point needs both longitude and latitude")
    if "lon" in out and not (22.3 <= float(out["lon"]) <= 28.7
                             and 41.2 <= float(out["lat"]) <= 44.3):
        raise ProposalError("the point is outside Bulgaria")
    for key in ("name", "address"):
        if key in out and len(out[key]) > 300:
            raise ProposalError(f"{key} is longer than 300 characters")
    return out


def submit(action: str, values: dict, target_id: str | None = None) -> int:
    """Store a pending proposal; returns its number. `values` for a correction hold only the
    fields to change."""
    if action not in ("new", "correction"):
        raise ProposalError(f"unknown action '{action}'")
    clean = _check_values(values)
    if action == "new":
        missing = [k for k in ("name", "kind", "ekatte") if k not in clean]
        if missing:
            raise ProposalError(f"missing: {', '.join(missing)}")
    else:
        if not target_id or organisation(target_id) is None:
            raise ProposalError("the organisation to correct was not found")
        if not clean:
            raise ProposalError("nothing to change")
    with store.engine().begin() as conn:
        result = conn.execute(store.proposals.insert().values(
            action=action, target_id=target_id, payload=json.dumps(clean, ensure_ascii=False),
            status="pending", created_at=datetime.now()))
        number = int(result.inserted_primary_key[0])
        audit.record(conn, "visitor", f"propose_{action}", target_id, None,
                     {"proposal": number, **clean})
    return number


def organisation(org_id: str) -> dict | None:
    with store.engine().connect() as conn:
        row = conn.execute(select(store.organisations).where(
            store.organisations.c.id == org_id)).mappings().first()
    return dict(row) if row else None


def pending() -> pd.DataFrame:
    p = store.proposals
    with store.engine().connect() as conn:
        return pd.read_sql(select(p).where(p.c.status == "pending").order_by(p.c.id), conn)


def proposal(number: int) -> dict:
    with store.engine().connect() as conn:
        row = conn.execute(select(store.proposals).where(
            store.proposals.c.id == number)).mappings().first()
    if row is None:
        raise ProposalError(f"no proposal {number}")
    out = dict(row)
    out["values"] = json.loads(out["payload"])
    return out


def _settlement_fields(ekatte: str) -> dict:
    s = store.load_settlements().set_index("ekatte")
    if ekatte not in s.index:
        raise ProposalError(f"unknown settlement {ekatte}")
    row = s.loc[ekatte]
    return {"ekatte": ekatte, "settlement": row["name"],
            "municipality_code": row["municipality_code"],
            "province_code": row["province_code"], "_lon": row.geometry.x,
            "_lat": row.geometry.y}


def approve(number: int, moderator: str, edits: dict | None = None) -> str:
    """Apply a pending proposal (with a moderator's edits) to the organisations; returns the
    organisation id."""
    prop = proposal(number)
    if prop["status"] != "pending":
        raise ProposalError(f"proposal {number} is already {prop['status']}")
    values = _check_values({**prop["values"], **(edits or {})})
    org = store.organisations
    now = datetime.now()
    changes = dict(values)
    if "name" in changes:
        changes["name_latin"] = to_latin(changes["name"])
    if "ekatte" in changes:
        place = _settlement_fields(changes["ekatte"])
        lon, lat = place.pop("_lon"), place.pop("_lat")
        changes.update(place)
        if "lon" not in changes:
            changes.update(lon=lon, lat=lat, precision="settlement",
                           precision_score=PRECISION_SCORE["settlement"],
                           precision_note="placed at the settlement centre")
    if "lon" in changes:
        changes.update(lon=float(changes["lon"]), lat=float(changes["lat"]))
        if "precision" not in changes:
            changes.update(precision="source_point",
                           precision_score=PRECISION_SCORE["source_point"],
                           precision_note="point placed by the proposer")
    changes.update(source_file=f"proposal {number}", imported_at=now)
    with store.engine().begin() as conn:
        if prop["action"] == "new":
            org_id = stable_id(values["kind"], values["name"], values["ekatte"])
            row = {c: None for c in store.ORGANISATION_COLUMNS}
            row.update(changes, id=org_id, presumed=False, status="active",
                       source=SUBMISSION_SOURCE)
            conn.execute(org.insert(), [{c: row[c] for c in store.ORGANISATION_COLUMNS}])
            audit.record(conn, moderator, "approve_new", org_id, None, row)
        else:
            org_id = prop["target_id"]
            before = conn.execute(select(org).where(org.c.id == org_id)).mappings().one()
            conn.execute(update(org).where(org.c.id == org_id).values(**changes))
            audit.record(conn, moderator, "approve_correction", org_id,
                         {k: before[k] for k in changes}, changes)
        conn.execute(update(store.proposals).where(store.proposals.c.id == number).values(
            status="approved", decided_by=moderator, decided_at=now,
            payload=json.dumps(values, ensure_ascii=False)))
    return org_id


def reject(number: int, moderator: str, reason: str) -> None:
    prop = proposal(number)
    if prop["status"] != "pending":
        raise ProposalError(f"proposal {number} is already {prop['status']}")
    if not reason.strip():
        raise ProposalError("give a reason for the rejection")
    with store.engine().begin() as conn:
        conn.execute(update(store.proposals).where(store.proposals.c.id == number).values(
            status="rejected", reason=reason.strip(), decided_by=moderator,
            decided_at=datetime.now()))
        audit.record(conn, moderator, "reject", prop["target_id"], None,
                     {"proposal": number, "reason": reason.strip()})
