"""`civicmap nearby`: organisations around a place or a point, nearest first."""

from __future__ import annotations

import argparse
import json
import sys

import store
from civic.errors import UsageError
from civic.facts import DEFAULT_RADIUS_KM, in_bulgaria, looks_swapped
from civic.vocabularies import FIELDS, KINDS
from cli.common import check_radius, ensure_built, make_geocoder, write

HELP = "organisations around a place or a point"


def add_args(parser: argparse.ArgumentParser) -> None:
    """A query or a point, radius, kind, field, limit and output."""
    parser.add_argument("--query", help="an address or place name")
    parser.add_argument("--lat", type=float)
    parser.add_argument("--lon", type=float)
    parser.add_argument("--radius-km", type=float, default=DEFAULT_RADIUS_KM)
    parser.add_argument("--kind")
    parser.add_argument("--field")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--format", choices=["json"], default="json")
    parser.add_argument("--out")


def _point(args: argparse.Namespace) -> tuple[float, float, str]:
    """(lon, lat, label) from --query through the geocoder, or from --lat/--lon."""
    if args.query:
        found = make_geocoder().geocode(args.query)
        if found["lon"] is None:
            raise UsageError("cannot place '{query}'; try a settlement name, "
                             "'с. Бенковски, общ. Кирково' or a postal code", query=args.query)
        return found["lon"], found["lat"], found["name"]
    if args.lat is None or args.lon is None:
        raise UsageError("give --query TEXT or both --lat and --lon")
    if not in_bulgaria(args.lon, args.lat):
        hint = " (latitude and longitude swapped?)" if looks_swapped(args.lon, args.lat) else ""
        raise UsageError("{lat}, {lon} is outside Bulgaria{hint}", lat=args.lat, lon=args.lon,
                         hint=hint)
    return args.lon, args.lat, f"{args.lat:.5f}, {args.lon:.5f}"


def _clean(value):
    return None if value is None or (isinstance(value, float) and value != value) else value


def nearby_entry(rec: dict) -> dict:
    """One result as the CLI and the page describe it (public contacts only)."""
    return {
        "id": rec["id"], "name": rec["name"], "kind": rec["kind"],
        "fields": [f for f in (_clean(rec.get("fields")) or "").split(";") if f],
        "distance_km": rec["distance_km"], "lon": rec["lon"], "lat": rec["lat"],
        "address": _clean(rec.get("address")),
        "contacts": {"phone": _clean(rec.get("phone")), "email": _clean(rec.get("email")),
                     "website": _clean(rec.get("website"))},
    }


def run(args: argparse.Namespace) -> int:
    """The organisations within the radius as JSON; the nearest beyond it on stderr."""
    from geo.nearby import nearby, select

    ensure_built()
    if args.kind and args.kind not in KINDS:
        raise UsageError("unknown kind '{kind}'; use {known}", kind=args.kind,
                         known=", ".join(KINDS))
    if args.field and args.field not in FIELDS:
        raise UsageError("unknown field '{field}'", field=args.field)
    check_radius(args.radius_km)
    lon, lat, label = _point(args)
    found = nearby(select(store.load_organisations(), args.kind, args.field), lon, lat,
                   args.radius_km, args.limit, store.ids_within(lon, lat, args.radius_km))
    if found.within.empty:
        closest = ", ".join(f"{r.name} ({r.distance_km} km)"
                            for r in found.nearest_beyond.itertuples())
        print(f"civicmap nearby: nothing within {args.radius_km} km of {label}; nearest: "
              f"{closest or 'none'}", file=sys.stderr)
    entries = [nearby_entry(r) for r in found.within.to_dict("records")]
    write(json.dumps(entries, ensure_ascii=False, indent=1), args.out)
    return 0
