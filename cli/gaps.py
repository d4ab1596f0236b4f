"""`civicmap gaps`: per-kind coverage gaps per province (JSON) or per municipality (CSV).

Inhabited = 2021 population > 0. `library` means libraries known by name unless
`--presumed` adds the library every chitalishte keeps; `any` counts each organisation once.
NGO figures count known NGOs (directory, imports and approved proposals), not the national
register. Distances are straight lines.
"""

from __future__ import annotations

import argparse
import json
import sys

import pandas as pd

from civic.errors import UsageError
from civic.facts import DEFAULT_PROVINCES, DEFAULT_RADIUS_KM
from cli.common import ensure_built, write

HELP = "per-kind coverage gaps per province (JSON) or per municipality (CSV)"

VALUE_KEYS = ("settlements_without_own", "residents_beyond_r", "share_beyond_r",
              "pw_mean_km")
MAX_RADIUS_KM = 200.0


def add_args(parser: argparse.ArgumentParser) -> None:
    """The options of `civicmap gaps`."""
    parser.add_argument("--province", default=",".join(DEFAULT_PROVINCES),
                        help="province code(s), comma-separated, or ALL")
    parser.add_argument("--radius-km", type=float, default=DEFAULT_RADIUS_KM,
                        help="R in km; 0 = an organisation of the settlement's own")
    parser.add_argument("--presumed", action="store_true",
                        help="count every chitalishte's presumed library as a library")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="per province, one JSON document")
    out.add_argument("--format", choices=["json", "csv"], default="json",
                     help="csv: the same figures per municipality")
    parser.add_argument("--out", help="file to write (default: standard output)")


def province_codes(value: str | None, known: set[str]) -> list[str]:
    """Codes from 'KRZ,RAZ' or 'ALL' (every known province); unknown codes are an error."""
    if not value or value.strip().upper() == "ALL":
        return sorted(known)
    codes = [c.strip().upper() for c in value.split(",") if c.strip()]
    unknown = [c for c in codes if c not in known]
    if unknown or not codes:
        raise UsageError("unknown province code(s) {codes}; use codes such as KRZ, RAZ, VRC "
                         "or ALL", codes=", ".join(unknown) or "(none)")
    return codes


def check_radius(radius_km: float) -> float:
    """R in km, between 0 (own settlement) and 200."""
    if not 0 <= radius_km <= MAX_RADIUS_KM:
        raise UsageError("--radius-km must be between 0 and {max}", max=int(MAX_RADIUS_KM))
    return radius_km


def _number(value: float, integral: bool) -> float | int:
    if pd.isna(value):
        return None
    return int(value) if integral else float(value)


def gaps_document(summary: pd.DataFrame, radius_km: float) -> dict:
    """The `--json` document from `geo.coverage.summarise(cov, "province_code")` rows."""
    from geo.coverage import MEASURED

    provinces = {}
    for code, row in summary.iterrows():
        kinds = {kind: {key: _number(row[f"{kind}_{key}"], key in VALUE_KEYS[:2])
                        for key in VALUE_KEYS} for kind in MEASURED}
        provinces[code] = {"inhabited_settlements": int(row["inhabited_settlements"]),
                           "residents": int(row["residents"]), "kinds": kinds}
    r = int(radius_km) if float(radius_km).is_integer() else radius_km
    return {"radius_km": r, "provinces": provinces}


def municipality_table(summary: pd.DataFrame, municipalities: pd.DataFrame,
                       radius_km: float, presumed: bool) -> pd.DataFrame:
    """The CSV: one row per municipality, stable machine column names (README)."""
    from geo.coverage import library_definition

    names = municipalities.set_index("code")
    table = summary.reset_index().rename(columns={"index": "municipality_code"})
    table.insert(0, "province_code", table["municipality_code"].map(names["province_code"]))
    table.insert(2, "municipality", table["municipality_code"].map(names["name"]))
    table.insert(3, "municipality_latin", table["municipality_code"].map(names["name_latin"]))
    table["radius_km"] = radius_km
    table["library_definition"] = library_definition(presumed)
    return table.sort_values(["province_code", "municipality_code"])


def compute(codes: list[str], radius_km: float, presumed: bool):
    """Nationwide settlement coverage (borders do not stop people), kept to `codes`."""
    import store
    from geo.coverage import Options, settlement_coverage

    orgs = store.load_organisations()
    orgs = orgs[orgs["status"] == "active"]
    cov = settlement_coverage(store.load_settlements(), orgs,
                              Options(radius_km=radius_km, include_presumed_libraries=presumed),
                              with_access=False)
    return cov[cov["province_code"].isin(codes)], orgs


def run(args: argparse.Namespace) -> int:
    """Print the gaps per province (JSON) or per municipality (CSV)."""
    import store
    from geo.coverage import library_definition, summarise

    ensure_built()
    radius = check_radius(args.radius_km)
    codes = province_codes(args.province, set(store.load_provinces()["code"]))
    cov, orgs = compute(codes, radius, args.presumed)
    known_ngos = int((orgs["kind"] == "ngo").sum())
    if args.format == "csv" and not args.json:
        summary = summarise(cov, "municipality_code")
        text = municipality_table(summary, store.load_municipalities(), radius,
                                  args.presumed).to_csv(index=False)
    else:
        text = json.dumps(gaps_document(summarise(cov, "province_code"), radius),
                          ensure_ascii=False)
    write(text, args.out)
    print(f"civicmap gaps: R = {radius:g} km, straight-line; library = "
          f"{library_definition(args.presumed)}; NGOs: {known_ngos} known NGOs (directory, "
          "imports and approved proposals), not the national register", file=sys.stderr)
    return 0

