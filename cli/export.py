"""`civicmap export organisations`: CSV, GeoJSON or XLSX with the sources and licence."""

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
    parser.add_argument("dataset", choices=["organisations"])
    parser.add_argument("--format", choices=["csv", "geojson", "xlsx"], default="csv")
    parser.add_argument("--province", help="province code(s), comma-separated, or ALL")
    parser.add_argument("--out", help="file to write (default: standard output)")


def run(args: argparse.Namespace) -> int:
    """Write the export; a count and the licence note go to standard error."""
    ensure_built()
    orgs = store.load_organisations()
    codes = province_list(args.province)
    if codes:
        orgs = orgs[orgs["province_code"].isin(codes)]
    if args.format == "xlsx":
        if not args.out:
            raise UsageError("--out FILE.xlsx is required for xlsx")
        Path(args.out).write_bytes(export.to_xlsx(orgs, source_list()))
    elif args.format == "csv":
        write(export.to_csv(orgs), args.out)
    else:
        write(export.to_geojson(orgs, source_list()), args.out)
    print(f"civicmap export: {len(orgs)} organisations; {export.LICENCE_NOTE}", file=sys.stderr)
    return 0
