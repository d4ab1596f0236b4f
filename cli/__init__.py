"""The `civicmap` command line: what users, tests and benchmarks call."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import store
from civic.errors import SourceError
from reports import export


def _ensure_built() -> None:
    if not store.is_built():
        raise SystemExit("civicmap: no data yet; run `civicmap build` first")


def cmd_build(args: argparse.Namespace) -> int:
    from sources.build import build, format_report

    try:
        report = build()
    except SourceError as exc:
        print(f"civicmap build: {exc}", file=sys.stderr)
        return 2
    print(format_report(report))
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from geo.stats import stats

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
    if args.format == "xlsx":
        if not args.out:
            raise SystemExit("civicmap export: --out FILE.xlsx is required for xlsx")
        Path(args.out).write_bytes(export.to_xlsx(orgs, source_list()))
    elif args.format == "csv":
        _write(export.to_csv(orgs), args.out)
    else:
        _write(export.to_geojson(orgs, source_list()), args.out)
    print(f"civicmap export: {len(orgs)} organisations; {export.LICENCE_NOTE}", file=sys.stderr)
    return 0


def make_geocoder():
    """The geocoder chain over the built tables, with the store's cache."""
    from geo.geocoder import from_tables

    return from_tables(store.load_settlements(), store.load_municipalities(),
                       store.load_provinces(), cache=store.GeocodeCache())


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


COVERAGE_COLUMNS = [
    "ekatte", "settlement", "municipality_code", "province_code", "population",
    "nearest_ngo_km", "nearest_chitalishte_km", "nearest_library_km", "nearest_any_km",
    "within_r_ngo", "within_r_chitalishte", "within_r_library",
    "in_settlement_ngo", "in_settlement_chitalishte", "in_settlement_library",
    "gap", "presence_index", "access_2sfca",
]


def _coverage_options(args: argparse.Namespace):
    from geo.coverage import KINDS, Options

    kinds = tuple(k.strip() for k in (args.kinds or ",".join(KINDS)).split(",") if k.strip())
    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        raise SystemExit(f"civicmap: unknown kind(s) {', '.join(unknown) or '(none)'}; "
                         f"use {','.join(KINDS)}")
    if not 0 < args.radius_km <= 200:
        raise SystemExit("civicmap: --radius-km must be above 0 and at most 200")
    return Options(radius_km=args.radius_km, kinds=kinds,
                   include_presumed_libraries=not args.no_presumed)


def _presumed_note(options) -> str:
    return ("libraries include presumed chitalishte libraries"
            if options.include_presumed_libraries else "libraries: known libraries only")


def _coverage_frames(args: argparse.Namespace, with_access: bool = True):
    """Nationwide coverage (borders do not stop people); the caller keeps the provinces
    asked for (`codes`, None for all)."""
    from geo.coverage import settlement_coverage

    _ensure_built()
    options = _coverage_options(args)
    codes = _province_list(args.province, set(store.load_provinces()["code"]))
    orgs = store.load_organisations()
    orgs = orgs[orgs["status"] == "active"]
    cov = settlement_coverage(store.load_settlements(), orgs, options, with_access)
    return cov, orgs, options, codes


def cmd_coverage(args: argparse.Namespace) -> int:
    cov, _, options, codes = _coverage_frames(args)
    if codes:
        cov = cov[cov["province_code"].isin(codes)]
    print(f"civicmap coverage: radius {options.radius_km} km, kinds "
          f"{','.join(options.kinds)}; {_presumed_note(options)}; straight-line distances",
          file=sys.stderr)
    table = cov[COVERAGE_COLUMNS]
    if args.format == "csv":
        _write(table.to_csv(index=False), args.out)
    else:
        _write(_coverage_geojson(table, options), args.out)
    return 0


