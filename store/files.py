"""The build's geography files: settlements, municipalities and provinces as GeoParquet.

Files are written beside their final name and swapped in with `os.replace`, so a reader,
or a build killed at any moment, sees either the previous complete file or the new one,
never a half-written file.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd

from civic import settings
from civic.errors import NotBuiltError

PARQUET_MAGIC = b"PAR1"


def replace_atomically(target: Path, write) -> None:
    """Call `write(temporary_path)`, flush it to disk, then rename it over `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        write(temporary)
        with temporary.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def write_text_atomically(target: Path, text: str) -> None:
    """Replace a UTF-8 text file in one step (readers never see it half-written)."""
    replace_atomically(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_geodata(
    settlements: gpd.GeoDataFrame, municipalities: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame
) -> None:
    """Write the three geography tables as GeoParquet, each swapped in atomically."""
    for frame, target in ((settlements, settings.settlements_file()),
                          (municipalities, settings.municipalities_file()),
                          (provinces, settings.provinces_file())):
        replace_atomically(target, lambda tmp, f=frame: f.to_parquet(tmp, index=False))


def _read(path: Path) -> gpd.GeoDataFrame:
    check_parquet(path)
    try:
        return gpd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many kinds for a damaged file
        raise NotBuiltError("the build file {file} cannot be read; run `civicmap build`",
                            file=path.name) from exc


def load_settlements() -> gpd.GeoDataFrame:
    """Settlements (GeoParquet); NotBuiltError when missing or damaged."""
    return _read(settings.settlements_file())


def load_municipalities() -> gpd.GeoDataFrame:
    """Municipalities (GeoParquet); NotBuiltError when missing or damaged."""
    return _read(settings.municipalities_file())


def load_provinces() -> gpd.GeoDataFrame:
    """Provinces (GeoParquet); NotBuiltError when missing or damaged."""
    return _read(settings.provinces_file())


def check_parquet(path: Path) -> None:
    """NotBuiltError unless `path` exists and starts and ends like a Parquet file."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(4)
            handle.seek(max(0, size - 4))
            tail = handle.read(4)
    except OSError as exc:
        raise NotBuiltError("the build file {file} is missing; run `civicmap build`",
                            file=path.name) from exc
    if size < 12 or head != PARQUET_MAGIC or tail != PARQUET_MAGIC:
        raise NotBuiltError("the build file {file} is incomplete or damaged; run "
                            "`civicmap build`", file=path.name)


def check_geodata() -> None:
    """NotBuiltError naming the first geography file that is missing or damaged."""
    for path in (settings.settlements_file(), settings.municipalities_file(),
                 settings.provinces_file()):
        check_parquet(path)


def geodata_exist() -> bool:
    """True when the three geography files exist and look complete."""
    try:
        check_geodata()
    except NotBuiltError:
        return False
    return True
