"""`civicmap stats`: counts of organisations, settlements and population per province."""

from __future__ import annotations

import argparse
import json

import store
from cli.common import ensure_built

HELP = "counts per province"


def add_args(parser: argparse.ArgumentParser) -> None:
    """`--json` for one document."""
    parser.add_argument("--json", action="store_true", help="print one JSON document")


def run(args: argparse.Namespace) -> int:
    """Print the counts."""
    from geo.stats import stats

    ensure_built()
    provinces = sorted(store.load_provinces()["code"])
    doc = stats(store.load_organisations(), store.load_settlements(), provinces)
    if args.json:
        print(json.dumps(doc, ensure_ascii=False))
    else:
        for key, value in doc.items():
            print(key, json.dumps(value, ensure_ascii=False))
    return 0
