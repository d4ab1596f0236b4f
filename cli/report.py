"""`civicmap report`: the Compass of the civil sector as PDF or HTML."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import store
from civic.errors import UsageError
from civic.facts import DEFAULT_RADIUS_KM
from cli.common import ensure_built, province_list

HELP = "the Compass of the civil sector for one to six provinces"


def add_args(parser: argparse.ArgumentParser) -> None:
    """Province, language, radius and output file."""
    parser.add_argument("--province", required=True)
    parser.add_argument("--lang", choices=["bg", "en", "tr"], default="bg")
    parser.add_argument("--radius-km", type=float, default=DEFAULT_RADIUS_KM)
    parser.add_argument("--out", required=True, help="FILE.pdf or FILE.html")


def run(args: argparse.Namespace) -> int:
    """Render the report and write it."""
    from reports.compass import compass_data, render_html, source_rows
    from store.actions import load_actions
    from store.profiles import VALUE_COLUMNS, load_profiles

    ensure_built()
    codes = province_list(args.province)
    if not codes or len(codes) > 6:
        raise UsageError("name one to six provinces, e.g. --province KRZ,RAZ")
    out = Path(args.out)
    if out.suffix.lower() not in (".pdf", ".html"):
        raise UsageError("--out must end in .pdf or .html")
    orgs = store.load_organisations().join(load_profiles()[list(VALUE_COLUMNS)], on="id")
    data = compass_data(codes, args.lang, store.load_settlements(),
                        store.load_municipalities(), store.load_provinces(), orgs,
                        args.radius_km, load_actions())
    html = render_html(data, source_rows())
    if out.suffix.lower() == ".html":
        out.write_text(html, encoding="utf-8")
    else:
        from reports.pdf import html_to_pdf

        out.write_bytes(html_to_pdf(html))
    print(f"civicmap report: wrote {out}", file=sys.stderr)
    return 0
