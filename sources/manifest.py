"""Source manifest: find each raw source file and verify it against its SHA-256.

Lookup order: `$CIVICMAP_SOURCES`, then `../shared/data/sources` beside the project,
then a user cache that pooch fills by download from the pinned upstream URL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pooch

from civic import settings
from civic.errors import SourceError
from civic.settings import MANIFEST, SHARED_SOURCES


@dataclass(frozen=True)
class Source:
    """One raw source file: its name, hash, description, licence, upstream and date."""

    name: str
    sha256: str
    description: str
    licence: str
    upstream: str
    url: str | None
    date: str | None = None


def manifest() -> dict[str, Source]:
    """All sources listed in `data/sources.json`, by file name."""
    entries = json.loads(MANIFEST.read_text(encoding="utf-8"))["sources"]
    return {e["name"]: Source(**e) for e in entries}


def search_dirs() -> list[Path]:
    """Local folders searched for source files, in order."""
    dirs = []
    if settings.sources_dir():
        dirs.append(settings.sources_dir())
    dirs.append(SHARED_SOURCES)
    return dirs


def cache_dir() -> Path:
    """The user cache that pooch fills by download."""
    return Path(pooch.os_cache("civicmap"))


def _where_to_get(src: Source) -> str:
    if src.url:
        return src.url
    return "no public download (compiled for this project): copy it from shared/data/sources"


def locate(name: str) -> Path:
    """Path of a verified source file; raises SourceError naming file, hash and URL."""
    sources = manifest()
    if name not in sources:
        raise SourceError("{name} is not in the source manifest {manifest}", name=name,
                          manifest=MANIFEST)
    src = sources[name]
    for folder in search_dirs():
        path = folder / name
        if path.is_file():
            actual = pooch.file_hash(str(path), alg="sha256")
            if actual != src.sha256:
                raise SourceError(
                    "{path}: SHA-256 {actual} does not match the expected {sha256}; "
                    "get the right file from {where}", path=path, actual=actual,
                    sha256=src.sha256, where=_where_to_get(src))
            return path
    cached = cache_dir() / name
    if src.url is None:
        raise SourceError(
            "source file {name} not found in {folders} (expected SHA-256 {sha256}); {where}",
            name=name, folders=", ".join(map(str, search_dirs())), sha256=src.sha256,
            where=_where_to_get(src))
    try:
        return Path(
            pooch.retrieve(
                src.url, known_hash=f"sha256:{src.sha256}", fname=name, path=cached.parent,
                progressbar=False,
            )
        )
    except Exception as exc:  # network errors and hash mismatches alike
        raise SourceError(
            "source file {name} not found locally and its download failed ({problem}); "
            "expected SHA-256 {sha256}, URL {url}", name=name, problem=exc,
            sha256=src.sha256, url=src.url) from exc


def verify_all() -> dict[str, Path]:
    """Locate and verify every source in the manifest before a build starts."""
    return {name: locate(name) for name in manifest()}


def source_list() -> list[dict]:
    """The sources as reports and exports list them: what, where from, licence, date."""
    return [{"description": s.description, "upstream": s.upstream, "licence": s.licence,
             "date": s.date} for s in manifest().values()]
