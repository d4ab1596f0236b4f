"""`civicmap geocode`: addresses and place names to settlements and points (JSON Lines)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from civic.errors import UsageError
from cli.common import ensure_built, make_geocoder

HELP = "place addresses and place names (JSON Lines)"


def add_args(parser: argparse.ArgumentParser) -> None:
    """Queries on the command line or one per line in a file."""
    parser.add_argument("query", nargs="*", help="addresses or place names")
    parser.add_argument("--from-file", help="a UTF-8 file with one query per line")


def _queries(args: argparse.Namespace) -> list[str]:
    if not args.from_file:
        return list(args.query)
    try:
        text = Path(args.from_file).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError("cannot read {file}: {problem}", file=args.from_file,
                         problem=exc) from exc
    return [line.strip() for line in text.splitlines() if line.strip()]


def run(args: argparse.Namespace) -> int:
    """One JSON line per query."""
    ensure_built()
    queries = _queries(args)
    if not queries:
        raise UsageError("give QUERY... or --from-file FILE")
    geocoder = make_geocoder()
    for query in queries:
        print(json.dumps(geocoder.geocode(query), ensure_ascii=False))
    return 0
