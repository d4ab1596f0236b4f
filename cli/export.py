"""`civicmap export organisations | actions`: CSV, GeoJSON or XLSX with the sources and licence."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import store
from civic.errors import UsageError
from cli.common import ensure_built, province_list, write
from reports import export
from sources.manifest import source_list

HELP = "export a dataset"


def add_args(parser: argparse.ArgumentParser) -> None:
    """Dataset, format, provinces and output file."""
    parser.add_argument("dataset", choices=["organisations", "actions"])
    parser.add_argument("--format", choices=["csv", "geojson", "xlsx"], default="csv")
    parser.add_argument("--province", help="province code(s), comma-separated, or ALL")
    parser.add_argument("--out", help="file to write (default: standard output)")


def run(args: argparse.Namespace) -> int:
    """Write the export; a count and the licence note go to standard error."""
    ensure_built()
    if args.format == "xlsx" and not args.out:
        raise UsageError("--out FILE.xlsx is required for xlsx")
    if args.dataset == "actions":
        return run_actions(args)
    orgs = store.load_organisations()
    codes = province_list(args.province)
    if codes:
        orgs = orgs[orgs["province_code"].isin(codes)]
    if args.format == "xlsx":
        Path(args.out).write_bytes(export.to_xlsx(orgs, source_list()))
    elif args.format == "csv":
        write(export.to_csv(orgs), args.out)
    else:
        write(export.to_geojson(orgs, source_list()), args.out)
    print(f"civicmap export: {len(orgs)} organisations; {export.LICENCE_NOTE}", file=sys.stderr)
    return 0


def run_actions(args: argparse.Namespace) -> int:
    """The published, past and cancelled actions (never proposed ones) of the provinces."""
    from store.actions import load_actions

    rows = load_actions()
    codes = province_list(args.province)
    if codes:
        rows = rows[rows["province_code"].isin(codes)]
    orgs = store.load_organisations()
    orgs_by_id = dict(zip(orgs["id"], orgs["name"]))
    if args.format == "xlsx":
        Path(args.out).write_bytes(export.actions_xlsx(rows, orgs_by_id, source_list()))
    elif args.format == "csv":
        write(export.actions_csv(rows, orgs_by_id), args.out)
    else:
        write(export.actions_geojson(rows, orgs_by_id, source_list()), args.out)
    count = int(rows["status"].isin(("published", "cancelled")).sum())
    print(f"civicmap export: {count} published or cancelled actions (none proposed); "
          f"{export.ACTIONS_NOTE}", file=sys.stderr)
    return 0
