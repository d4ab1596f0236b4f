"""Build settlements, municipalities and provinces from the raw sources (GeoDataFrames)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point

from civic.text import to_latin

WGS84 = "EPSG:4326"
CENSUS_COLUMNS = [
    "population", "age0_14", "age15_29", "age30_44", "age45_64", "age65plus", "male", "female",
    "ethnic_bulgarian", "ethnic_turkish", "ethnic_roma", "ethnic_other",
    "ethnic_unknown_or_undeclared", "mother_tongue_bulgarian", "mother_tongue_turkish",
    "mother_tongue_roma", "activity_rate", "employment_rate", "unemployment_rate",
]


def read_census(path: Path) -> pd.DataFrame:
    """Census 2021 rows for country, provinces and municipalities, numbers as numbers."""
    census = pd.read_csv(path, dtype=str)
    for col in CENSUS_COLUMNS:
        census[col] = pd.to_numeric(census[col], errors="coerce")
    return census


def largest_remainder(values: np.ndarray, total: int) -> np.ndarray:
    """Round non-negative shares to integers that add up exactly to `total`."""
    if values.sum() <= 0:
        return np.zeros(len(values), dtype=int)
    exact = values / values.sum() * total
    floor = np.floor(exact).astype(int)
    short = int(total - floor.sum())
    if short > 0:
        order = np.argsort(-(exact - floor), kind="stable")
        floor[order[:short]] += 1
    return floor


def _population_2017(path: Path) -> pd.Series:
    pop = pd.read_csv(path, dtype={"ekatte": str})
    pop["2017"] = pd.to_numeric(pop["2017"], errors="coerce")
    # A settlement renamed or re-typed (с. → гр.) has two rows; each year sits on one.
    return pop.groupby("ekatte")["2017"].max()


def _read_loc(loc_path: Path) -> pd.DataFrame:
    loc = pd.read_csv(loc_path, dtype=str)
    loc["ekatte"] = loc["ekatte"].str.zfill(5)
    return loc


def _alt_names(loc: pd.DataFrame, names: pd.Series) -> pd.Series:
    """Names the coordinates file uses where EKATTE differs ("гара Бов" for a "Бов")."""
    alt = loc.groupby("ekatte")["name"].first()
    alt = names.index.map(lambda e: alt.get(e, ""))
    return pd.Series(alt, index=names.index).where(lambda a: a != names, "")


def _points(loc: pd.DataFrame) -> pd.Series:
    lonlat = loc["geo"].fillna("").str.split(",", expand=True)
    lon = pd.to_numeric(lonlat[0], errors="coerce")
    lat = pd.to_numeric(lonlat[1], errors="coerce")
    ok = lon.notna() & lat.notna()
    return pd.Series(
        [Point(x, y) for x, y in zip(lon[ok], lat[ok], strict=True)],
        index=loc.loc[ok, "ekatte"],
    ).groupby(level=0).first()


def build_settlements(paths: dict[str, Path], census: pd.DataFrame) -> gpd.GeoDataFrame:
    """All EKATTE settlements with name, Latin name, type, codes, point, ground, population."""
    ek = pd.read_csv(paths["bg_settlements_ekatte.csv"], dtype=str)
    s = pd.DataFrame({
        "ekatte": ek["EKATTE_ID"].str.zfill(5),
        "name": ek["name"].str.strip(),
        "type": ek["t_v_m"].str.strip(),
        "municipality_code": ek["obstina"],
        "province_code": ek["oblast"],
        "kmetstvo": ek["kmetstvo"],
        "ground_parent": ek["GROUND_PARENT_ID"].fillna("").str.zfill(5).replace("00000", ""),
        "altitude_class": pd.to_numeric(ek["altitude"], errors="coerce"),
    })
    s["name_latin"] = s["name"].map(to_latin)

    grounds = gpd.read_file(paths["bg_settlement_grounds.geojson"]).to_crs(WGS84)
    grounds = grounds.set_index("EKATTE_ID")["geometry"]
    ground = gpd.GeoSeries(s["ekatte"].map(grounds), crs=WGS84)
    loc = _read_loc(paths["bg_settlements_loc.csv"])

    s["alt_name"] = _alt_names(loc, s.set_index("ekatte")["name"]).to_numpy()
    points = _points(loc)
    point = s["ekatte"].map(points)
    s["point_source"] = np.where(point.notna(), "coordinates", "none")
    from_ground = point.isna() & ground.notna()
    point[from_ground] = ground[from_ground].representative_point()
    s.loc[from_ground, "point_source"] = "ground"

    postal = pd.read_csv(paths["bg_settlement_postal_codes.csv"], dtype=str)
    postal = pd.concat([
        postal.rename(columns={"EKATTE_ID": "ekatte", "POSTAL_CODE": "code"})[["ekatte", "code"]],
        loc.rename(columns={"postal code": "code"})[["ekatte", "code"]],
    ])
    postal = postal[postal["code"].fillna("").str.fullmatch(r"\d{4}")]
    codes = postal.groupby("ekatte")["code"].agg(lambda c: ";".join(sorted(set(c))))
    s["postal_codes"] = s["ekatte"].map(codes).fillna("")
    s["postal_code"] = s["postal_codes"].str.split(";").str[0]

    pop17 = s["ekatte"].map(_population_2017(paths["bg_population_nsi_2002_2017.csv"]))
    s["population_2017"] = pop17.fillna(0).astype(int)
    s["population_2021"] = _scale_to_census(s, census)

    gdf = gpd.GeoDataFrame(s, geometry=gpd.GeoSeries(point, crs=WGS84), crs=WGS84)
    gdf["ground"] = ground
    return gdf.sort_values("ekatte").reset_index(drop=True)


def _scale_to_census(s: pd.DataFrame, census: pd.DataFrame) -> pd.Series:
    """2017 estimates scaled so each municipality sums to its Census 2021 population."""
    totals = census[census["level"] == "municipality"].set_index("code")["population"]
    out = pd.Series(0, index=s.index, dtype=int)
    for code, group in s.groupby("municipality_code"):
        if code in totals.index:
            out[group.index] = largest_remainder(
                group["population_2017"].to_numpy(float), int(totals[code])
            )
    return out


def build_municipalities(paths: dict[str, Path], census: pd.DataFrame) -> gpd.GeoDataFrame:
    """265 municipality polygons with Census 2021 figures and the centre's EKATTE."""
    m = gpd.read_file(paths["bg_municipalities.geojson"]).to_crs(WGS84)
    m = m.rename(columns={
        "LAU_CODE": "code", "PROVINCE_CODE": "province_code", "NAME_BG": "name",
        "NAME_EN": "name_en", "EKATTE_ID": "centre_ekatte",
    })[["code", "province_code", "name", "name_en", "centre_ekatte", "geometry"]]
    m["name_latin"] = m["name"].map(to_latin)
    c = census[census["level"] == "municipality"].set_index("code")[CENSUS_COLUMNS]
    return m.join(c, on="code").sort_values("code").reset_index(drop=True)


def build_provinces(paths: dict[str, Path], census: pd.DataFrame) -> gpd.GeoDataFrame:
    """28 province polygons with Census 2021 figures."""
    p = gpd.read_file(paths["bg_provinces.geojson"]).to_crs(WGS84)
    p = p.rename(columns={
        "PROVINCE_CODE": "code", "NAME_BG": "name", "NAME_EN": "name_en",
        "NUTS_3_CODE": "nuts3", "EKATTE_ID": "centre_ekatte",
    })[["code", "name", "name_en", "nuts3", "centre_ekatte", "geometry"]]
    p["name_latin"] = p["name"].map(to_latin)
    c = census[census["level"] == "oblast"].set_index("code")[CENSUS_COLUMNS]
    return p.join(c, on="code").sort_values("code").reset_index(drop=True)
