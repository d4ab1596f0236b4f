"""Hub siting: which k sites would newly bring the most people within R of an NGO hub.

A maximal covering location problem (spopt MCLP, solved with CBC through PuLP). Clients
are settlements weighted by population; those already within R of an NGO carry no
weight, so the chosen sites cover people who have no NGO near them today. Candidates are
existing chitalishta and libraries, or, in the variant, settlement points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial.distance import cdist

from geo.coverage import organisation_points
from geo.crs import to_metric

MAX_CANDIDATES = 3000  # beyond this the cost matrix and the solver get slow: narrow the area


@dataclass(frozen=True)
class HubPlan:
    sites: pd.DataFrame  # chosen sites: id/ekatte, name, kind, lon, lat, newly_covered
    newly_covered: int  # people newly within R of a hub
    uncovered_before: int  # people with no NGO within R before


def _solve(cost: np.ndarray, weights: np.ndarray, radius_m: float, k: int) -> list[int]:
    import pulp
    from spopt.locate import MCLP

    model = MCLP.from_cost_matrix(cost, weights, service_radius=radius_m, p_facilities=k)
    model = model.solve(pulp.PULP_CBC_CMD(msg=False))
    return [j for j, v in enumerate(model.fac_vars) if v.value() and v.value() > 0.5]


def _plan(clients: pd.DataFrame, client_xy: np.ndarray, weights: np.ndarray,
          candidates: pd.DataFrame, cand_xy: np.ndarray, radius_m: float, k: int) -> HubPlan:
    uncovered = int(weights.sum())
    if len(candidates) == 0 or uncovered == 0 or k <= 0:
        return HubPlan(candidates.iloc[0:0].assign(newly_covered=[]), 0, uncovered)
    if len(candidates) > MAX_CANDIDATES:
        raise ValueError(f"{len(candidates)} candidate sites: choose fewer provinces")
    cost = cdist(client_xy, cand_xy)
    chosen = _solve(cost, weights, radius_m, min(k, len(candidates)))
    order = sorted(chosen, key=lambda j: -weights[cost[:, j] <= radius_m].sum())
    covered = np.zeros(len(clients), bool)
    gains = []
    for j in order:  # each site's own gain, after the sites listed before it
        reach = cost[:, j] <= radius_m
        gains.append(int(weights[reach & ~covered].sum()))
        covered |= reach
    sites = candidates.iloc[order].copy()
    sites["newly_covered"] = gains
    return HubPlan(sites.reset_index(drop=True), int(weights[covered].sum()), uncovered)


def _clients(settlements: pd.DataFrame, orgs: pd.DataFrame, radius_m: float):
    s = settlements[settlements.geometry.notna()].reset_index(drop=True)
    xy = to_metric(s.geometry.x, s.geometry.y)
    ngos = organisation_points(orgs[orgs["kind"] == "ngo"])
    weights = s["population_2021"].to_numpy(float)
    if len(ngos):
        near = cdist(xy, ngos[["x", "y"]].to_numpy()).min(axis=1) <= radius_m
        weights = np.where(near, 0.0, weights)
    return s, xy, weights


def existing_hubs(settlements: pd.DataFrame, orgs: pd.DataFrame, radius_km: float,
                  k: int) -> HubPlan:
    """k existing chitalishta or libraries (known or presumed) as NGO hubs."""
    radius_m = radius_km * 1000
    s, xy, weights = _clients(settlements, orgs, radius_m)
    cands = organisation_points(orgs[orgs["kind"].isin(["chitalishte", "library"])])
    # a chitalishte and its presumed library stand on one point: keep one candidate per point
    cands = cands.sort_values("kind").drop_duplicates(["x", "y"]).reset_index(drop=True)
    table = cands[["id", "name", "kind", "ekatte", "municipality_code", "lon", "lat"]]
    return _plan(s, xy, weights, table, cands[["x", "y"]].to_numpy(), radius_m, k)


def new_hubs(settlements: pd.DataFrame, orgs: pd.DataFrame, radius_km: float,
             k: int) -> HubPlan:
    """k new sites placed at settlement points."""
    radius_m = radius_km * 1000
    s, xy, weights = _clients(settlements, orgs, radius_m)
    table = pd.DataFrame({"ekatte": s["ekatte"], "name": s["name"], "kind": "settlement",
                          "municipality_code": s["municipality_code"],
                          "lon": s.geometry.x, "lat": s.geometry.y})
    return _plan(s, xy, weights, table, xy, radius_m, k)
