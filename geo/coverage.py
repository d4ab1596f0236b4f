"""Coverage of settlements and municipalities by organisations, for any filtered set.

Distances are straight lines in EPSG:7801. Per settlement: distance to the nearest
organisation of each kind and of any chosen kind, counts within the radius R and inside
the settlement, a gap flag, a civic presence index and a 2SFCA accessibility score.

Civic presence index (0-100): the mean, over the chosen kinds, of a proximity score per
kind — 1 when the settlement has one of its own, else 1 - d/(2R) for the nearest one at
distance d, and 0 from 2R on — times 100. "Within R" counts 50 points; "in the village"
counts them all.

2SFCA (PySAL `access`): supply is organisations with weights per kind (SUPPLY_WEIGHTS),
demand is the 2021 population, the catchment is R; the score is organisations reachable
per 10,000 residents.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from geo.crs import to_metric

KINDS = ("ngo", "chitalishte", "library")
# 2SFCA supply weights: a presumed chitalishte library counts half a known library.
SUPPLY_WEIGHTS = {"ngo": 1.0, "chitalishte": 1.0, "library": 1.0, "library_presumed": 0.5}
PER = 10_000


@dataclass(frozen=True)
class Options:
    radius_km: float = 10.0
    kinds: tuple[str, ...] = KINDS
    include_presumed_libraries: bool = True


def organisation_points(orgs: pd.DataFrame, include_presumed: bool = True) -> pd.DataFrame:
    """Organisations with a point: kind, weight key, EKATTE and metric x/y."""
    o = orgs[orgs["lon"].notna() & orgs["lat"].notna()]
    if not include_presumed:
        o = o[~o["presumed"].astype(bool)]
    xy = to_metric(o["lon"], o["lat"]) if len(o) else np.empty((0, 2))
    presumed = o["presumed"].astype(bool).to_numpy()
    weight_key = np.where((o["kind"] == "library").to_numpy() & presumed, "library_presumed",
                          o["kind"].to_numpy())
    return pd.DataFrame({"id": o["id"].to_numpy(), "kind": o["kind"].to_numpy(),
                         "name": o["name"].to_numpy(), "weight_key": weight_key,
                         "ekatte": o["ekatte"].to_numpy(),
                         "municipality_code": o["municipality_code"].to_numpy(),
                         "lon": o["lon"].to_numpy(), "lat": o["lat"].to_numpy(),
                         "x": xy[:, 0], "y": xy[:, 1]})


def _nearest_and_within(tree_xy: np.ndarray, xy: np.ndarray, radius_m: float):
    if len(tree_xy) == 0:
        return np.full(len(xy), np.inf), np.zeros(len(xy), dtype=int)
    tree = cKDTree(tree_xy)
    dist, _ = tree.query(xy, workers=-1)
    within = tree.query_ball_point(xy, radius_m, return_length=True, workers=-1)
    return dist, np.asarray(within, dtype=int)


def settlement_coverage(settlements: pd.DataFrame, orgs: pd.DataFrame, options: Options,
                        with_access: bool = True) -> pd.DataFrame:
    """One row per settlement with a point: the coverage columns of `civicmap coverage`."""
    s = settlements[settlements.geometry.notna()]
    xy = to_metric(s.geometry.x, s.geometry.y)
    pts = organisation_points(orgs, options.include_presumed_libraries)
    radius_m = options.radius_km * 1000
    out = pd.DataFrame({
        "ekatte": s["ekatte"].to_numpy(), "settlement": s["name"].to_numpy(),
        "municipality_code": s["municipality_code"].to_numpy(),
        "province_code": s["province_code"].to_numpy(),
        "population": s["population_2021"].to_numpy(),
    })
    chosen = [k for k in KINDS if k in options.kinds]
    for kind in KINDS:
        mine = pts[pts["kind"] == kind]
        dist, within = _nearest_and_within(mine[["x", "y"]].to_numpy(), xy, radius_m)
        out[f"nearest_{kind}_km"] = np.round(dist / 1000, 3)
        out[f"within_r_{kind}"] = within
        inside = mine["ekatte"].value_counts()
        out[f"in_settlement_{kind}"] = out["ekatte"].map(inside).fillna(0).astype(int)
    # the kinds partition the organisations: "any" is the nearest and the sum of the chosen
    out["nearest_any_km"] = out[[f"nearest_{k}_km" for k in chosen]].min(axis=1) if chosen \
        else np.inf
    out["within_r_any"] = out[[f"within_r_{k}" for k in chosen]].sum(axis=1) if chosen else 0
    any_pts = pts[pts["kind"].isin(chosen)]
    out["gap"] = (out["population"] > 0) & (out["within_r_any"] == 0)
    out["presence_index"] = presence_index(out, chosen, options.radius_km)
    if with_access:
        out["access_2sfca"] = access_2sfca(out, xy, any_pts, radius_m)
    return out


def presence_index(cov: pd.DataFrame, kinds: list[str], radius_km: float) -> np.ndarray:
    """The civic presence index (module docstring), 0-100, rounded."""
    if not kinds:
        return np.zeros(len(cov), dtype=int)
    scores = []
    for kind in kinds:
        d = cov[f"nearest_{kind}_km"].to_numpy(float)
        near = np.clip(1 - d / (2 * radius_km), 0, 1)
        scores.append(np.where(cov[f"in_settlement_{kind}"].to_numpy() > 0, 1.0, near))
    return np.round(100 * np.mean(scores, axis=0)).astype(int)


def access_2sfca(cov: pd.DataFrame, xy: np.ndarray, pts: pd.DataFrame,
                 radius_m: float) -> np.ndarray:
    """Organisations reachable per 10,000 residents (2SFCA through PySAL `access`)."""
    import access

    if len(pts) == 0:
        return np.zeros(len(cov))
    tree = cKDTree(pts[["x", "y"]].to_numpy())
    pairs = tree.query_ball_point(xy, radius_m)
    origin = np.repeat(np.arange(len(xy)), [len(p) for p in pairs])
    dest = np.concatenate([np.asarray(p, dtype=int) for p in pairs]) if len(origin) else []
    if len(origin) == 0:
        return np.zeros(len(cov))
    dx = xy[origin] - pts[["x", "y"]].to_numpy()[dest]
    costs = pd.DataFrame({"origin": origin, "dest": dest, "cost": np.hypot(dx[:, 0], dx[:, 1])})
    demand = pd.DataFrame({"origin": np.arange(len(cov)),
                           "population": cov["population"].to_numpy(float)})
    supply = pd.DataFrame({"dest": np.arange(len(pts)),
                           "weight": pts["weight_key"].map(SUPPLY_WEIGHTS).to_numpy(float)})
    model = access.Access(demand_df=demand, demand_index="origin", demand_value="population",
                          supply_df=supply, supply_index="dest", supply_value="weight",
                          cost_df=costs, cost_origin="origin", cost_dest="dest",
                          cost_name="cost")
    scores = model.two_stage_fca(name="s", max_cost=radius_m, normalize=False)
    values = scores.iloc[:, 0].reindex(range(len(cov))).fillna(0).to_numpy()
    return np.round(values * PER, 3)


def municipality_coverage(cov: pd.DataFrame, orgs: pd.DataFrame,
                          municipalities: pd.DataFrame, options: Options,
                          provinces: list[str] | None = None) -> pd.DataFrame:
    """Per municipality: population, counts by kind and per 10,000, residents beyond R,
    gap settlements and their population, and ranks nationally and among `provinces`."""
    m = municipalities[["code", "province_code", "name", "population"]].rename(
        columns={"code": "municipality_code", "name": "municipality"})
    pts = organisation_points(orgs, options.include_presumed_libraries)
    counts = pts.groupby(["municipality_code", "kind"]).size().unstack(fill_value=0)
    for kind in KINDS:
        m[f"count_{kind}"] = m["municipality_code"].map(
            counts[kind] if kind in counts else pd.Series(dtype=int)).fillna(0).astype(int)
        m[f"per_10k_{kind}"] = np.round(m[f"count_{kind}"] / m["population"] * PER, 2)
    chosen = [k for k in KINDS if k in options.kinds]
    m["count_any"] = m[[f"count_{k}" for k in chosen]].sum(axis=1) if chosen else 0
    m["per_10k_any"] = np.round(m["count_any"] / m["population"] * PER, 2)
    beyond = cov[cov["within_r_any"] == 0].groupby("municipality_code")["population"].sum()
    gaps = cov[cov["gap"]].groupby("municipality_code")["population"].agg(["size", "sum"])
    m["residents_beyond_r"] = m["municipality_code"].map(beyond).fillna(0).astype(int)
    m["share_beyond_r"] = np.round(m["residents_beyond_r"] / m["population"], 4)
    m["gap_settlements"] = m["municipality_code"].map(gaps["size"]).fillna(0).astype(int)
    m["gap_population"] = m["municipality_code"].map(gaps["sum"]).fillna(0).astype(int)
    # Rank 1 is the best covered: the smallest share of residents beyond R.
    m["rank_national"] = m["share_beyond_r"].rank(method="min").astype(int)
    scope = m["province_code"].isin(provinces) if provinces else np.ones(len(m), bool)
    m["rank_in_selection"] = np.nan
    m.loc[scope, "rank_in_selection"] = m.loc[scope, "share_beyond_r"].rank(method="min")
    m["rank_in_selection"] = m["rank_in_selection"].astype("Int64")
    return m.sort_values("municipality_code").reset_index(drop=True)
