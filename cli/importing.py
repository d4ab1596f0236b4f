"""`civicmap import`: organisations from a CSV/XLSX file or the Registry Agency XML.

With `--profiles`: library and chitalishte profiles (what they offer) or NGOs' hubs and
needs, by organisation id (`docs/library_template.csv`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from civic.errors import CivicError, ImportFileError, UsageError
from civic.vocabularies import KINDS
from cli.common import ensure_built

HELP = "import organisations from a file"


def add_args(parser: argparse.ArgumentParser) -> None:
    """File, kind, format, dry run and what to do with rejected rows."""
    parser.add_argument("file")
    parser.add_argument("--kind", required=True, choices=list(KINDS))
    parser.add_argument("--format", choices=["csv", "xlsx", "brra-xml"])
    parser.add_argument("--dry-run", action="store_true", help="validate only; never write")
    parser.add_argument("--accept-valid", action="store_true",
                        help="store the valid rows even when others are rejected")
    parser.add_argument("--profiles", action="store_true",
                        help="profiles by organisation id (a library's offer; an NGO's hub "
                             "and needs) instead of organisations")


def _outcome(report) -> str:
    if report.written:
        return f"added {report.added}, updated {report.updated}"
    if report.dry_run:
        return "dry run: nothing written"
    if report.rejected:
        return "nothing written (rejected rows; --accept-valid stores the valid ones)"
    return "nothing to write"


def run(args: argparse.Namespace) -> int:
    """Import; rejected rows on stdout, the summary on stderr; 1 when rows were rejected."""
    from intake.importer import run_import

    ensure_built()
    path = Path(args.file)
    if not path.is_file():
        raise UsageError("no such file {path}", path=path)
    if args.profiles:
        return _run_profiles(path, args)
    try:
        report = run_import(path, args.kind, args.format, args.dry_run, args.accept_valid)
    except CivicError as exc:  # the file, or the store (read-only, missing)
        raise ImportFileError("{file}: {problem}; nothing was written", file=path.name,
                              problem=exc) from exc
    for rej in report.rejected:
        print(f"row {rej['row']}: {rej['name'] or '(no name)'} — {rej['reason']}")
    for skip in report.skipped:
        print(f"skipped deed {skip['row']}: {skip['name']} — {skip['reason']}")
    print(f"civicmap import: {report.file} ({report.format}, {report.kind}): read "
          f"{report.read}, valid {report.valid}, rejected {len(report.rejected)}; "
          f"{_outcome(report)}", file=sys.stderr)
    return 1 if report.rejected and not args.accept_valid else 0


def _run_profiles(path: Path, args: argparse.Namespace) -> int:
    """`--profiles`: rejected rows on stdout, the summary on stderr; 1 when rows were rejected."""
    from intake.profiles import import_profiles

    if args.format == "brra-xml":
        raise UsageError("--profiles reads CSV or XLSX, not {fmt}", fmt=args.format)
    try:
        report = import_profiles(path, args.kind, args.format, args.dry_run,
                                 args.accept_valid)
    except CivicError as exc:
        raise ImportFileError("{file}: {problem}; nothing was written", file=path.name,
                              problem=exc) from exc
    for rej in report.rejected:
        print(f"row {rej['row']}: {rej['id'] or '(no id)'} — {rej['reason']}")
    if report.written:
        outcome = f"profiles updated {report.updated}"
    else:
        outcome = _outcome(report)
    print(f"civicmap import: {report.file} ({report.format}, {report.kind} profiles): read "
          f"{report.read}, valid {report.valid}, rejected {len(report.rejected)}; {outcome}",
          file=sys.stderr)
    return 1 if report.rejected and not args.accept_valid else 0
