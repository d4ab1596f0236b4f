"""Where the project's data lives: the one module that knows file locations."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
MANIFEST = DATA_DIR / "sources.json"


def build_dir() -> Path:
    """Generated data: `$CIVICMAP_BUILD_DIR`, else `data/build` in the project."""
    return Path(os.environ.get("CIVICMAP_BUILD_DIR", DATA_DIR / "build"))


def database_url() -> str:
    """The organisation store: `$CIVICMAP_DATABASE_URL`, else a SQLite file in the build dir."""
    url = os.environ.get("CIVICMAP_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{build_dir() / 'civicmap.sqlite'}"


def settlements_file() -> Path:
    return build_dir() / "settlements.parquet"


def municipalities_file() -> Path:
    return build_dir() / "municipalities.parquet"


def provinces_file() -> Path:
    return build_dir() / "provinces.parquet"


def build_report_file() -> Path:
    return build_dir() / "build_report.json"


def place_suggestions_file() -> Path:
    """Settlement names for as-you-type suggestions, served by Streamlit at /app/static."""
    return PROJECT_ROOT / "static" / "generated" / "places.json"
