"""Hub siting: which k sites would newly bring the most people within R of a kind.

A maximal covering location problem (as spopt's MCLP states it, built sparsely with
PuLP — only pairs within R — and solved by CBC, 40 times faster than the dense model). Clients
are the chosen settlements weighted by population; those already within R of the chosen
kind (NGO by default, counting organisations anywhere: borders do not stop people) carry
no weight, so the chosen sites reach people who have none near them today. Candidates are
existing chitalishta and libraries inside the chosen settlements (a chitalishte and its
presumed library are one candidate), or, in the variant, the settlement points.

At national scale (`national_hubs`, and whenever the candidates exceed MAX_CANDIDATES) the
exact model is replaced by a decomposition: the MCLP is solved per province (k sites each,
or fewer where fewer sites reach anyone, counting that province's clients), the chosen
sites are pooled with the k of a greedy plan over every site (which sees sites across
province borders), and the MCLP is solved once more over the pool for all the clients
with k. The objective is the same. Each model there starts from a greedy plan (the pooled one
also from the best province's plan grown greedily) and stops at a time limit (2 s per
province, what is left of 10 s for the pool), so the whole country takes seconds; the plan
is never worse than the best province's plan alone, and `method` says when a model was
stopped before CBC proved its plan optimal (over the pool; never over every site). Reach is
always built sparsely (a k-d tree's pairs within R; clients reached by the same sites
merged): no dense national distance matrix.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.spatial import cKDTree

from geo.coverage import organisation_points
from geo.crs import to_metric

MAX_CANDIDATES = 3000  # beyond this one exact model gets slow: decompose by province
EXACT = "mclp: exact over all candidate sites (CBC)"
DECOMPOSED = ("decomposition: MCLP per province (k sites each), then MCLP over those sites "
              "and a greedy plan's k for the whole area with k (CBC)")
HUB_KINDS = ("chitalishte", "library")
PROVINCE_SECONDS = 2.0  # each province's model stops here with the best plan found
BUDGET_SECONDS = 10.0  # the pooled model gets what is left of this, at least:
MIN_FINAL_SECONDS = 3.0
TIME_LIMITED = ("a model stopped at its time limit: the best plan found, not proven "
                "optimal, never worse than the greedy plan")


@dataclass(frozen=True)
class HubPlan:
    """Chosen sites, people newly within R, people with none within R before, the method.

    `sites` columns: id/ekatte, name, kind, settlement, municipality_code, lon, lat,
    newly_covered.
    """

    sites: pd.DataFrame
    newly_covered: int
    uncovered_before: int
    method: str = EXACT


def _reach(client_xy: np.ndarray, cand_xy: np.ndarray, radius_m: float) -> sparse.csr_matrix:
    """Clients x candidates, True where the candidate is within R (pairs from a k-d tree)."""
    if len(client_xy) == 0 or len(cand_xy) == 0:
        return sparse.csr_matrix((len(client_xy), len(cand_xy)), dtype=bool)
    pairs = cKDTree(cand_xy).query_ball_point(client_xy, radius_m)
    rows = np.repeat(np.arange(len(client_xy)), [len(p) for p in pairs])
    cols = np.fromiter((j for p in pairs for j in p), dtype=np.int64, count=len(rows))
    return sparse.csr_matrix((np.ones(len(rows), bool), (rows, cols)),
                             shape=(len(client_xy), len(cand_xy)))


def _covered(reach: sparse.csr_matrix, w: np.ndarray, picked: list[int]) -> float:
    """The weight of the clients (rows) that one of the `picked` columns reaches."""
    if not picked:
        return 0.0
    return float(w[reach[:, picked].getnnz(axis=1) > 0].sum())


def _greedy(reach: sparse.csr_matrix, w: np.ndarray, k: int,
            start: list[int] | tuple = ()) -> list[int]:
    """K columns, greedily by the weight each newly reaches, after the `start` ones.

    A starting plan for the solver and its fallback; ties and zero gains take the lowest
    column, so there are always exactly k (at most the number of columns).
    """
    csc = reach.tocsc()
    chosen = list(start)[:k]
    covered = reach[:, chosen].getnnz(axis=1) > 0 if chosen else np.zeros(len(w), bool)
    while len(chosen) < min(k, csc.shape[1]):
        gains = csc.T @ np.where(covered, 0.0, w)
        gains[chosen] = -1.0
        j = int(np.argmax(gains))
        chosen.append(j)
        covered[csc.indices[csc.indptr[j]:csc.indptr[j + 1]]] = True
    return chosen


def _solve(reach: sparse.csr_matrix, weights: np.ndarray, k: int,
           start: list[int] | None = None,
           seconds: float | None = None) -> tuple[list[int], bool]:
    """The maximal covering location problem (as spopt's MCLP states it), built sparsely.

    Maximise the weight of clients (rows) reached by one of k sites (columns); CBC via PuLP,
    from the `start` plan if given, stopped after `seconds` if given. Returns the plan and
    whether CBC proved it optimal; never a plan worse than `start`.
    """
    import pulp

    model = pulp.LpProblem("mclp", pulp.LpMaximize)
    site = [pulp.LpVariable(f"x{j}", cat="Binary") for j in range(reach.shape[1])]
    client = [pulp.LpVariable(f"y{i}", cat="Binary") for i in range(reach.shape[0])]
    model += pulp.lpSum(float(w) * y for w, y in zip(weights, client))
    for i, y in enumerate(client):
        model += y <= pulp.lpSum(site[j] for j in reach.indices[reach.indptr[i]:
                                                                reach.indptr[i + 1]])
    model += pulp.lpSum(site) == k
    if start is not None:
        on = set(start)
        hit = reach[:, list(on)].getnnz(axis=1) > 0
        for j, x in enumerate(site):
            x.setInitialValue(1 if j in on else 0)
        for i, y in enumerate(client):
            y.setInitialValue(1 if hit[i] else 0)
    model.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=seconds, warmStart=start is not None))
    picked = [j for j, x in enumerate(site) if x.value() and x.value() > 0.5]
    optimal = model.sol_status == pulp.LpSolutionOptimal and len(picked) == k
    if start is not None and (len(picked) != k or _covered(reach, weights, picked)
                              < _covered(reach, weights, start)):
        return list(start), False
    return picked, optimal


def _best(reach: sparse.csr_matrix, w: np.ndarray, cols: np.ndarray, k: int,
          seconds: float | None = None,
          seed: list[int] | None = None) -> tuple[list[int], bool]:
    """The MCLP restricted to candidate columns `cols`: chosen columns (global indices).

    Clients reached by the same sites are merged (their weights added) first. With
    `seconds`, the solver starts from the better of the greedy plan and the greedy plan
    grown from `seed` (global columns), and stops after `seconds`. Also returns whether the
    plan is proven optimal.
    """
    sub = reach[:, cols].tocsc()
    useful = np.flatnonzero(np.diff(sub.indptr) > 0)  # sites that reach someone
    if len(useful) == 0 or k <= 0:
        return [], True
    sub = sub[:, useful].tocsr()
    reachable = np.flatnonzero(np.diff(sub.indptr) > 0)
    keys = [sub.indices[sub.indptr[i]:sub.indptr[i + 1]].tobytes() for i in reachable]
    group = pd.factorize(pd.Series(keys))[0]
    merged_w = np.bincount(group, weights=w[reachable])
    first = pd.Series(reachable).groupby(group).first().to_numpy()
    merged = sub[first]
    k = min(k, len(useful))
    start = None
    if seconds is not None:
        local = {int(c): j for j, c in enumerate(cols[useful])}
        plans = [_greedy(merged, merged_w, k)]
        if seed:
            plans.append(_greedy(merged, merged_w, k, [local[c] for c in seed if c in local]))
        start = max(plans, key=lambda p: _covered(merged, merged_w, p))
    picked, optimal = _solve(merged, merged_w, k, start, seconds)
    return [int(cols[useful[j]]) for j in picked], optimal


def _result(candidates: pd.DataFrame, reach: sparse.csr_matrix, w: np.ndarray,
            chosen: list[int], uncovered: int, method: str) -> HubPlan:
    """Sites in order of reach, each with its own gain after the sites listed before it."""
    cols = reach.tocsc()
    members = {j: cols.indices[cols.indptr[j]:cols.indptr[j + 1]] for j in chosen}
    order = sorted(chosen, key=lambda j: (-w[members[j]].sum(), j))
    covered = np.zeros(len(w), bool)
    gains = []
    for j in order:
        hit = np.zeros(len(w), bool)
        hit[members[j]] = True
        gains.append(int(w[hit & ~covered].sum()))
        covered |= hit
    sites = candidates.iloc[order].copy()
    sites["newly_covered"] = gains
    return HubPlan(sites.reset_index(drop=True), int(w[covered].sum()), uncovered, method)


def _plan(client_xy: np.ndarray, weights: np.ndarray, candidates: pd.DataFrame,
          cand_xy: np.ndarray, radius_m: float, k: int,
          client_group: np.ndarray | None = None,
          cand_group: np.ndarray | None = None) -> HubPlan:
    """The exact MCLP, or the decomposition by group (province) when asked or too large."""
    uncovered = int(weights.sum())
    decompose = cand_group is not None and (client_group is not None)
    method = DECOMPOSED if decompose else EXACT
    if len(candidates) == 0 or uncovered == 0 or k <= 0:
        return HubPlan(candidates.iloc[0:0].assign(newly_covered=[]), 0, uncovered, method)
    needy = weights > 0  # people already served change nothing: leave them out
    reach = _reach(client_xy[needy], cand_xy, radius_m)
    w = weights[needy]
    every = np.arange(len(candidates))
    if not decompose:
        chosen, _optimal = _best(reach, w, every, k)
        return _result(candidates, reach, w, chosen, uncovered, method)
    started = time.monotonic()
    pool: set[int] = set()
    plans, proven = [], True
    groups = client_group[needy]
    for group in pd.unique(cand_group):
        mine = groups == group
        chosen, optimal = _best(reach[mine], w[mine], every[cand_group == group], k,
                                PROVINCE_SECONDS)
        pool.update(chosen)
        plans.append(chosen)
        proven &= optimal
    best_alone = max(plans, key=lambda p: _covered(reach, w, p))  # seeds the last model
    pool.update(_greedy(reach, w, k))  # and the greedy plan over every site
    left = max(MIN_FINAL_SECONDS, BUDGET_SECONDS - (time.monotonic() - started))
    chosen, optimal = _best(reach, w, np.array(sorted(pool), dtype=np.int64), k, left,
                            best_alone)
    method = method if proven and optimal else f"{method}; {TIME_LIMITED}"
    return _result(candidates, reach, w, chosen, uncovered, method)


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


def _existing_candidates(s: pd.DataFrame, orgs: pd.DataFrame) -> pd.DataFrame:
    """Chitalishta and libraries in `s`, one per point (a chitalishte before its library)."""
    inside = orgs[orgs["ekatte"].isin(s["ekatte"]) & orgs["kind"].isin(HUB_KINDS)]
    cands = organisation_points(inside, include_presumed=False)
    cands = cands.sort_values(["kind", "id"]).drop_duplicates(["x", "y"])
    cands = cands.reset_index(drop=True)
    names = dict(zip(s["ekatte"], s["name"]))
    return cands.assign(settlement=cands["ekatte"].map(names))


SITE_COLUMNS = ["id", "name", "kind", "ekatte", "municipality_code", "lon", "lat", "settlement"]


def existing_hubs(settlements: pd.DataFrame, orgs: pd.DataFrame, radius_km: float, k: int,
                  kind: str = "ngo") -> HubPlan:
    """K existing chitalishta or libraries in `settlements` as hubs for `kind`.

    `orgs` may reach beyond them: all serve the demand, only the ones inside are candidates.
    More than MAX_CANDIDATES candidates: the decomposition by province (`national_hubs`).
    """
    s, xy, weights = demand(settlements, orgs, radius_km, kind)
    cands = _existing_candidates(s, orgs)
    if len(cands) > MAX_CANDIDATES:
        return national_hubs(settlements, orgs, radius_km, k, kind)
    return _plan(xy, weights, cands[SITE_COLUMNS], cands[["x", "y"]].to_numpy(),
                 radius_km * 1000, k)


def national_hubs(settlements: pd.DataFrame, orgs: pd.DataFrame, radius_km: float, k: int,
                  kind: str = "ngo") -> HubPlan:
    """K existing chitalishta or libraries for the whole of `settlements`, by decomposition.

    The MCLP per province, then over the pooled sites for all of `settlements` (module
    docstring); demand and objective as in `existing_hubs`.
    """
    s, xy, weights = demand(settlements, orgs, radius_km, kind)
    cands = _existing_candidates(s, orgs)
    province = dict(zip(s["ekatte"], s["province_code"]))
    return _plan(xy, weights, cands[SITE_COLUMNS], cands[["x", "y"]].to_numpy(),
                 radius_km * 1000, k, s["province_code"].to_numpy(),
                 cands["ekatte"].map(province).to_numpy())


def new_hubs(settlements: pd.DataFrame, orgs: pd.DataFrame, radius_km: float, k: int,
             kind: str = "ngo") -> HubPlan:
    """K new sites placed at settlement points (decomposed by province beyond MAX_CANDIDATES)."""
    s, xy, weights = demand(settlements, orgs, radius_km, kind)
    table = pd.DataFrame({"ekatte": s["ekatte"], "name": s["name"], "kind": "settlement",
                          "settlement": s["name"],
                          "municipality_code": s["municipality_code"],
                          "lon": s.geometry.x, "lat": s.geometry.y})
    groups = s["province_code"].to_numpy() if len(table) > MAX_CANDIDATES else None
    return _plan(xy, weights, table, xy, radius_km * 1000, k, groups, groups)
