"""Coverage of settlements, municipalities and provinces, measured per kind.

One model, used by every surface (Coverage page, Regions, the Compass, the CLI, exports).
Distances are straight lines in EPSG:7801.

Kinds measured: `ngo`, `chitalishte`, `library` and `any`.
- `library` means a library known by name; with `include_presumed_libraries` it also
  counts the library every chitalishte keeps (at the chitalishte's point).
- `any` is any organisation of the chosen kinds, each counted once: a presumed library is
  part of its chitalishte, never a second organisation (so it never enters `any`, a
  per-10,000 figure or a hub list).

Per settlement and kind: distance to the nearest (km), organisations within R, own
organisations, and `beyond_<kind>` (nothing within R; with R = 0, "own settlement", none
of its own). Per area (`summarise`): inhabited settlements (2021 population > 0),
residents, settlements without one of their own, residents beyond R, their share and the
population-weighted mean distance to the nearest (km).

Civic presence index (0-100): the mean, over the chosen kinds, of 1 when the settlement has
one of its own, else 1 - d/(2R) for the nearest at d km, never below 0; times 100.

2SFCA (PySAL `access`): supply is every organisation counted in `any` (weight 1), demand
the 2021 population, catchment R (at least 1 km); the score is organisations reachable per
10,000 residents. It is 0 exactly where nothing is within R, so a list of gap settlements
shows 0 by definition; elsewhere it is positive.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from geo.crs import to_metric

KINDS = ("ngo", "chitalishte", "library")
MEASURED = (*KINDS, "any")
PER = 10_000
MIN_CATCHMENT_KM = 1.0


@dataclass(frozen=True)
class Options:
    """What counts.

    The radius R in km (0 = own settlement), the kinds in `any`, and whether presumed
    chitalishte libraries count as libraries.
    """

    radius_km: float = 10.0
    kinds: tuple[str, ...] = KINDS
    include_presumed_libraries: bool = False


def library_definition(include_presumed: bool) -> str:
    """The machine name of the library definition in use."""
    return "known_and_presumed" if include_presumed else "known_by_name"


def organisation_points(orgs: pd.DataFrame, include_presumed: bool = False) -> pd.DataFrame:
    """Organisations with a point: id, kind, presumed flag, EKATTE, lon/lat, metric x/y."""
    o = orgs[orgs["lon"].notna() & orgs["lat"].notna()]
    if not include_presumed:
        o = o[~o["presumed"].astype(bool)]
    xy = to_metric(o["lon"], o["lat"]) if len(o) else np.empty((0, 2))
    return pd.DataFrame({"id": o["id"].to_numpy(), "kind": o["kind"].to_numpy(),
                         "name": o["name"].to_numpy(),
                         "presumed": o["presumed"].astype(bool).to_numpy(),
                         "ekatte": o["ekatte"].to_numpy(),
                         "municipality_code": o["municipality_code"].to_numpy(),
                         "lon": o["lon"].to_numpy(), "lat": o["lat"].to_numpy(),
                         "x": xy[:, 0], "y": xy[:, 1]})


def kind_points(pts: pd.DataFrame, kind: str, chosen: tuple[str, ...]) -> pd.DataFrame:
    """The points that stand for `kind`.

    For `any`: the chosen kinds without presumed libraries (each organisation once).
    """
    if kind == "any":
        return pts[pts["kind"].isin(chosen) & ~pts["presumed"]]
    return pts[pts["kind"] == kind]


def _nearest_and_within(tree_xy: np.ndarray, xy: np.ndarray, radius_m: float):
    if len(tree_xy) == 0:
        return np.full(len(xy), np.inf), np.zeros(len(xy), dtype=int)
    tree = cKDTree(tree_xy)
    dist, _ = tree.query(xy)
    if radius_m <= 0:
        return dist, np.zeros(len(xy), dtype=int)
    within = tree.query_ball_point(xy, radius_m, return_length=True)
    return dist, np.asarray(within, dtype=int)


def settlement_coverage(settlements: pd.DataFrame, orgs: pd.DataFrame, options: Options,
                        with_access: bool = True) -> pd.DataFrame:
    """One row per settlement with a point, with the per-kind columns (module docstring)."""
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
    inhabited = out["population"].to_numpy() > 0
    chosen = tuple(k for k in KINDS if k in options.kinds)
    for kind in MEASURED:
        mine = kind_points(pts, kind, chosen)
        dist, within = _nearest_and_within(mine[["x", "y"]].to_numpy(), xy, radius_m)
        own = out["ekatte"].map(mine["ekatte"].value_counts()).fillna(0).astype(int)
        if radius_m <= 0:
            within = own.to_numpy()
        out[f"nearest_{kind}_km"] = np.round(dist / 1000, 3)
        out[f"within_r_{kind}"] = within
        out[f"in_settlement_{kind}"] = own
        out[f"beyond_{kind}"] = within == 0
        out[f"gap_{kind}"] = inhabited & (within == 0)
    out["gap"] = out["gap_any"]
    out["presence_index"] = presence_index(out, list(chosen), options.radius_km)
    if with_access:
        catchment = max(options.radius_km, MIN_CATCHMENT_KM) * 1000
        out["access_2sfca"] = access_2sfca(out, xy, kind_points(pts, "any", chosen), catchment)
    return out


def presence_index(cov: pd.DataFrame, kinds: list[str], radius_km: float) -> np.ndarray:
    """The civic presence index (module docstring), 0-100, rounded."""
    if not kinds:
        return np.zeros(len(cov), dtype=int)
    r = max(radius_km, MIN_CATCHMENT_KM)
    scores = []
    for kind in kinds:
        d = cov[f"nearest_{kind}_km"].to_numpy(float)
        near = np.clip(1 - d / (2 * r), 0, 1)
        scores.append(np.where(cov[f"in_settlement_{kind}"].to_numpy() > 0, 1.0, near))
    return np.round(100 * np.mean(scores, axis=0)).astype(int)


def access_2sfca(cov: pd.DataFrame, xy: np.ndarray, pts: pd.DataFrame,
                 radius_m: float) -> np.ndarray:
    """Organisations reachable per 10,000 residents (2SFCA through PySAL `access`)."""
    import access

    if len(pts) == 0:
        return np.zeros(len(cov))
    pxy = pts[["x", "y"]].to_numpy()
    pairs = cKDTree(pxy).query_ball_point(xy, radius_m)
    origin = np.repeat(np.arange(len(xy)), [len(p) for p in pairs])
    if len(origin) == 0:
        return np.zeros(len(cov))
    dest = np.concatenate([np.asarray(p, dtype=int) for p in pairs])
    dx = xy[origin] - pxy[dest]
    costs = pd.DataFrame({"origin": origin, "dest": dest, "cost": np.hypot(dx[:, 0], dx[:, 1])})
    demand = pd.DataFrame({"origin": np.arange(len(cov)),
                           "population": cov["population"].to_numpy(float)})
    supply = pd.DataFrame({"dest": np.arange(len(pts)), "weight": np.ones(len(pts))})
    model = access.Access(demand_df=demand, demand_index="origin", demand_value="population",
                          supply_df=supply, supply_index="dest", supply_value="weight",
                          cost_df=costs, cost_origin="origin", cost_dest="dest",
                          cost_name="cost")
    scores = model.two_stage_fca(name="s", max_cost=radius_m, normalize=False)
    values = scores.iloc[:, 0].reindex(range(len(cov))).fillna(0).to_numpy()
    return np.round(values * PER, 3)


def summarise(cov: pd.DataFrame, by: str) -> pd.DataFrame:
    """The gap figures per kind for each value of `by` (a province or municipality code).

    Columns: inhabited settlements, residents and, per measured kind,
    `<kind>_settlements_without_own`, `<kind>_residents_beyond_r`,
    `<kind>_share_beyond_r` (0-1) and `<kind>_pw_mean_km` (population-weighted mean
    distance to the nearest). Only inhabited settlements count.
    """
    c = cov[cov["population"] > 0]
    pop = c["population"].astype(float)
    frame = pd.DataFrame({by: c[by], "population": pop})
    for kind in MEASURED:
        frame[f"{kind}_without_own"] = (c[f"in_settlement_{kind}"] == 0).astype(int)
        frame[f"{kind}_beyond"] = np.where(c[f"beyond_{kind}"], pop, 0.0)
        dist = c[f"nearest_{kind}_km"].replace(np.inf, np.nan)
        frame[f"{kind}_pd"] = dist * pop
        frame[f"{kind}_pw"] = np.where(dist.notna(), pop, 0.0)
    g = frame.groupby(by)
    out = pd.DataFrame({"inhabited_settlements": g.size(),
                        "residents": g["population"].sum().round().astype(int)})
    for kind in MEASURED:
        out[f"{kind}_settlements_without_own"] = g[f"{kind}_without_own"].sum().astype(int)
        out[f"{kind}_residents_beyond_r"] = g[f"{kind}_beyond"].sum().round().astype(int)
        out[f"{kind}_share_beyond_r"] = np.round(
            out[f"{kind}_residents_beyond_r"] / out["residents"].where(out["residents"] > 0),
            4)
        weight = g[f"{kind}_pw"].sum()
        out[f"{kind}_pw_mean_km"] = np.round(g[f"{kind}_pd"].sum() / weight.where(weight > 0),
                                             2)
    return out


def organisation_counts(orgs: pd.DataFrame, options: Options, by: str) -> pd.DataFrame:
    """Organisations per value of `by`, each organisation once.

    Columns: `count_<kind>` (libraries by the chosen definition), `count_library_presumed`,
    and `count_any` (a chitalishte and its presumed library are one organisation).
    """
    o = orgs[orgs["kind"].isin(KINDS)]
    presumed = o["presumed"].astype(bool)
    out = pd.DataFrame(index=pd.Index(sorted(o[by].dropna().unique()), name=by))
    for kind in KINDS:
        mine = o[(o["kind"] == kind) & (~presumed | options.include_presumed_libraries)]
        out[f"count_{kind}"] = mine.groupby(by).size()
    out["count_library_presumed"] = o[(o["kind"] == "library") & presumed].groupby(by).size()
    chosen = o[o["kind"].isin(options.kinds) & ~presumed]
    out["count_any"] = chosen.groupby(by).size()
    return out.fillna(0).astype(int)


def rank_key(share: pd.Series, pw_km: pd.Series) -> pd.Series:
    """A sort key: the share beyond R first, then the population-weighted distance."""
    return np.round(share.fillna(1.0), 4) * 1e7 + pw_km.fillna(999.0).clip(upper=999.0)


def municipality_coverage(cov: pd.DataFrame, orgs: pd.DataFrame,
                          municipalities: pd.DataFrame, options: Options,
                          provinces: list[str] | None = None,
                          focus: str = "any") -> pd.DataFrame:
    """The municipality table: counts, per 10,000 and gap figures per kind.

    Population, organisation counts and per 10,000 (each organisation once), the
    `summarise` columns per kind, and for the `focus` kind the plain columns
    residents_beyond_r, share_beyond_r, pw_mean_km, gap_settlements, gap_population and
    ranks (1 = best served: smallest share beyond R, then shortest distance) nationally
    and among `provinces`.
    """
    m = municipalities[["code", "province_code", "name", "population"]].rename(
        columns={"code": "municipality_code", "name": "municipality"})
    if "name_latin" in municipalities:
        m["municipality_latin"] = municipalities["name_latin"].to_numpy()
    counts = organisation_counts(orgs, options, "municipality_code")
    m = m.join(counts, on="municipality_code")
    for col in counts:
        m[col] = m[col].fillna(0).astype(int)
    for kind in (*KINDS, "any"):
        m[f"per_10k_{kind}"] = np.round(m[f"count_{kind}"] / m["population"] * PER, 2)
    m = m.join(summarise(cov, "municipality_code"), on="municipality_code")
    m["residents_beyond_r"] = m[f"{focus}_residents_beyond_r"].fillna(0).astype(int)
    m["share_beyond_r"] = m[f"{focus}_share_beyond_r"].fillna(0.0)
    m["pw_mean_km"] = m[f"{focus}_pw_mean_km"]
    gaps = cov[cov[f"gap_{focus}"]].groupby("municipality_code")["population"].agg(
        ["size", "sum"])
    m["gap_settlements"] = m["municipality_code"].map(gaps["size"]).fillna(0).astype(int)
    m["gap_population"] = m["municipality_code"].map(gaps["sum"]).fillna(0).astype(int)
    key = rank_key(m["share_beyond_r"], m["pw_mean_km"])
    m["rank_national"] = key.rank(method="min").astype(int)
    scope = m["province_code"].isin(provinces) if provinces else np.ones(len(m), bool)
    m["rank_in_selection"] = key.where(scope).rank(method="min").astype("Int64")
    return m.sort_values("municipality_code").reset_index(drop=True)
