"""Library catchments: which library each settlement is nearest to, and who lives there.

The model, stated once for every surface (the hub page, the map layer, the CLI):
- A catchment is the set of settlements whose nearest library it is, by the straight line
  in EPSG:7801 (the same model as Coverage), nationwide: borders do not stop people, so a
  settlement may belong to a library across a municipal or provincial border.
- Libraries are the active libraries with a point, known by name and presumed (the library
  every chitalishte keeps, at the chitalishte's point).
- Same-point rule: libraries at the same point are one site, represented by the known
  (non-presumed) library, else the one with the smallest id; `members` lists them all.
  Two sites equally near a settlement: the one with the smallest site id takes it.
- Uninhabited settlements (2021 population 0) belong to a catchment but never count in
  `settlements` or `residents`; a site whose catchment holds none of the chosen inhabited
  settlements is not listed.
- `beyond_r`: residents of the catchment's settlements with no known NGO within R anywhere
  (the straight-line test of `geo.hubs.demand`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from geo.crs import to_metric

SITE_COLUMNS = ["site_id", "name", "subtype", "presumed", "ekatte", "municipality_code",
                "province_code", "lon", "lat", "x", "y", "members"]
ASSIGN_COLUMNS = ["ekatte", "province_code", "municipality_code", "population", "inhabited",
                  "site_id", "distance_km"]
TABLE_COLUMNS = ["site_id", "name", "settlement", "ekatte", "municipality_code",
                 "province_code", "settlements", "residents", "ngos", "chitalishta",
                 "beyond_r", "beyond_r_share"]
TIE_M = 1e-3  # distances closer than a millimetre are a tie
TIE_CANDIDATES = 8


def _active(orgs: pd.DataFrame) -> pd.DataFrame:
    return orgs[orgs["status"] == "active"] if "status" in orgs else orgs


def library_sites(orgs: pd.DataFrame) -> pd.DataFrame:
    """One row per library site: active libraries with a point, one site per point.

    The site is represented by its known library, else its smallest id (module docstring);
    sorted by site id.
    """
    lib = _active(orgs)
    lib = lib[(lib["kind"] == "library") & lib["lon"].notna() & lib["lat"].notna()]
    lib = lib.assign(presumed=lib["presumed"].astype(bool)).sort_values(["presumed", "id"])
    if len(lib) == 0:
        return pd.DataFrame(columns=SITE_COLUMNS)
    members = lib.groupby(["lon", "lat"], sort=False)["id"].agg(list)
    first = lib.drop_duplicates(["lon", "lat"]).copy()
    first["members"] = [members[(lo, la)] for lo, la in zip(first["lon"], first["lat"])]
    xy = to_metric(first["lon"], first["lat"])
    first["x"], first["y"] = xy[:, 0], xy[:, 1]
    first["site_id"] = first["id"]
    if "subtype" not in first:
        first["subtype"] = None
    out = first.reindex(columns=SITE_COLUMNS).sort_values("site_id")
    return out.reset_index(drop=True)


def _nearest(site_xy: np.ndarray, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the nearest site per point (ties: the lowest index) and its distance (m)."""
    k = min(TIE_CANDIDATES, len(site_xy))
    dist, idx = cKDTree(site_xy).query(xy, k=k)
    dist, idx = dist.reshape(len(xy), k), idx.reshape(len(xy), k)
    tied = dist <= dist[:, :1] + TIE_M
    best = np.where(tied, idx, np.iinfo(np.int64).max).min(axis=1)
    return best, dist[:, 0]


def assign(settlements: pd.DataFrame, sites: pd.DataFrame) -> pd.DataFrame:
    """Every settlement with a point and its nearest library site (straight line, km)."""
    s = settlements[settlements.geometry.notna()]
    pop = s["population_2021"].to_numpy()
    out = pd.DataFrame({"ekatte": s["ekatte"].to_numpy(),
                        "province_code": s["province_code"].to_numpy(),
                        "municipality_code": s["municipality_code"].to_numpy(),
                        "population": pop, "inhabited": pop > 0})
    if len(sites) == 0 or len(s) == 0:
        return out.assign(site_id=None, distance_km=np.nan)
    best, dist = _nearest(sites[["x", "y"]].to_numpy(float),
                          to_metric(s.geometry.x, s.geometry.y))
    out["site_id"] = sites["site_id"].to_numpy()[best]
    out["distance_km"] = np.round(dist / 1000, 3)
    return out[ASSIGN_COLUMNS]


def unserved_residents(settlements: pd.DataFrame, orgs: pd.DataFrame,
                       radius_km: float) -> pd.Series:
    """Residents per settlement (by EKATTE) with no known NGO within R anywhere, else 0.

    The straight-line test of `geo.hubs.demand`, so hub siting and catchments agree.
    """
    from geo.hubs import demand

    s, _xy, weights = demand(settlements, _active(orgs), radius_km, "ngo")
    return pd.Series(weights, index=s["ekatte"].to_numpy())


def catchment_table(settlements: pd.DataFrame, orgs: pd.DataFrame, radius_km: float,
                    provinces: list[str] | None = None,
                    municipalities: list[str] | None = None) -> pd.DataFrame:
    """One row per library site whose catchment holds chosen inhabited settlements.

    Only the chosen settlements count, so the rows partition the chosen inhabited
    settlements and their residents exactly; a site outside the chosen area keeps its own
    province code. Sorted by residents beyond R, most first.
    """
    active = _active(orgs)
    sites = library_sites(active)
    a = assign(settlements, sites)
    chosen = np.ones(len(a), bool)
    if provinces:
        chosen &= a["province_code"].isin(list(provinces)).to_numpy()
    if municipalities:
        chosen &= a["municipality_code"].isin(list(municipalities)).to_numpy()
    a = a[chosen & a["site_id"].notna().to_numpy()].copy()
    unserved = unserved_residents(settlements, active, radius_km)
    a["beyond"] = a["ekatte"].map(unserved).fillna(0).round().astype(int)
    for kind, col in (("ngo", "ngos"), ("chitalishte", "chitalishta")):
        counts = active[active["kind"] == kind]["ekatte"].value_counts()
        a[col] = a["ekatte"].map(counts).fillna(0).astype(int)
    a["residents"] = np.where(a["inhabited"], a["population"], 0)
    g = a.groupby("site_id")
    table = pd.DataFrame({"settlements": g["inhabited"].sum().astype(int),
                          "residents": g["residents"].sum().astype(int),
                          "ngos": g["ngos"].sum().astype(int),
                          "chitalishta": g["chitalishta"].sum().astype(int),
                          "beyond_r": g["beyond"].sum().astype(int)})
    table = table[table["settlements"] > 0]
    info = sites.set_index("site_id")[["name", "ekatte", "municipality_code", "province_code"]]
    table = table.join(info).reset_index()
    names = settlements.drop_duplicates("ekatte").set_index("ekatte")["name"]
    table["settlement"] = table["ekatte"].map(names)
    table["beyond_r_share"] = (table["beyond_r"] / table["residents"].where(
        table["residents"] > 0)).round(4)
    table = table.sort_values(["beyond_r", "residents", "site_id"],
                              ascending=[False, False, True])
    return table[TABLE_COLUMNS].reset_index(drop=True)
