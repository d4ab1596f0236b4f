"""Civic actions coming in: proposals (new, change, cancel), their moderation, imports, joins.

The rules are those of organisations (`intake.rules`: lengths, e-mail, links, formula
cells) plus the action's own record check (`civic.action.Action`). Proposals go into the
one proposals table, limited per client address and audit-logged like organisation
proposals; a moderator's approval publishes (`intake.moderation` routes action proposals
here). A file import (`import_file`) is all or nothing: any bad row and nothing is written.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import store
from civic.action import Action, check_ahead, check_text
from civic.errors import ActionError, CivicError, ImportFileError, ProposalError
from civic.vocabularies import stable_id
from intake import rules
from intake.rules import RowProblem
from store import actions as stored
from store import changes, limits

EDITABLE = ("title", "description", "cause", "type", "start", "end", "rrule", "online",
            "ekatte", "address", "lon", "lat", "host_id", "partner_ids", "volunteers_needed",
            "skills", "items", "contact_phone", "contact_email", "url")
PROPOSAL_KINDS = ("action_new", "action_change", "action_cancel")
IMPORT_COLUMNS = ("title", "description", "cause", "type", "start", "end", "rrule", "online",
                  "settlement", "municipality", "province", "ekatte", "address", "lon", "lat",
                  "host_id", "partner_ids", "volunteers_needed", "skills", "items",
                  "contact_phone", "contact_email", "url")
JOINS_PER_ADDRESS = (10, 600.0)  # "I'll join" presses per window (seconds), per address
ONE_JOIN_PER_ACTION = (1, 30 * 86400.0)  # one address counts once per action (30 days)
TRUE = {"1", "true", "yes", "да", "evet", "online", "онлайн"}


def _as_bool(value) -> bool:
    return value if isinstance(value, bool) else str(value or "").strip().lower() in TRUE


def clean(values: dict) -> dict:
    """Proposed values: known keys only, text stripped, empty left out; raises ActionError.

    Text stays text: markup is kept verbatim and escaped wherever it is shown.
    """
    out = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()
           if k in EDITABLE and v not in (None, "", [])}
    check_text(out)
    if "partner_ids" in out and isinstance(out["partner_ids"], list | tuple):
        out["partner_ids"] = ";".join(out["partner_ids"])
    if "online" in out:
        out["online"] = _as_bool(out["online"])
    if "contact_email" in out and rules.emails(out["contact_email"]) is None:
        raise ActionError("the e-mail address is not valid")
    if "url" in out and not rules.valid_url(out["url"]):
        raise ActionError("links must start with http:// or https://")
    for key in ("lon", "lat"):
        if key in out:
            try:
                out[key] = float(str(out[key]).replace(",", "."))
            except ValueError:
                raise ActionError("coordinates are not numbers") from None
    if "volunteers_needed" in out:
        try:
            out["volunteers_needed"] = int(str(out["volunteers_needed"]).strip())
        except ValueError:
            raise ActionError("volunteers needed must be a whole number from 1 to "
                              "10000") from None
    return out


def _place(ekatte: str | None, settlements) -> dict:
    """The settlement columns of an EKATTE code (the resolver's answer), checked."""
    if not ekatte:
        return {"ekatte": None, "settlement": None, "municipality_code": None,
                "province_code": None}
    s = settlements.set_index("ekatte") if "ekatte" in settlements.columns else settlements
    if ekatte not in s.index:
        raise ActionError("unknown settlement {ekatte}", ekatte=ekatte)
    row = s.loc[ekatte]
    return {"ekatte": ekatte, "settlement": row["name"],
            "municipality_code": row["municipality_code"],
            "province_code": row["province_code"], "_point": (row.geometry.x, row.geometry.y)}


def _check_orgs(values: dict, known: Callable[[str], bool]) -> None:
    if not values.get("host_id") or not known(values["host_id"]):
        raise ActionError("the host organisation was not found")
    partners = [p for p in (values.get("partner_ids") or "").split(";") if p.strip()]
    unknown = [p for p in partners if not known(p.strip())]
    if unknown:
        raise ActionError("unknown partner organisation(s): {ids}", ids=", ".join(unknown)[:200])


def build(values: dict, action_id: str | None, status: str, source: str, settlements=None,
          known: Callable[[str], bool] | None = None) -> Action:
    """The checked record from clean values: place resolved, host known, dates in range."""
    settlements = store.load_settlements() if settlements is None else settlements
    known = known or (lambda org_id: changes.organisation(org_id) is not None)
    _check_orgs(values, known)
    online = _as_bool(values.get("online"))
    place = _place(values.get("ekatte"), settlements)
    point = place.pop("_point", None)
    lon, lat = values.get("lon"), values.get("lat")
    if lon is None and lat is None and point is not None:
        lon, lat = float(point[0]), float(point[1])
    for key in ("title", "cause", "type", "start", "end"):
        if not values.get(key):
            raise ActionError("missing: {fields}", fields=key)
    record = Action(
        id=action_id or stable_id("action", values["title"], str(values["start"]),
                                  values["host_id"], values.get("ekatte") or "online"),
        title=values["title"], cause=values["cause"], type=values["type"],
        start=values["start"], end=values["end"], host_id=values["host_id"], source=source,
        description=values.get("description"), rrule=values.get("rrule"), online=online,
        **place, address=values.get("address"), lon=lon, lat=lat,
        partner_ids=values.get("partner_ids"), volunteers_needed=values.get("volunteers_needed"),
        skills=values.get("skills"), items=values.get("items"),
        contact_phone=values.get("contact_phone"), contact_email=values.get("contact_email"),
        url=values.get("url"), status=status, cancel_reason=values.get("cancel_reason"),
        joined=int(values.get("joined") or 0))
    check_ahead(record)
    return record


# -- proposals and their moderation ---------------------------------------------------------

def propose(values: dict) -> int:
    """A new action waits for a moderator; returns the proposal's number."""
    values = clean(values)
    build(values, None, "proposed", "proposal")  # every check now, nothing stored yet
    return changes.add_proposal("action_new", None, values)


def _stored(action_id: str) -> dict:
    found = stored.action(action_id) if action_id else None
    if found is None:
        raise ActionError("the action was not found")
    return found


def propose_change(action_id: str, values: dict) -> int:
    """A change to a published action waits for a moderator (only the changed values kept)."""
    current = _stored(action_id)
    values = clean(values)
    changed = {k: v for k, v in values.items() if str(current.get(k)) != str(v)}
    if not changed:
        raise ActionError("nothing to change")
    build({**current, **changed}, action_id, current["status"], current["source"])
    return changes.add_proposal("action_change", action_id, changed)


def propose_cancel(action_id: str, reason: str) -> int:
    """Cancelling an action is a proposal too, with the reason the page will show."""
    _stored(action_id)
    reason = (reason or "").strip()
    if not reason:
        raise ActionError("give a reason for the cancellation")
    check_text({"cancel_reason": reason})
    return changes.add_proposal("action_cancel", action_id, {"cancel_reason": reason})


def approve(prop: dict, moderator: str, edits: dict | None = None) -> str:
    """Publish a proposed action, or apply a change or cancellation; returns the action's id."""
    number, kind = prop["id"], prop["action"]
    values = {**prop["values"], **clean(edits or {})}
    if kind == "action_new":
        values = clean(values)
        record = build(values, None, "published", "proposal")
        if stored.action(record.id) is not None:
            raise ActionError("this action is already published")
    else:
        current = _stored(prop["target_id"])
        if kind == "action_cancel":
            record = build({**current, "cancel_reason": values.get("cancel_reason")},
                           current["id"], "cancelled", current["source"])
        else:
            record = build({**current, **clean(values)}, current["id"], current["status"],
                           current["source"])
    if not stored.apply_proposal(number, moderator, record, kind == "action_new", values):
        raise ProposalError("proposal {n} was decided meanwhile", n=number)
    return record.id


def join(action_id: str, address: str, clock: Callable[[], float] = time.time
         ) -> tuple[int | None, float]:
    """(new count, 0) when one more person said "I'll join"; (None, seconds) when refused.

    The count is all the store keeps: no name, no e-mail. An address counts once per action
    and at most 10 times in 10 minutes; a full action refuses with (None, 0).
    """
    current = _stored(action_id)
    wait = limits.wait("join", address, *JOINS_PER_ADDRESS, clock())
    if wait:
        return None, wait
    if limits.take("join_action", f"{address}|{action_id}", *ONE_JOIN_PER_ACTION, clock()):
        return int(current["joined"] or 0), 0.0  # already counted: the .ics, no second count
    limits.take("join", address, *JOINS_PER_ADDRESS, clock())
    return stored.join(action_id), 0.0


# -- file imports ---------------------------------------------------------------------------

@dataclass
class ActionImportReport:
    """What an actions import read, rejected (line and reason) and wrote."""

    file: str
    read: int = 0
    rejected: list[dict] = field(default_factory=list)
    added: int = 0
    written: bool = False


def _row_values(rec: dict) -> dict:
    return {k: v for k, v in rec.items() if k in EDITABLE and v not in (None, "")}


def import_file(path: Path, dry_run: bool = False, who: str = "import") -> ActionImportReport:
    """Read, check and write an actions file (CSV or XLSX, `docs/actions_template.csv`).

    All or nothing: when any row is rejected, no row is written. Published at once (an
    operator's import is the moderation). Raises ImportFileError for an unusable file.
    """
    from geo.gazetteer import Gazetteer
    from intake.importer import read_rows

    fmt, df, _skipped = read_rows(path, required="title")
    if fmt not in ("csv", "xlsx"):
        raise ImportFileError("unknown format '{fmt}'; use {formats}", fmt=fmt,
                              formats="csv, xlsx")
    missing = [c for c in ("title", "cause", "type", "start", "end", "host_id")
               if c not in df.columns]
    if missing:
        raise ImportFileError("the file lacks the column(s) {columns}",
                              columns=", ".join(missing))
    settlements = store.load_settlements()
    places = Gazetteer(settlements, store.load_municipalities(), store.load_provinces())
    org_ids = {r[0] for r in changes.match_keys()}
    report = ActionImportReport(file=path.name, read=len(df))
    records, seen = [], {}
    for rec in df.to_dict("records"):
        try:
            record = _import_row(rec, places, settlements, org_ids)
            if record.id in seen:
                raise RowProblem("the same action as row {row}", row=seen[record.id])
            seen[record.id] = rec["row"]
            records.append(record)
        except CivicError as problem:
            report.rejected.append({"row": rec["row"], "title": str(rec.get("title", ""))[:100],
                                    "reason": problem.text("en"), "problem": problem})
    existing = {r.id for r in records if stored.action(r.id) is not None}
    for record in records:
        if record.id in existing:
            problem = RowProblem("this action is already published")
            report.rejected.append({"row": seen[record.id], "title": record.title[:100],
                                    "reason": problem.text("en"), "problem": problem})
    report.rejected.sort(key=lambda r: r["row"])
    if dry_run or report.rejected or not records:
        return report
    report.added = stored.write_import(records, who)
    report.written = True
    return report


def _import_row(rec: dict, places, settlements, org_ids: set[str]) -> Action:
    formulas = rules.formula_cells(rec, skip=("row", "lon", "lat", "rrule", "contact_phone"))
    if formulas:
        raise RowProblem("cell starts like a spreadsheet formula: {fields}",
                         fields=", ".join(formulas))
    values = clean(_row_values(rec))
    ekatte = str(rec.get("ekatte") or "").strip()
    if ekatte:
        values["ekatte"] = ekatte.zfill(5)
    elif rec.get("settlement"):
        found = places.resolve(rec["settlement"], rec.get("municipality", ""),
                               rec.get("province", ""))
        if not found.ekatte:
            raise RowProblem("unknown settlement: {reason}", reason=found.reason)
        values["ekatte"] = found.ekatte
    return build(values, None, "published", "import", settlements,
                 known=lambda org_id: org_id in org_ids)
