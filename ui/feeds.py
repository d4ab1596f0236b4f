"""The calendar feeds behind the app's stable URLs: `/app/static/generated/feeds/<name>.ics`.

Streamlit serves `static/` at `/app/static/` (unknown types as text/plain, which calendar
apps accept). `ensure_feeds` rewrites the files only when the published actions changed:
a fingerprint of the rows is kept in this process and in a small file beside the feeds, so
a rerun, or a second process on the same files, does nothing. Each file is replaced in one
step (readers never see half a file); feeds no longer needed are removed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path

import pandas as pd

from civic import settings
from civic.settings import PROJECT_ROOT
from reports.ical import IN_CALENDAR, feed_files

URL_PREFIX = "/app/static/generated/feeds/"
FINGERPRINT_FILE = ".fingerprint"
VERSION = "1"  # change when the feeds' content changes for the same rows
_written: dict[str, str] = {}  # folder → fingerprint of what this process last wrote there


def _subfolder() -> str:
    """'' for the project's own build; else a folder named after the build's directory.

    Apps on other builds (and so other stores: tests, a second deployment from the same
    checkout) would otherwise overwrite each other's feeds in the one shared folder.
    """
    build = settings.build_dir().resolve()
    if build == (settings.DATA_DIR / "build").resolve():
        return ""
    return "build-" + hashlib.sha256(str(build).encode("utf-8")).hexdigest()[:12]


def feeds_dir() -> Path:
    """Where the feeds are written: `static/generated/feeds/` in the project (see `_subfolder`)."""
    return PROJECT_ROOT / "static" / "generated" / "feeds" / _subfolder()


def feeds_url(name: str) -> str:
    """The URL the app serves a feed at, e.g. '/app/static/generated/feeds/all.ics'."""
    sub = _subfolder()
    return URL_PREFIX + (f"{sub}/" if sub else "") + name


def fingerprint(actions_df: pd.DataFrame, orgs_by_id: dict[str, str], base_url: str = "",
                lang: str = "bg", places: dict[str, str] | None = None) -> str:
    """A hash of what the feeds show: the calendar rows (not the join count), host names."""
    rows = actions_df[actions_df["status"].isin(IN_CALENDAR)] if len(actions_df) else actions_df
    rows = rows.drop(columns=[c for c in ("joined",) if c in rows]).sort_values(
        "id") if len(rows) else rows
    hosts = {h: orgs_by_id.get(h) for h in sorted(set(rows["host_id"]))} if len(rows) else {}
    payload = json.dumps([VERSION, base_url, lang, places or {}, hosts,
                          rows.to_dict("records") if len(rows) else []],
                         ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _write_bytes(target: Path, data: bytes) -> None:
    """Replace one file in one step: a temporary file beside it, then os.replace."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)


def _stored_fingerprint(folder: Path) -> str | None:
    try:
        return (folder / FINGERPRINT_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None


def ensure_feeds(actions_df: pd.DataFrame, orgs_df: pd.DataFrame, base_url: str = "",
                 lang: str = "bg", places: dict[str, str] | None = None,
                 folder: Path | None = None) -> bool:
    """Write every feed (`reports.ical.feed_files`) when the actions changed; True if written.

    `orgs_df` needs the columns id and name; `places` maps province and municipality codes
    to names for the calendars' titles.
    """
    folder = folder or feeds_dir()
    orgs_by_id = dict(zip(orgs_df["id"], orgs_df["name"]))
    mark = fingerprint(actions_df, orgs_by_id, base_url, lang, places)
    if _written.get(str(folder)) == mark:
        return False
    if _stored_fingerprint(folder) == mark and (folder / "all.ics").exists():
        _written[str(folder)] = mark
        return False
    files = feed_files(actions_df, orgs_by_id, base_url, lang, places)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            _write_bytes(folder / name, data)
        for old in folder.glob("*.ics"):
            if old.name not in files:
                old.unlink(missing_ok=True)
        _write_bytes(folder / FINGERPRINT_FILE, mark.encode("utf-8"))
    except OSError:  # a read-only deployment: the page still works, the feeds stay as they were
        logging.getLogger(__name__).warning("calendar feeds not written to %s", folder)
        return False
    _written[str(folder)] = mark
    return True
