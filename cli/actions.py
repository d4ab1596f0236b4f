"""`civicmap actions import | list | ical`: civic actions from a file, as a list, as a calendar.

`import FILE [--dry-run]` checks every row (all or nothing: one bad row and nothing is
written), prints each bad row as `line N: reason` and exits 2 when any is bad. `list` prints
the upcoming published actions (`--all`: past and cancelled too; never proposed ones),
soonest first. `ical` writes an iCalendar file of the published and cancelled actions.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

import store
from civic.action import TIME_FORMAT, next_occurrence, now_local
from civic.errors import CivicError, ImportFileError, UsageError
from civic.i18n import LANGUAGES
from civic.vocabularies import CAUSES
from cli.common import ensure_built, write
from store.actions import load_actions

HELP = "civic actions: import a file, list them, write a calendar"


def _filter_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--province", help="one province code, e.g. KRZ")
    parser.add_argument("--municipality", help="one municipality code, e.g. KRZ16")
    parser.add_argument("--cause", help="one cause code, e.g. environment")


def add_args(parser: argparse.ArgumentParser) -> None:
    """The three sub-commands and their options."""
    sub = parser.add_subparsers(dest="actions_command", required=True)
    imp = sub.add_parser("import", help="import actions from a CSV/XLSX file (all or nothing)")
    imp.add_argument("file")
    imp.add_argument("--dry-run", action="store_true", help="check only; never write")
    imp.set_defaults(actions_run=run_import)
    lst = sub.add_parser("list", help="upcoming published actions, soonest first")
    _filter_args(lst)
    lst.add_argument("--all", action="store_true", help="past and cancelled actions too")
    lst.add_argument("--json", action="store_true", help="print one JSON list")
    lst.set_defaults(actions_run=run_list)
    cal = sub.add_parser("ical", help="an iCalendar file of published and cancelled actions")
    _filter_args(cal)
    cal.add_argument("--organisation", help="an organisation id: actions it hosts or joins")
    cal.add_argument("--base-url", default="", help="the app's address, for the join links")
    cal.add_argument("--lang", choices=list(LANGUAGES), default="bg")
    cal.add_argument("--out", help="file to write (default: standard output)")
    cal.set_defaults(actions_run=run_ical)


def run(args: argparse.Namespace) -> int:
    """Run the chosen sub-command."""
    ensure_built()
    return args.actions_run(args)


# -- import ---------------------------------------------------------------------------------

def run_import(args: argparse.Namespace) -> int:
    """Bad rows on stdout as `line N: reason`, the summary on stderr; 2 when any is bad."""
    from intake.actions import import_file

    path = Path(args.file)
    if not path.is_file():
        raise UsageError("no such file {path}", path=path)
    try:
        report = import_file(path, dry_run=args.dry_run, who="cli")
    except ImportFileError:
        raise
    except CivicError as exc:  # the store (read-only, missing) rather than the file
        raise ImportFileError("{file}: {problem}; nothing was written", file=path.name,
                              problem=exc) from exc
    for rejected in report.rejected:
        print(f"line {rejected['row']}: {rejected['reason']}")
    if report.written:
        outcome = f"stored {report.added}"
    elif report.rejected:
        outcome = "nothing written (all rows or none: fix the lines above)"
    else:
        outcome = "dry run: nothing written" if args.dry_run else "nothing to write"
    print(f"civicmap actions import: {report.file}: read {report.read}, bad "
          f"{len(report.rejected)}; {outcome}", file=sys.stderr)
    return 2 if report.rejected else 0


# -- list and ical --------------------------------------------------------------------------

def check_filters(args: argparse.Namespace) -> dict:
    """The filters as `reports.ical.select` arguments; UsageError for an unknown code."""
    out = {}
    if args.province:
        code = args.province.strip().upper()
        if code not in set(store.load_provinces()["code"]):
            raise UsageError("unknown province code {code}; use a code such as KRZ", code=code)
        out["province"] = code
    if args.municipality:
        code = args.municipality.strip().upper()
        if code not in set(store.load_municipalities()["code"]):
            raise UsageError("unknown municipality code {code}; use a code such as KRZ16",
                             code=code)
        out["municipality"] = code
    if args.cause:
        if args.cause not in CAUSES:
            raise UsageError("unknown cause {cause}; use one of {causes}", cause=args.cause,
                             causes=", ".join(CAUSES))
        out["cause"] = args.cause
    if getattr(args, "organisation", None):
        if args.organisation not in set(store.load_organisations()["id"]):
            raise UsageError("unknown organisation id {id}; `civicmap export organisations` "
                             "lists them", id=args.organisation)
        out["host"] = args.organisation
    return out


def _orgs_by_id() -> dict[str, str]:
    orgs = store.load_organisations()
    return dict(zip(orgs["id"], orgs["name"]))


def _json_value(value):
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value.item() if hasattr(value, "item") else value


def listed(rows: pd.DataFrame, orgs_by_id: dict[str, str], every: bool,
           now=None) -> list[dict]:
    """Public rows with `next_start`/`next_end` (local time), soonest first.

    Without `every`: published actions with an occurrence still to come; with it: past and
    cancelled ones too (their next_start is null), after the upcoming ones.
    """
    from reports.export import actions_public_table

    now = now or now_local()
    table = actions_public_table(rows, orgs_by_id, now)
    out = []
    for rec in table.to_dict("records"):
        found = next_occurrence(rec, now) if rec["status"] == "published" else None
        if found is None and not every:
            continue
        rec = {k: _json_value(v) for k, v in rec.items()}
        rec["next_start"] = found[0].strftime(TIME_FORMAT) if found else None
        rec["next_end"] = found[1].strftime(TIME_FORMAT) if found else None
        out.append(rec)
    out.sort(key=lambda r: (r["next_start"] is None, r["next_start"] or r["start"], r["id"]))
    return out


def run_list(args: argparse.Namespace) -> int:
    """Print the actions as JSON (`--json`) or a short table."""
    from reports.ical import select

    stored = load_actions()
    found = listed(select(stored, **check_filters(args)), _orgs_by_id(), args.all)
    if args.json:
        print(json.dumps(found, ensure_ascii=False, default=str))
        return 0
    for rec in found:
        when = (rec["next_start"] or rec["start"]).replace("T", " ")
        place = rec["settlement"] or ("online" if rec["online"] else "")
        print(f"{when}  {rec['status']:<9}  {place[:20]:<20}  {rec['title'][:60]}")
    if not (stored["status"] != "proposed").any():
        print("civicmap actions list: no published actions yet", file=sys.stderr)
    else:
        print(f"civicmap actions list: {len(found)} published action(s) match; only what "
              "hosts published here, not all that happens", file=sys.stderr)
    return 0


def run_ical(args: argparse.Namespace) -> int:
    """Write the calendar; the count goes to standard error."""
    from reports.ical import calendar, select

    filters = check_filters(args)
    rows = select(load_actions(), **filters)
    rows = rows[rows["status"].isin(("published", "cancelled"))]
    name = "civicmap" + "".join(f" {v}" for v in filters.values())
    data = calendar(rows, _orgs_by_id(), name, args.base_url, lang=args.lang)
    if args.out:
        Path(args.out).write_bytes(data)
    else:
        write(data.decode("utf-8"), None)
    print(f"civicmap actions ical: {len(rows)} action(s)", file=sys.stderr)
    return 0