def _coverage_geojson(table, options) -> str:
    points = store.load_settlements().set_index("ekatte").geometry
    located = table.assign(lon=table["ekatte"].map(lambda e: points[e].x),
                           lat=table["ekatte"].map(lambda e: points[e].y))
    meta = {"radius_km": options.radius_km, "kinds": list(options.kinds),
            "libraries_include_presumed": options.include_presumed_libraries,
            "distances": "straight-line, EPSG:7801"}
    return export.points_geojson(located, metadata=meta)


def cmd_municipalities(args: argparse.Namespace) -> int:
    from geo.coverage import municipality_coverage

    cov, orgs, options, codes = _coverage_frames(args, with_access=False)
    table = municipality_coverage(cov, orgs, store.load_municipalities(), options, codes)
    if codes:
        table = table[table["province_code"].isin(codes)]
    print(f"civicmap municipalities: radius {options.radius_km} km; {_presumed_note(options)}; "
          "rank 1 = smallest share of residents beyond R", file=sys.stderr)
    _write(table.to_csv(index=False), args.out)
    return 0


def cmd_hubs(args: argparse.Namespace) -> int:
    from geo.hubs import existing_hubs, new_hubs

    _ensure_built()
    codes = _province_list(args.province, set(store.load_provinces()["code"]))
    if not codes:
        raise SystemExit("civicmap hubs: name one or a few provinces with --province")
    if args.k < 1 or args.k > 50:
        raise SystemExit("civicmap hubs: --k must be between 1 and 50")
    orgs = store.load_organisations()
    orgs = orgs[(orgs["status"] == "active") & orgs["province_code"].isin(codes)]
    settlements = store.load_settlements()
    settlements = settlements[settlements["province_code"].isin(codes)]
    plans = {"existing": existing_hubs(settlements, orgs, args.radius_km, args.k),
             "new_sites": new_hubs(settlements, orgs, args.radius_km, args.k)}
    doc = {"provinces": codes, "k": args.k, "radius_km": args.radius_km,
           "libraries_include_presumed": True, "distances": "straight-line, EPSG:7801"}
    for name, plan in plans.items():
        sites = plan.sites.astype(object).where(plan.sites.notna(), None)
        doc[name] = {"sites": sites.to_dict("records"), "newly_covered": plan.newly_covered,
                     "population_without_ngo_within_r": plan.uncovered_before}
    text = json.dumps(doc, ensure_ascii=False, indent=2, default=float)
    _write(text, args.out)
    return 0


BULGARIA_BBOX = (22.3, 41.2, 28.7, 44.3)  # lon/lat with a margin


def _nearby_point(args: argparse.Namespace) -> tuple[float, float, str]:
    """(lon, lat, label) from --query through the geocoder, or from --lat/--lon."""
    if args.query:
        found = make_geocoder().geocode(args.query)
        if found["lon"] is None:
            raise SystemExit(f"civicmap nearby: cannot place '{args.query}'; try a settlement "
                             "name, 'с. Бенковски, общ. Кирково' or a postal code")
        return found["lon"], found["lat"], found["name"]
    if args.lat is None or args.lon is None:
        raise SystemExit("civicmap nearby: give --query TEXT or both --lat and --lon")
    west, south, east, north = BULGARIA_BBOX
    if not (west <= args.lon <= east and south <= args.lat <= north):
        hint = " (latitude and longitude swapped?)" if west <= args.lat <= east else ""
        raise SystemExit(f"civicmap nearby: {args.lat}, {args.lon} is outside Bulgaria{hint}")
    return args.lon, args.lat, f"{args.lat:.5f}, {args.lon:.5f}"


def nearby_entry(rec: dict) -> dict:
    """One result as the CLI and the page describe it (public contacts only)."""
    def clean(v):
        return None if v is None or (isinstance(v, float) and v != v) else v

    return {
        "id": rec["id"], "name": rec["name"], "kind": rec["kind"],
        "fields": [f for f in (clean(rec.get("fields")) or "").split(";") if f],
        "distance_km": rec["distance_km"], "lon": rec["lon"], "lat": rec["lat"],
        "address": clean(rec.get("address")),
        "contacts": {"phone": clean(rec.get("phone")), "email": clean(rec.get("email")),
                     "website": clean(rec.get("website"))},
    }


