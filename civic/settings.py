"""Every setting of the project in one place: each CIVICMAP_* variable, its default, its type.

This is the only module that reads the environment. Read a setting through its getter
(`database_url()`, `tiles_url()`, …) at the moment it is needed, so tests can change the
environment between calls. `SETTINGS` documents them all; the README repeats it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
MANIFEST = DATA_DIR / "sources.json"
SHARED_SOURCES = PROJECT_ROOT.parent / "shared" / "data" / "sources"
DEFAULT_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_ATTRIBUTION = "&copy; OpenStreetMap contributors"


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, its default (as text) and what it does."""

    name: str
    default: str
    doc: str


SETTINGS = (
    Setting("CIVICMAP_BUILD_DIR", "data/build", "where the build writes its files"),
    Setting("CIVICMAP_DATABASE_URL", "sqlite:///<build dir>/civicmap.sqlite",
            "SQLAlchemy URL of the organisation store (postgresql+psycopg://… for PostGIS)"),
    Setting("CIVICMAP_SOURCES", "", "a folder searched first for the raw source files"),
    Setting("CIVICMAP_TILES_URL", DEFAULT_TILES, "the map's tile layer; 'none' for no tiles"),
    Setting("CIVICMAP_TILES_ATTRIBUTION", DEFAULT_ATTRIBUTION, "credit shown for the tiles"),
    Setting("CIVICMAP_NOMINATIM_URL", "", "a Nominatim server for street addresses (off)"),
    Setting("CIVICMAP_NOMINATIM_USER_AGENT", "", "the User-Agent sent to Nominatim"),
    Setting("CIVICMAP_MODERATORS", "", "'name=HASH;other=HASH' (civicmap hash-password)"),
    Setting("CIVICMAP_CHROMIUM", "/usr/bin/chromium", "Chromium used to print PDFs"),
    Setting("CIVICMAP_TRUST_PROXY", "off", "'on' behind a reverse proxy: the client's address "
            "(per-address limits) is the last one in X-Forwarded-For"),
)


def _get(name: str) -> str:
    """The raw value of a documented setting, its default when unset or blank."""
    default = next(s.default for s in SETTINGS if s.name == name)
    value = os.environ.get(name, "").strip()
    return value or default


def build_dir() -> Path:
    """Generated data: `$CIVICMAP_BUILD_DIR`, else `data/build` in the project."""
    value = os.environ.get("CIVICMAP_BUILD_DIR", "").strip()
    return Path(value) if value else DATA_DIR / "build"


def database_url() -> str:
    """The organisation store: `$CIVICMAP_DATABASE_URL`, else a SQLite file in the build dir."""
    url = os.environ.get("CIVICMAP_DATABASE_URL", "").strip()
    return url or f"sqlite:///{build_dir() / 'civicmap.sqlite'}"


def sources_dir() -> Path | None:
    """`$CIVICMAP_SOURCES`, a folder searched before the shared sources; None when unset."""
    value = os.environ.get("CIVICMAP_SOURCES", "").strip()
    return Path(value) if value else None


def tiles_url() -> str | None:
    """The tile URL template; None when `CIVICMAP_TILES_URL=none` (boundaries only)."""
    url = _get("CIVICMAP_TILES_URL")
    return None if url.lower() == "none" else url


def tiles_attribution() -> str:
    """The credit line for the tiles."""
    return _get("CIVICMAP_TILES_ATTRIBUTION")


def nominatim() -> tuple[str, str] | None:
    """(URL, User-Agent) when both are set; None keeps geocoding offline."""
    url, agent = _get("CIVICMAP_NOMINATIM_URL"), _get("CIVICMAP_NOMINATIM_USER_AGENT")
    return (url, agent) if url and agent else None


def moderators() -> dict[str, str]:
    """Moderator name → password hash from `CIVICMAP_MODERATORS`; empty when unset."""
    out = {}
    for item in _get("CIVICMAP_MODERATORS").split(";"):
        name, _, encoded = item.partition("=")
        if name.strip() and encoded.strip():
            out[name.strip()] = encoded.strip()
    return out


def trust_proxy() -> bool:
    """True when `CIVICMAP_TRUST_PROXY` is on (1/on/true/yes): trust X-Forwarded-For."""
    return _get("CIVICMAP_TRUST_PROXY").lower() in {"1", "on", "true", "yes"}


def chromium() -> str:
    """The Chromium executable used to print PDFs (and by the end-to-end tests)."""
    return _get("CIVICMAP_CHROMIUM")


def settlements_file() -> Path:
    """Settlements as GeoParquet."""
    return build_dir() / "settlements.parquet"


def municipalities_file() -> Path:
    """Municipalities as GeoParquet."""
    return build_dir() / "municipalities.parquet"


def provinces_file() -> Path:
    """Provinces as GeoParquet."""
    return build_dir() / "provinces.parquet"


def build_report_file() -> Path:
    """What the last build read, stored and rejected."""
    return build_dir() / "build_report.json"


def place_suggestions_file() -> Path:
    """Settlement names for as-you-type suggestions, served by Streamlit at /app/static."""
    return PROJECT_ROOT / "static" / "generated" / "places.json"
