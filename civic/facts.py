"""Facts the whole project shares, each defined once.

Bulgaria's box, the provinces the project serves by default, the default radius, and the
dates of the compiled sources (from the manifest).
"""

from __future__ import annotations

import json
from functools import cache

from civic.settings import MANIFEST

# lon/lat box around Bulgaria with a small margin: (west, south, east, north).
BULGARIA_BBOX = (22.3, 41.2, 28.7, 44.3)
# The provinces the project was built for (Kardzhali, Razgrad, Vratsa); any of 28 works.
DEFAULT_PROVINCES = ("KRZ", "RAZ", "VRC")
DEFAULT_RADIUS_KM = 10.0


def in_bulgaria(lon: float, lat: float) -> bool:
    """True when the point lies inside Bulgaria's box."""
    west, south, east, north = BULGARIA_BBOX
    return west <= lon <= east and south <= lat <= north


def looks_swapped(lon: float, lat: float) -> bool:
    """True when the point is outside Bulgaria but would be inside with lon and lat swapped."""
    return not in_bulgaria(lon, lat) and in_bulgaria(lat, lon)


@cache
def source_dates() -> dict[str, str]:
    """Source file name → the date its data was compiled or pinned ('2026-11'), where known."""
    entries = json.loads(MANIFEST.read_text(encoding="utf-8"))["sources"]
    return {e["name"]: e["date"] for e in entries if e.get("date")}


def directory_date() -> str:
    """When the civic directories were compiled ('2026-11')."""
    return source_dates().get("civic_directory_ngos_2026-11.csv", "2026-11")
