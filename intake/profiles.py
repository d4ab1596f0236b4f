"""Profiles coming in: a librarian's or an NGO's proposal, its moderation, bulk imports.

The rules are `civic.profile.check_profile`'s, with the hubs (active libraries and
chitalishta) taken from the store. A proposal waits in the one proposals table (action
"profile", target the organisation) and a moderator's approval merges it into the profile in
the transaction that marks it approved (`intake.moderation` routes it here). An import is
all or nothing unless `accept_valid`: any rejected row and nothing is written.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from civic.errors import CivicError, ImportFileError, ProfileError, ProposalError
from civic.profile import HUB_KINDS, check_profile
from civic.vocabularies import KINDS, NGO_PROFILE_FIELDS, PROFILE_FIELDS
from intake.importer import ImportReport
from intake.rules import RowProblem
from store import changes
from store import profiles as stored

PROPOSAL_ACTION = "profile"
IMPORT_WHO = "import"


def _organisation(org_id: str | None) -> dict:
    found = changes.organisation(org_id) if org_id else None
    if found is None:
        raise ProfileError("the organisation was not found")
    return found


def _changed(org_id: str, values: dict) -> dict:
    """Only the values that differ from the stored profile (needs compared as lists)."""
    current = stored.profile(org_id) or {}
    return {k: v for k, v in values.items() if current.get(k) != v}


def submit_profile(org_id: str, values: dict) -> int:
    """A profile (a library's offer, an NGO's hub and needs) waits for a moderator.

    Checked now, nothing stored but the pending proposal; returns its number. Raises
    ProfileError for an unknown organisation, a bad value or nothing new.
    """
    org = _organisation(org_id)
    clean = check_profile(values, org["kind"], stored.hub_kinds())
    clean = _changed(org_id, clean)
    if not clean:
        raise ProfileError("nothing to change")
    return changes.add_proposal(PROPOSAL_ACTION, org_id, clean)


def approve(prop: dict, moderator: str, edits: dict | None = None) -> str:
    """Re-check a profile proposal (with a moderator's edits) and merge it; the org's id.

    The profile and the proposal's approval are one transaction: on any error nothing is
    written.
    """
    org = _organisation(prop["target_id"])
    values = check_profile({**prop["values"], **(edits or {})}, org["kind"],
                           stored.hub_kinds())
    if not stored.apply_proposal(prop["id"], moderator, org["id"], values):
        raise ProposalError("proposal {n} was decided meanwhile", n=prop["id"])
    return org["id"]


# -- file imports ---------------------------------------------------------------------------

def _same_group(kind: str, found: str) -> bool:
    """A library import takes libraries and chitalishta (both keep one); an NGO one NGOs."""
    return found == kind or (kind in HUB_KINDS and found in HUB_KINDS)


def _row(rec: dict, kind: str, kinds: dict[str, str], hubs: dict[str, str],
         seen: dict[str, int]) -> tuple[str, dict]:
    org_id = rec.get("id", "")
    if org_id not in kinds:
        raise RowProblem("the organisation was not found")
    if not _same_group(kind, kinds[org_id]):
        raise RowProblem("the organisation is not of the kind being imported ({kind})",
                         kind=kind)
    if org_id in seen:
        raise RowProblem("the same organisation as row {row}", row=seen[org_id])
    seen[org_id] = rec["row"]
    values = {k: rec[k] for k in (*PROFILE_FIELDS, *NGO_PROFILE_FIELDS) if k in rec}
    return org_id, check_profile(values, kinds[org_id], hubs)  # other kind's cells refused


def read_profile_rows(path: Path, fmt: str | None = None) -> tuple[str, pd.DataFrame]:
    """(format, rows as stripped strings with their spreadsheet line in `row`).

    The organisation import's readers and file limits (`intake.importer`), but not its cell
    clean-up: there "не" and "-" mean an empty cell and a list dash is dropped, which would
    turn a "no" into unknown and seats "-3" into 3.
    """
    from intake import importer

    size = path.stat().st_size
    if size > importer.MAX_BYTES:
        raise ImportFileError("the file is {mb} MB; the limit is {limit} MB",
                              mb=f"{size / 1e6:.1f}", limit=f"{importer.MAX_BYTES / 1e6:.0f}")
    data = path.read_bytes()
    if not data.strip():
        raise ImportFileError("the file is empty")
    fmt = fmt or ("xlsx" if path.suffix.lower() == ".xlsx" else "csv")
    if fmt not in ("csv", "xlsx"):
        raise ImportFileError("unknown format '{fmt}'; use {formats}", fmt=fmt[:20],
                              formats="csv, xlsx")
    df = importer._read_csv(data) if fmt == "csv" else importer._read_xlsx(data)
    df.columns = [str(c).strip().lower() for c in df.columns]
    if "id" not in df.columns:
        raise ImportFileError("missing columns: {column} (see the template in docs/)",
                              column="id")
    if df.empty:
        raise ImportFileError("the file has a header but no rows")
    df = df.fillna("").astype(str).apply(lambda c: c.str.strip())
    df.insert(0, "row", range(2, len(df) + 2))  # spreadsheet line numbers, header is 1
    return fmt, df


def import_profiles(path: Path, kind: str, fmt: str | None = None, dry_run: bool = False,
                    accept_valid: bool = False, who: str = IMPORT_WHO) -> ImportReport:
    """Read, check and (unless told otherwise) merge a profiles file (CSV or XLSX).

    Columns: `id` (the organisation) and any profile fields of the kind
    (`docs/library_template.csv`). Raises ImportFileError for an unusable file; row
    problems go into the report.
    """
    if kind not in KINDS:
        raise ImportFileError("unknown kind '{kind}'; use {kinds}", kind=kind[:20],
                              kinds=", ".join(KINDS))
    fmt, df = read_profile_rows(path, fmt)
    fields = NGO_PROFILE_FIELDS if kind == "ngo" else PROFILE_FIELDS
    if not set(fields) & set(df.columns):
        raise ImportFileError("the file lacks the column(s) {columns}",
                              columns=", ".join(fields))
    report = ImportReport(file=path.name, format=fmt, kind=kind, read=len(df),
                                 dry_run=dry_run)
    kinds = {r[0]: r[4] for r in changes.match_keys()}
    hubs = stored.hub_kinds()
    rows: dict[str, dict] = {}
    seen: dict[str, int] = {}
    for rec in df.to_dict("records"):
        try:
            org_id, values = _row(rec, kind, kinds, hubs, seen)
            rows[org_id] = values
        except CivicError as problem:
            report.rejected.append({"row": rec["row"], "id": str(rec.get("id", ""))[:64],
                                    "reason": problem.text("en"), "problem": problem})
    if dry_run or (report.rejected and not accept_valid) or not rows:
        return report
    report.updated = stored.write_import(rows, who)
    report.written = True
    return report
