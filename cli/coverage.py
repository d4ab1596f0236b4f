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


HUB_WHAT = ("plan", "catchments")
CATCHMENT_DEFINITION = (
    "Each inhabited settlement belongs to the catchment of its nearest active library "
    "(known or presumed; libraries at one point are one site) by straight-line distance in "
    "EPSG:7801, nationwide; beyond_r counts residents with no known NGO within radius_km.")
CATCHMENT_HEADER = ("library", "settlement", "prov", "settl.", "residents", "ngos", "chit.",
                    "beyond_r", "share")


def add_hubs_args(parser: argparse.ArgumentParser) -> None:
    """What (a hub plan or library catchments), provinces, k, radius and output."""
    parser.add_argument("what", nargs="?", choices=HUB_WHAT, default="plan",
                        help="plan: where k hubs would reach the most people (default); "
                             "catchments: each library's catchment")
    parser.add_argument("--province", required=True,
                        help="province code(s), comma-separated, or ALL")
    parser.add_argument("--municipality", help="catchments: municipality code(s), "
                                               "comma-separated")
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--radius-km", type=float, default=DEFAULT_RADIUS_KM)
    parser.add_argument("--format", choices=["json"], default="json")
    parser.add_argument("--json", action="store_true", help="catchments: JSON, not a table")
    parser.add_argument("--out")


def _records(table) -> list[dict]:
    """Rows as JSON-ready dicts: NaN and missing values as null."""
    return table.astype(object).where(table.notna(), None).to_dict("records")


def run_hubs(args: argparse.Namespace) -> int:
    """Hub siting (`plan`) or each library's catchment (`catchments`)."""
    ensure_built()
    codes = province_list(args.province)
    check_radius(args.radius_km)
    if args.what == "catchments":
        return run_catchments(args, codes)
    from geo.hubs import existing_hubs, national_hubs, new_hubs

    if args.k < 1 or args.k > 50:
        raise UsageError("--k must be between 1 and 50")
    orgs = store.load_organisations()
    orgs = orgs[orgs["status"] == "active"]  # NGOs anywhere serve: borders do not stop people
    settlements = store.load_settlements()
    if codes:
        settlements = settlements[settlements["province_code"].isin(codes)]
    # ALL: the decomposition by province; fewer provinces: exact unless too many candidates
    existing = (national_hubs if codes is None else existing_hubs)(
        settlements, orgs, args.radius_km, args.k)
    plans = {"existing": existing,
             "new_sites": new_hubs(settlements, orgs, args.radius_km, args.k)}
    doc = {"provinces": codes or sorted(store.load_provinces()["code"]), "k": args.k,
           "radius_km": args.radius_km, "libraries_include_presumed": True,
           "distances": "straight-line, EPSG:7801"}
    for name, plan in plans.items():
        doc[name] = {"sites": _records(plan.sites), "newly_covered": plan.newly_covered,
                     "population_without_ngo_within_r": plan.uncovered_before,
                     "method": plan.method}
    write(json.dumps(doc, ensure_ascii=False, indent=2, default=float), args.out)
    return 0


def _municipality_list(value: str | None, codes: list[str] | None) -> list[str] | None:
    """Municipality codes from 'KRZ16,KRZ35'; unknown ones, or ones outside the provinces, stop."""
    if not value:
        return None
    munis = store.load_municipalities()
    if codes:
        munis = munis[munis["province_code"].isin(codes)]
    wanted = [c.strip().upper() for c in value.split(",") if c.strip()]
    unknown = [c for c in wanted if c not in set(munis["code"])]
    if unknown or not wanted:
        raise UsageError("unknown municipality code(s) {codes} in the chosen provinces",
                         codes=", ".join(unknown) or "(none)")
    return wanted


def run_catchments(args: argparse.Namespace, codes: list[str] | None) -> int:
    """Each library's catchment in the chosen area: JSON or a readable table."""
    from geo.catchments import catchment_table

    munis = _municipality_list(args.municipality, codes)
    orgs = store.load_organisations()
    table = catchment_table(store.load_settlements(), orgs[orgs["status"] == "active"],
                            args.radius_km, provinces=codes, municipalities=munis)
    doc = {"province": codes or sorted(store.load_provinces()["code"]),
           "municipality": munis, "radius_km": args.radius_km,
           "definition": CATCHMENT_DEFINITION, "catchments": _records(table),
           "settlements": int(table["settlements"].sum()),
           "residents": int(table["residents"].sum())}
    if args.json:
        write(json.dumps(doc, ensure_ascii=False, indent=2, default=float), args.out)
    else:
        write(catchment_text(table, doc), args.out)
    return 0


def catchment_text(table, doc: dict) -> str:
    """The catchments as a fixed-width table with a one-line summary and the definition."""
    def cut(text, width: int) -> str:
        text = str(text or "")
        return text if len(text) <= width else text[:width - 1] + "…"

    lines = [f"{'  '.join(h.ljust(w) for h, w in zip(CATCHMENT_HEADER, WIDTHS))}"]
    for r in table.itertuples():
        share = "" if r.beyond_r_share != r.beyond_r_share else f"{r.beyond_r_share:.0%}"
        cells = (cut(r.name, WIDTHS[0]), cut(r.settlement, WIDTHS[1]), r.province_code,
                 r.settlements, r.residents, r.ngos, r.chitalishta, r.beyond_r, share)
        lines.append("  ".join(str(c).ljust(w) if i < 3 else str(c).rjust(w)
                               for i, (c, w) in enumerate(zip(cells, WIDTHS))))
    lines.append(f"{len(table)} library catchments, {doc['settlements']} inhabited "
                 f"settlements, {doc['residents']} residents; R = {doc['radius_km']:g} km")
    lines.append(doc["definition"])
    return "\n".join(lines)


WIDTHS = (40, 18, 4, 6, 9, 4, 5, 8, 5)
