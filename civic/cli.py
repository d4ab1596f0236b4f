"""The `civicmap` command line: what users, tests and benchmarks call."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from civic import export, store
from civic.sources import SourceError


def _ensure_built() -> None:
    if not store.is_built():
        raise SystemExit("civicmap: no data yet; run `civicmap build` first")


def cmd_build(args: argparse.Namespace) -> int:
    from civic.build import build, format_report

    try:
        report = build()
    except SourceError as exc:
        print(f"civicmap build: {exc}", file=sys.stderr)
        return 2
    print(format_report(report))
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from civic.stats import stats

    _ensure_built()
    provinces = sorted(store.load_provinces()["code"])
    doc = stats(store.load_organisations(), store.load_settlements(), provinces)
    if args.json:
        print(json.dumps(doc, ensure_ascii=False))
    else:
        for key, value in doc.items():
            print(key, json.dumps(value, ensure_ascii=False))
    return 0


def _write(text: str, out: str | None) -> None:
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _province_list(value: str | None, known: set[str]) -> list[str] | None:
    if not value or value.upper() == "ALL":
        return None
    codes = [c.strip().upper() for c in value.split(",") if c.strip()]
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise SystemExit(
            f"civicmap: unknown province code(s) {', '.join(unknown)}; "
            f"use codes such as KRZ, RAZ, VRC or ALL"
        )
    return codes


def cmd_export(args: argparse.Namespace) -> int:
    _ensure_built()
    orgs = store.load_organisations()
    codes = _province_list(args.province, set(store.load_provinces()["code"]))
    if codes:
        orgs = orgs[orgs["province_code"].isin(codes)]
    text = export.to_csv(orgs) if args.format == "csv" else export.to_geojson(orgs)
    _write(text, args.out)
    return 0


def make_geocoder():
    """The geocoder chain over the built gazetteer, with the store cache and, when
    configured, Nominatim."""
    from geo.gazetteer import Gazetteer
    from geo.geocoder import Geocoder, NominatimConfig, StreetLookup

    settlements = store.load_settlements()
    gazetteer = Gazetteer(settlements, store.load_municipalities(), store.load_provinces())
    config = NominatimConfig.from_env()
    street = StreetLookup(config) if config else None
    grounds = dict(zip(settlements["ekatte"], settlements["ground"])) if street else None
    return Geocoder(gazetteer, grounds=grounds, cache=store.GeocodeCache(), street=street)


def cmd_geocode(args: argparse.Namespace) -> int:
    _ensure_built()
    if args.from_file:
        try:
            text = Path(args.from_file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"civicmap geocode: cannot read {args.from_file}: {exc}", file=sys.stderr)
            return 2
        queries = [line.strip() for line in text.splitlines() if line.strip()]
    else:
        queries = args.query
    if not queries:
        print("civicmap geocode: give QUERY... or --from-file FILE", file=sys.stderr)
        return 2
    geocoder = make_geocoder()
    for query in queries:
        print(json.dumps(geocoder.geocode(query), ensure_ascii=False))
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="civicmap", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    sub.add_parser("build", help="build the data from the sources").set_defaults(func=cmd_build)

    s = sub.add_parser("stats", help="counts per province")
    s.add_argument("--json", action="store_true", help="print one JSON document")
    s.set_defaults(func=cmd_stats)

    g = sub.add_parser("geocode", help="place addresses and place names (JSON Lines)")
    g.add_argument("query", nargs="*", help="addresses or place names")
    g.add_argument("--from-file", help="a UTF-8 file with one query per line")
    g.set_defaults(func=cmd_geocode)

    e = sub.add_parser("export", help="export a dataset")
    e.add_argument("dataset", choices=["organisations"])
    e.add_argument("--format", choices=["csv", "geojson"], default="csv")
    e.add_argument("--province", help="province code(s), comma-separated, or ALL")
    e.add_argument("--out", help="file to write (default: standard output)")
    e.set_defaults(func=cmd_export)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
