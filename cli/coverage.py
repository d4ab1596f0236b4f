"""`civicmap coverage`, `municipalities` and `hubs`: who is far from organisations."""

from __future__ import annotations

import argparse
import json
import sys

import store
from civic.errors import UsageError
from civic.facts import DEFAULT_PROVINCES, DEFAULT_RADIUS_KM
from cli.common import check_radius, ensure_built, province_list, write
from reports import export

COVERAGE_COLUMNS = [
    "ekatte", "settlement", "municipality_code", "province_code", "population",
    "nearest_ngo_km", "nearest_chitalishte_km", "nearest_library_km", "nearest_any_km",
    "within_r_ngo", "within_r_chitalishte", "within_r_library",
    "in_settlement_ngo", "in_settlement_chitalishte", "in_settlement_library",
    "gap", "presence_index", "access_2sfca",
]


def add_coverage_args(parser: argparse.ArgumentParser, formats: tuple[str, ...]) -> None:
    """Provinces, radius, kinds, presumed libraries, format and output."""
    parser.add_argument("--province", default=",".join(DEFAULT_PROVINCES),
                        help="province code(s), comma-separated, or ALL")
    parser.add_argument("--radius-km", type=float, default=DEFAULT_RADIUS_KM)
    parser.add_argument("--kinds", help="ngo,chitalishte,library (default: all three)")
    parser.add_argument("--no-presumed", action="store_true",
                        help="count only libraries known by name")
    parser.add_argument("--format", choices=formats, default=formats[0])
    parser.add_argument("--out", help="file to write (default: standard output)")


def options(args: argparse.Namespace):
    """The coverage options the arguments ask for."""
    from geo.coverage import KINDS, Options

    kinds = tuple(k.strip() for k in (args.kinds or ",".join(KINDS)).split(",") if k.strip())
    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        raise UsageError("unknown kind(s) {kinds}; use {known}",
                         kinds=", ".join(unknown) or "(none)", known=",".join(KINDS))
    check_radius(args.radius_km)
    return Options(radius_km=args.radius_km, kinds=kinds,
                   include_presumed_libraries=not args.no_presumed)


def _presumed_note(opts) -> str:
    return ("libraries include presumed chitalishte libraries"
            if opts.include_presumed_libraries else "libraries: known libraries only")


def _frames(args: argparse.Namespace, with_access: bool = True):
    """Nationwide coverage (borders do not stop people).

    The caller keeps the provinces asked for (`codes`, None for all).
    """
    from geo.coverage import settlement_coverage

    ensure_built()
    opts = options(args)
    codes = province_list(args.province)
    orgs = store.load_organisations()
    orgs = orgs[orgs["status"] == "active"]
    cov = settlement_coverage(store.load_settlements(), orgs, opts, with_access)
    return cov, orgs, opts, codes


def run_coverage(args: argparse.Namespace) -> int:
    """Coverage per settlement as CSV or GeoJSON."""
    cov, _, opts, codes = _frames(args)
    if codes:
        cov = cov[cov["province_code"].isin(codes)]
    print(f"civicmap coverage: radius {opts.radius_km} km, kinds {','.join(opts.kinds)}; "
          f"{_presumed_note(opts)}; straight-line distances", file=sys.stderr)
    table = cov[COVERAGE_COLUMNS]
    if args.format == "csv":
        write(table.to_csv(index=False), args.out)
    else:
        write(_coverage_geojson(table, opts), args.out)
    return 0


def _coverage_geojson(table, opts) -> str:
    points = store.load_settlements().set_index("ekatte").geometry
    located = table.assign(lon=table["ekatte"].map(lambda e: points[e].x),
                           lat=table["ekatte"].map(lambda e: points[e].y))
    meta = {"radius_km": opts.radius_km, "kinds": list(opts.kinds),
            "libraries_include_presumed": opts.include_presumed_libraries,
            "distances": "straight-line, EPSG:7801"}
    return export.points_geojson(located, metadata=meta)


def run_municipalities(args: argparse.Namespace) -> int:
    """Coverage per municipality as CSV."""
    from geo.coverage import municipality_coverage

    cov, orgs, opts, codes = _frames(args, with_access=False)
    table = municipality_coverage(cov, orgs, store.load_municipalities(), opts, codes)
    if codes:
        table = table[table["province_code"].isin(codes)]
    print(f"civicmap municipalities: radius {opts.radius_km} km; {_presumed_note(opts)}; "
          "rank 1 = smallest share of residents beyond R", file=sys.stderr)
    write(table.to_csv(index=False), args.out)
    return 0


def add_hubs_args(parser: argparse.ArgumentParser) -> None:
    """Provinces (required), number of hubs, radius and output."""
    parser.add_argument("--province", required=True)
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--radius-km", type=float, default=DEFAULT_RADIUS_KM)
    parser.add_argument("--format", choices=["json"], default="json")
    parser.add_argument("--out")


def run_hubs(args: argparse.Namespace) -> int:
    """Existing chitalishta/libraries and new sites that would reach the most people."""
    from geo.hubs import existing_hubs, new_hubs

    ensure_built()
    codes = province_list(args.province)
    if not codes:
        raise UsageError("name one or a few provinces with --province")
    if args.k < 1 or args.k > 50:
        raise UsageError("--k must be between 1 and 50")
    check_radius(args.radius_km)
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
    write(json.dumps(doc, ensure_ascii=False, indent=2, default=float), args.out)
    return 0