def cmd_nearby(args: argparse.Namespace) -> int:
    from civic.vocabularies import FIELDS, KINDS
    from geo.nearby import nearby, select

    _ensure_built()
    if args.kind and args.kind not in KINDS:
        raise SystemExit(f"civicmap nearby: unknown kind '{args.kind}'; use {', '.join(KINDS)}")
    if args.field and args.field not in FIELDS:
        raise SystemExit(f"civicmap nearby: unknown field '{args.field}'")
    if not 0 < args.radius_km <= 200:
        raise SystemExit("civicmap nearby: --radius-km must be above 0 and at most 200")
    lon, lat, label = _nearby_point(args)
    found = nearby(select(store.load_organisations(), args.kind, args.field), lon, lat,
                   args.radius_km, args.limit, store.ids_within(lon, lat, args.radius_km))
    if found.within.empty:
        closest = ", ".join(f"{r.name} ({r.distance_km} km)"
                            for r in found.nearest_beyond.itertuples())
        print(f"civicmap nearby: nothing within {args.radius_km} km of {label}; nearest: "
              f"{closest or 'none'}", file=sys.stderr)
    entries = [nearby_entry(r) for r in found.within.to_dict("records")]
    _write(json.dumps(entries, ensure_ascii=False, indent=1), args.out)
    return 0


def source_list() -> list[dict]:
    """The sources as the report lists them: what, where from, licence."""
    from sources.manifest import manifest

    return [{"description": s.description, "upstream": s.upstream, "licence": s.licence}
            for s in manifest().values()]


def cmd_report(args: argparse.Namespace) -> int:
    from reports.compass import compass_data, render_html

    _ensure_built()
    codes = _province_list(args.province, set(store.load_provinces()["code"]))
    if not codes or len(codes) > 6:  # issue 14: several provinces side by side
        raise SystemExit("civicmap report: name one to six provinces, e.g. --province KRZ,RAZ")
    out = Path(args.out)
    if out.suffix.lower() not in (".pdf", ".html"):
        raise SystemExit("civicmap report: --out must end in .pdf or .html")
    data = compass_data(codes, args.lang, store.load_settlements(),
                        store.load_municipalities(), store.load_provinces(),
                        store.load_organisations(), args.radius_km)
    from reports.compass import source_rows

    html = render_html(data, source_rows())
    if out.suffix.lower() == ".html":
        out.write_text(html, encoding="utf-8")
    else:
        from reports.pdf import html_to_pdf

        out.write_bytes(html_to_pdf(html))
    print(f"civicmap report: wrote {out}", file=sys.stderr)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from intake.importer import ImportFileError, run_import

    _ensure_built()
    path = Path(args.file)
    if not path.is_file():
        print(f"civicmap import: no such file {path}", file=sys.stderr)
        return 2
    try:
        report = run_import(path, args.kind, args.format, args.dry_run, args.accept_valid)
    except ImportFileError as exc:
        print(f"civicmap import: {path.name}: {exc}; nothing was written", file=sys.stderr)
        return 2
    for rej in report.rejected:
        print(f"row {rej['row']}: {rej['name'] or '(no name)'} — {rej['reason']}")
    for skip in report.skipped:
        print(f"skipped deed {skip['row']}: {skip['name']} — {skip['reason']}")
    if report.written:
        outcome = f"added {report.added}, updated {report.updated}"
    elif report.dry_run:
        outcome = "dry run: nothing written"
    elif report.rejected:
        outcome = "nothing written (rejected rows; --accept-valid stores the valid ones)"
    else:
        outcome = "nothing to write"
    print(f"civicmap import: {report.file} ({report.format}, {report.kind}): read "
          f"{report.read}, valid {report.valid}, rejected {len(report.rejected)}; {outcome}",
          file=sys.stderr)
    return 1 if report.rejected and not args.accept_valid else 0


