"""What several commands share: the built data, province lists, output, the geocoder."""

from __future__ import annotations

import sys
from pathlib import Path

import store
from civic.errors import NotBuiltError, UsageError


def ensure_built() -> None:
    """Stop with a clear message when there is no build to read."""
    if not store.is_built():
        raise NotBuiltError("no data yet; run `civicmap build` first")


def write(text: str, out: str | None) -> None:
    """Text to the file `out`, else to standard output (with a final newline)."""
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def province_list(value: str | None) -> list[str] | None:
    """Province codes from 'KRZ,RAZ' (None for ALL or nothing); unknown codes stop."""
    if not value or value.strip().upper() == "ALL":
        return None
    known = set(store.load_provinces()["code"])
    codes = [c.strip().upper() for c in value.split(",") if c.strip()]
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise UsageError("unknown province code(s) {codes}; use codes such as KRZ, RAZ, VRC "
                         "or ALL", codes=", ".join(unknown))
    return codes


def check_radius(radius_km: float) -> None:
    """Radii above 0 and at most 200 km."""
    if not 0 < radius_km <= 200:
        raise UsageError("--radius-km must be above 0 and at most 200")


def make_geocoder():
    """The geocoder chain over the built tables, with the store's cache."""
    from geo.geocoder import from_tables

    return from_tables(store.load_settlements(), store.load_municipalities(),
                       store.load_provinces(), cache=store.GeocodeCache())
