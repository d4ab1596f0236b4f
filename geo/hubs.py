"""Hub siting: which k sites would newly bring the most people within R of a kind.

A maximal covering location problem (as spopt's MCLP states it, built sparsely with
PuLP — only pairs within R — and solved by CBC, 40 times faster than the dense model). Clients
are the chosen settlements weighted by population; those already within R of the chosen
kind (NGO by default, counting organisations anywhere: borders do not stop people) carry
no weight, so the chosen sites reach people who have none near them today. Candidates are
existing chitalishta and libraries inside the chosen settlements (a chitalishte and its
presumed library are one candidate), or, in the variant, the settlement points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree
from scipy.spatial.distance import cdist

from civic.errors import PlanError
from geo.coverage import organisation_points
from geo.crs import to_metric

MAX_CANDIDATES = 3000  # beyond this the cost matrix and the solver get slow: narrow the area
HUB_KINDS = ("chitalishte", "library")


@dataclass(frozen=True)
class HubPlan:
    """Chosen sites, people newly within R, and people with none within R before.

    `sites` columns: id/ekatte, name, kind, settlement, municipality_code, lon, lat,
    newly_covered.
    """

    sites: pd.DataFrame
    newly_covered: int
    uncovered_before: int


def _solve(cost: np.ndarray, weights: np.ndarray, radius_m: float, k: int) -> list[int]:
    """The maximal covering location problem (as spopt's MCLP states it), built sparsely.

    Maximise the weight of clients within `radius_m` of one of k sites; CBC via PuLP.
    """
    import pulp

    reach = cost <= radius_m
    model = pulp.LpProblem("mclp", pulp.LpMaximize)
    site = [pulp.LpVariable(f"x{j}", cat="Binary") for j in range(cost.shape[1])]
    client = [pulp.LpVariable(f"y{i}", cat="Binary") for i in range(cost.shape[0])]
    model += pulp.lpSum(float(w) * y for w, y in zip(weights, client))
    for i, y in enumerate(client):
        model += y <= pulp.lpSum(site[j] for j in np.flatnonzero(reach[i]))
    model += pulp.lpSum(site) == k
    model.solve(pulp.PULP_CBC_CMD(msg=False))
    return [j for j, x in enumerate(site) if x.value() and x.value() > 0.5]


def _plan(client_xy: np.ndarray, weights: np.ndarray, candidates: pd.DataFrame,
          cand_xy: np.ndarray, radius_m: float, k: int) -> HubPlan:
    uncovered = int(weights.sum())
    if len(candidates) == 0 or uncovered == 0 or k <= 0:
        return HubPlan(candidates.iloc[0:0].assign(newly_covered=[]), 0, uncovered)
    if len(candidates) > MAX_CANDIDATES:
        raise PlanError("{n} possible hub sites are more than the planner handles ({limit}): "
                        "choose fewer provinces or municipalities",
                        n=len(candidates), limit=MAX_CANDIDATES)
    needy = weights > 0  # people already served change nothing: leave them out
    cost = cdist(client_xy[needy], cand_xy)
    w = weights[needy]
    useful = np.flatnonzero((cost <= radius_m).any(axis=0))  # sites that reach someone
    if len(useful) == 0:
        return HubPlan(candidates.iloc[0:0].assign(newly_covered=[]), 0, uncovered)
    reachable = (cost[:, useful] <= radius_m).any(axis=1)
    picked = _solve(cost[np.ix_(reachable, useful)], w[reachable], radius_m,
                    min(k, len(useful)))
    chosen = [int(useful[j]) for j in picked]
    order = sorted(chosen, key=lambda j: -w[cost[:, j] <= radius_m].sum())
    covered = np.zeros(len(w), bool)
    gains = []
    for j in order:  # each site's own gain, after the sites listed before it
        reach = cost[:, j] <= radius_m
        gains.append(int(w[reach & ~covered].sum()))
        covered |= reach
    sites = candidates.iloc[order].copy()
    sites["newly_covered"] = gains
    return HubPlan(sites.reset_index(drop=True), int(w[covered].sum()), uncovered)


def demand(settlements: pd.DataFrame, orgs: pd.DataFrame, radius_km: float,
           kind: str = "ngo") -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Settlements with a point, their metric x/y, and their unserved residents.

    Unserved: no organisation of `kind` within R (0 for the others).
    """
    s = settlements[settlements.geometry.notna()].reset_index(drop=True)
    xy = to_metric(s.geometry.x, s.geometry.y)
    served = organisation_points(orgs[orgs["kind"] == kind])
    weights = s["population_2021"].to_numpy(float)
    if len(served):
        dist, _ = cKDTree(served[["x", "y"]].to_numpy()).query(xy)
        weights = np.where(dist <= radius_km * 1000, 0.0, weights)
    return s, xy, weights


def existing_hubs(settlements: pd.DataFrame, orgs: pd.DataFrame, radius_km: float, k: int,
                  kind: str = "ngo") -> HubPlan:
    """K existing chitalishta or libraries in `settlements` as hubs for `kind`.

    `orgs` may reach beyond them: all serve the demand, only the ones inside are candidates.
    """
    s, xy, weights = demand(settlements, orgs, radius_km, kind)
    inside = orgs[orgs["ekatte"].isin(s["ekatte"]) & orgs["kind"].isin(HUB_KINDS)]
    cands = organisation_points(inside, include_presumed=False)
    cands = cands.sort_values("kind").drop_duplicates(["x", "y"]).reset_index(drop=True)
    names = dict(zip(s["ekatte"], s["name"]))
    table = cands[["id", "name", "kind", "ekatte", "municipality_code", "lon", "lat"]].assign(
        settlement=cands["ekatte"].map(names))
    return _plan(xy, weights, table, cands[["x", "y"]].to_numpy(), radius_km * 1000, k)


def new_hubs(settlements: pd.DataFrame, orgs: pd.DataFrame, radius_km: float, k: int,
             kind: str = "ngo") -> HubPlan:
    """K new sites placed at settlement points."""
    s, xy, weights = demand(settlements, orgs, radius_km, kind)
    table = pd.DataFrame({"ekatte": s["ekatte"], "name": s["name"], "kind": "settlement",
                          "settlement": s["name"],
                          "municipality_code": s["municipality_code"],
                          "lon": s.geometry.x, "lat": s.geometry.y})
    return _plan(xy, weights, table, xy, radius_km * 1000, k)
