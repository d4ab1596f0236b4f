"""The build's geography files: settlements, municipalities and provinces as GeoParquet."""

from __future__ import annotations

import geopandas as gpd

from civic import settings


def write_geodata(
    settlements: gpd.GeoDataFrame, municipalities: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame
) -> None:
    """Write the three geography tables as GeoParquet, replacing earlier ones."""
    settings.build_dir().mkdir(parents=True, exist_ok=True)
    settlements.to_parquet(settings.settlements_file(), index=False)
    municipalities.to_parquet(settings.municipalities_file(), index=False)
    provinces.to_parquet(settings.provinces_file(), index=False)


def load_settlements() -> gpd.GeoDataFrame:
    """Every settlement with its point, ground polygon, codes and population."""
    return gpd.read_parquet(settings.settlements_file())


def load_municipalities() -> gpd.GeoDataFrame:
    """The 265 municipalities with polygons and Census 2021 figures."""
    return gpd.read_parquet(settings.municipalities_file())


def load_provinces() -> gpd.GeoDataFrame:
    """The 28 provinces with polygons and Census 2021 figures."""
    return gpd.read_parquet(settings.provinces_file())


def geodata_exist() -> bool:
    """True when the three geography files exist."""
    files = [settings.settlements_file(), settings.municipalities_file(), settings.provinces_file()]
    return all(f.exists() for f in files)
