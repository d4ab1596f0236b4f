"""`civicmap import`: organisations from a CSV/XLSX file or the Registry Agency XML."""

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