def cmd_hash_password(args: argparse.Namespace) -> int:
    """Print a moderator password hash for CIVICMAP_MODERATORS or Streamlit secrets."""
    import getpass

    from intake.moderation import hash_password

    password = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else \
        getpass.getpass("password: ")
    if len(password) < 10:
        raise SystemExit("civicmap hash-password: use at least 10 characters")
    print(hash_password(password))
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

    def coverage_args(sp, formats: tuple[str, ...]) -> None:
        sp.add_argument("--province", default="KRZ,RAZ,VRC",
                        help="province code(s), comma-separated, or ALL")
        sp.add_argument("--radius-km", type=float, default=10.0)
        sp.add_argument("--kinds", help="ngo,chitalishte,library (default: all three)")
        sp.add_argument("--no-presumed", action="store_true",
                        help="count only libraries known by name")
        sp.add_argument("--format", choices=formats, default=formats[0])
        sp.add_argument("--out", help="file to write (default: standard output)")

    c = sub.add_parser("coverage", help="coverage per settlement")
    coverage_args(c, ("csv", "geojson"))
    c.set_defaults(func=cmd_coverage)
    mu = sub.add_parser("municipalities", help="coverage per municipality")
    coverage_args(mu, ("csv",))
    mu.set_defaults(func=cmd_municipalities)
    h = sub.add_parser("hubs", help="where NGO hubs would reach the most people")
    h.add_argument("--province", required=True)
    h.add_argument("--k", type=int, default=3)
    h.add_argument("--radius-km", type=float, default=10.0)
    h.add_argument("--format", choices=["json"], default="json")
    h.add_argument("--out")
    h.set_defaults(func=cmd_hubs)

    n = sub.add_parser("nearby", help="organisations around a place or a point")
    n.add_argument("--query", help="an address or place name")
    n.add_argument("--lat", type=float)
    n.add_argument("--lon", type=float)
    n.add_argument("--radius-km", type=float, default=10.0)
    n.add_argument("--kind")
    n.add_argument("--field")
    n.add_argument("--limit", type=int)
    n.add_argument("--format", choices=["json"], default="json")
    n.add_argument("--out")
    n.set_defaults(func=cmd_nearby)

    r = sub.add_parser("report", help="the Compass of the civil sector for one province")
    r.add_argument("--province", required=True)
    r.add_argument("--lang", choices=["bg", "en", "tr"], default="bg")
    r.add_argument("--radius-km", type=float, default=10.0)
    r.add_argument("--out", required=True, help="FILE.pdf or FILE.html")
    r.set_defaults(func=cmd_report)

    from cli import gaps as gaps_cmd  # issue 14: one module per command
    gp = sub.add_parser("gaps", help="per-kind coverage gaps per province or municipality")
    gaps_cmd.add_args(gp)
    gp.set_defaults(func=gaps_cmd.run)

    im = sub.add_parser("import", help="import organisations from a file")
    im.add_argument("file")
    im.add_argument("--kind", required=True, choices=["ngo", "chitalishte", "library"])
    im.add_argument("--format", choices=["csv", "xlsx", "brra-xml"])
    im.add_argument("--dry-run", action="store_true", help="validate only; never write")
    im.add_argument("--accept-valid", action="store_true",
                    help="store the valid rows even when others are rejected")
    im.set_defaults(func=cmd_import)

    hp = sub.add_parser("hash-password", help="hash a moderator password (read from stdin)")
    hp.set_defaults(func=cmd_hash_password)

    e = sub.add_parser("export", help="export a dataset")
    e.add_argument("dataset", choices=["organisations"])
    e.add_argument("--format", choices=["csv", "geojson", "xlsx"], default="csv")
    e.add_argument("--province", help="province code(s), comma-separated, or ALL")
    e.add_argument("--out", help="file to write (default: standard output)")
    e.set_defaults(func=cmd_export)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
