"""Public proposals and their moderation: visitors propose, librarians decide.

Proposals wait as `pending`. A moderator approves (possibly after editing) or rejects with a
reason; only approved changes reach the organisations table, each with an audit entry.
Moderators are configured by name with PBKDF2 password hashes (`intake.passwords`); without
any, moderation is unavailable (there is no default password). Proposals are limited per
client address in the store, so a reload or a restart does not reset the count.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pandas as pd

import store
from civic.errors import ProposalError
from civic.facts import BULGARIA_BBOX
from civic.text import to_latin
from civic.vocabularies import FIELDS, KINDS, LEGAL_FORMS, PRECISION_SCORE, stable_id
from intake import rules
from intake.passwords import (  # noqa: F401 - re-exported for the CLI and the Data page
    ITERATIONS,
    check_login,
    hash_password,
    login,
    verify_password,
)
from store import changes, limits

EDITABLE = ("name", "kind", "legal_form", "fields", "ekatte", "address", "lon", "lat",
            "phone", "email", "website", "source_url")
SUBMISSION_SOURCE = "submission"
PROPOSALS_PER_ADDRESS = (5, 600.0)  # proposals per window (seconds), per client address


def proposal_wait(address: str, clock: Callable[[], float] = time.time) -> float:
    """0 and one proposal counted for `address` when allowed; else the seconds to wait."""
    return limits.take("proposal", address, *PROPOSALS_PER_ADDRESS, clock())


# -- proposals ---------------------------------------------------------------------------

def _check_choices(out: dict) -> None:
    if "kind" in out and out["kind"] not in KINDS:
        raise ProposalError("unknown kind '{kind}'", kind=out["kind"])
    if "legal_form" in out and out["legal_form"] not in set(LEGAL_FORMS.values()):
        raise ProposalError("unknown legal form '{form}'", form=out["legal_form"])
    if "fields" in out:
        fields = out["fields"] if isinstance(out["fields"], list) else out["fields"].split(";")
        unknown = [f for f in fields if f not in FIELDS]
        if unknown:
            raise ProposalError("unknown field(s): {fields}", fields=", ".join(unknown))
        out["fields"] = ";".join(fields)


def _check_point(out: dict) -> None:
    if ("lon" in out) != ("lat" in out):
        raise ProposalError("a point needs both longitude and latitude")
    if "lon" in out:
        west, south, east, north = BULGARIA_BBOX
        try:
            inside = west <= float(out["lon"]) <= east and south <= float(out["lat"]) <= north
        except (TypeError, ValueError):
            inside = False
        if not inside:
            raise ProposalError("the point is outside Bulgaria")


def _check_values(values: dict) -> dict:
    """Proposed values, cleaned; raises ProposalError.

    Text stays text (markup and formula-looking cells are kept verbatim and escaped wherever
    they are shown).
    """
    out = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()
           if k in EDITABLE and v not in (None, "", [])}
    problem = rules.too_long(out)
    if problem:
        raise ProposalError(problem.message, **problem.values)
    _check_choices(out)
    if "email" in out and rules.emails(out["email"]) is None:
        raise ProposalError("the e-mail address is not valid")
    for key in ("website", "source_url"):
        if key in out and not rules.valid_url(out[key]):
            raise ProposalError("links must start with http:// or https://")
    _check_point(out)
    return out


def submit(action: str, values: dict, target_id: str | None = None) -> int:
    """Store a pending proposal; returns its number.

    `values` for a correction hold only the fields to change.
    """
    if action not in ("new", "correction"):
        raise ProposalError("unknown action '{action}'", action=action)
    clean = _check_values(values)
    if action == "new":
        missing = [k for k in ("name", "kind", "ekatte") if k not in clean]
        if missing:
            raise ProposalError("missing: {fields}", fields=", ".join(missing))
    else:
        if not target_id or changes.organisation(target_id) is None:
            raise ProposalError("the organisation to correct was not found")
        if not clean:
            raise ProposalError("nothing to change")
    return changes.add_proposal(action, target_id, clean)


def organisation(org_id: str) -> dict | None:
    """One organisation's stored row, or None."""
    return changes.organisation(org_id)


def pending() -> pd.DataFrame:
    """Proposals waiting for a moderator, oldest first."""
    return changes.pending_proposals()


def proposal(number: int) -> dict:
    """One proposal with its `values`; ProposalError when there is none."""
    found = changes.proposal(number)
    if found is None:
        raise ProposalError("no proposal {n}", n=number)
    return found


def _settlement_fields(ekatte: str) -> dict:
    s = store.load_settlements().set_index("ekatte")
    if ekatte not in s.index:
        raise ProposalError("unknown settlement {ekatte}", ekatte=ekatte)
    row = s.loc[ekatte]
    return {"ekatte": ekatte, "settlement": row["name"],
            "municipality_code": row["municipality_code"],
            "province_code": row["province_code"], "_lon": row.geometry.x,
            "_lat": row.geometry.y}


def _changes(values: dict, number: int) -> dict:
    """The organisation columns a proposal's values set (place and precision included)."""
    out = dict(values)
    if "name" in out:
        out["name_latin"] = to_latin(out["name"])
    if "ekatte" in out:
        place = _settlement_fields(out["ekatte"])
        lon, lat = place.pop("_lon"), place.pop("_lat")
        out.update(place)
        if "lon" not in out:
            out.update(lon=lon, lat=lat, precision="settlement",
                       precision_score=PRECISION_SCORE["settlement"],
                       precision_note="placed at the settlement centre")
    if "lon" in out:
        out.update(lon=float(out["lon"]), lat=float(out["lat"]))
        if "precision" not in out:
            out.update(precision="source_point",
                       precision_score=PRECISION_SCORE["source_point"],
                       precision_note="point placed by the proposer")
    out.update(source_file=f"proposal {number}", imported_at=pd.Timestamp.now().to_pydatetime())
    return out


def approve(number: int, moderator: str, edits: dict | None = None) -> str:
    """Apply a pending proposal (with a moderator's edits); returns the organisation id.

    A proposal about a civic action is published by `intake.actions` (returns its id); a
    profile (a library's offer, an NGO's hub and needs) is merged by `intake.profiles`.
    """
    prop = proposal(number)
    if prop["status"] != "pending":
        raise ProposalError("proposal {n} is already {status}", n=number,
                            status=prop["status"])
    if prop["action"].startswith("action_"):
        from intake import actions

        return actions.approve(prop, moderator, edits)
    if prop["action"] == "profile":
        from intake import profiles

        return profiles.approve(prop, moderator, edits)
    values = _check_values({**prop["values"], **(edits or {})})
    new = prop["action"] == "new"
    cols = _changes(values, number)
    if new:
        org_id = stable_id(values["kind"], values["name"], values["ekatte"])
        cols.update(id=org_id, presumed=False, status="active", source=SUBMISSION_SOURCE)
    else:
        org_id = prop["target_id"]
    if not changes.apply_proposal(number, moderator, org_id, cols, new, values):
        raise ProposalError("proposal {n} was decided meanwhile", n=number)
    return org_id


def reject(number: int, moderator: str, reason: str) -> None:
    """Reject a pending proposal with a reason (kept in the audit log)."""
    prop = proposal(number)
    if prop["status"] != "pending":
        raise ProposalError("proposal {n} is already {status}", n=number,
                            status=prop["status"])
    if not reason.strip():
        raise ProposalError("give a reason for the rejection")
    if not changes.reject_proposal(number, moderator, reason.strip()[:1000],
                                   prop["target_id"]):
        raise ProposalError("proposal {n} was decided meanwhile", n=number)
