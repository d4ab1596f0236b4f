"""Published civic actions in the analysis: per municipality, settlements without one, counts.

What counts, everywhere in this module:
- only published actions (an ended published action is "past" and still counts for the
  last 12 months); proposed and cancelled actions never count;
- an action counts once however many times it recurs: it is "in the last 12 months" when
  any occurrence overlaps the 12 months before now, "upcoming" when an occurrence has not
  ended by now and starts within the Actions page's upcoming window (about a year). A
  recurring or running action can be both;
- online actions are placed in no municipality or settlement: they are counted apart
  (`online_actions`) and never enter a per-municipality figure or a distance;
- an action's place is its point, else its settlement's centre. Distances are straight
  lines in EPSG:7801, as in `geo.coverage`.

These are the published actions the store knows, never all that happen in a place.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import numpy as np
import pandas as pd
from dateutil.relativedelta import relativedelta
from scipy.spatial import cKDTree

from civic.action import occurrences, window
from geo.coverage import PER
from geo.crs import to_metric

LOOKBACK = relativedelta(months=12)


def _plain(value):
    """NaN and pandas' missing values as None (rows read through pandas)."""
    try:
        return None if value is pd.NA or value != value else value
    except (TypeError, ValueError):
        return value


def _record(row: Mapping) -> dict:
    return {k: _plain(v) for k, v in row.items()}


def _online(actions: pd.DataFrame) -> pd.Series:
    if "online" not in actions:
        return pd.Series(False, index=actions.index)
    return actions["online"].map(lambda v: bool(_plain(v))).astype(bool)


def action_windows(actions: pd.DataFrame, now: datetime) -> pd.DataFrame:
    """The published actions, each once, with the flags `last_12m` and `upcoming`.

    `last_12m`: an occurrence overlaps [now - 12 months, now). `upcoming`: an occurrence
    has not ended by now and starts before the end of `civic.action.window("upcoming")`.
    Also `online` (bool). Proposed and cancelled actions are left out.
    """
    published = actions[actions["status"] == "published"].copy()
    since, (_from, until) = now - LOOKBACK, window("upcoming", now)
    last, ahead = [], []
    for row in published.to_dict("records"):
        found = occurrences(_record(row), since, until)  # one expansion of the rule
        last.append(any(start < now for start, _end in found))
        ahead.append(any(end > now for _start, end in found))
    published["last_12m"] = pd.Series(last, index=published.index, dtype=bool)
    published["upcoming"] = pd.Series(ahead, index=published.index, dtype=bool)
    published["online"] = _online(published)
    return published


def counted(actions: pd.DataFrame, now: datetime, include_upcoming: bool = True
            ) -> pd.DataFrame:
    """Published actions in the last 12 months (and, with `include_upcoming`, upcoming)."""
    return _chosen(action_windows(actions, now), include_upcoming)


def _chosen(flags: pd.DataFrame, include_upcoming: bool) -> pd.DataFrame:
    return flags[flags["last_12m"] | flags["upcoming"]] if include_upcoming \
        else flags[flags["last_12m"]]


def online_actions(actions: pd.DataFrame, now: datetime) -> dict[str, int]:
    """Online published actions (in no municipality): {"last_12m": n, "upcoming": n}."""
    flags = action_windows(actions, now)
    online = flags[flags["online"]]
    return {"last_12m": int(online["last_12m"].sum()),
            "upcoming": int(online["upcoming"].sum())}


def municipality_actions(actions: pd.DataFrame, municipalities: pd.DataFrame,
                         now: datetime) -> pd.DataFrame:
    """Published actions per municipality: last 12 months, upcoming, each per 10,000.

    One row per municipality (all of them, zeros where none): municipality_code,
    province_code, municipality (name), municipality_latin (when known), population
    (Census 2021), actions_last_12m, actions_upcoming, per_10k_last_12m, per_10k_upcoming.
    Each action counts once however many occurrences it has; cancelled and proposed ones
    do not count; online actions are in no municipality (see `online_actions`).
    """
    return _per_municipality(action_windows(actions, now), municipalities)


def _per_municipality(flags: pd.DataFrame, municipalities: pd.DataFrame) -> pd.DataFrame:
    m = municipalities[["code", "province_code", "name", "population"]].rename(
        columns={"code": "municipality_code", "name": "municipality"})
    m = pd.DataFrame(m).reset_index(drop=True)
    if "name_latin" in municipalities:
        m["municipality_latin"] = municipalities["name_latin"].to_numpy()
    placed = flags[~flags["online"] & flags["municipality_code"].notna()]
    population = m["population"].astype(float)
    for window_name in ("last_12m", "upcoming"):
        per = placed[placed[window_name]].groupby("municipality_code").size()
        count = m["municipality_code"].map(per).fillna(0).astype(int)
        m[f"actions_{window_name}"] = count
        m[f"per_10k_{window_name}"] = np.round(count / population.where(population > 0) * PER,
                                               2)
    return m.sort_values("municipality_code").reset_index(drop=True)


def action_places(actions: pd.DataFrame, settlements: pd.DataFrame) -> pd.DataFrame:
    """Where each placed action is: id, ekatte, lon, lat, metric x, y.

    Its own point, else its settlement's centre; online actions and actions with neither
    are left out.
    """
    placed = actions[~_online(actions)]
    s = settlements[settlements.geometry.notna()]
    lon = placed["lon"].astype(float).fillna(
        placed["ekatte"].map(dict(zip(s["ekatte"], s.geometry.x))))
    lat = placed["lat"].astype(float).fillna(
        placed["ekatte"].map(dict(zip(s["ekatte"], s.geometry.y))))
    out = pd.DataFrame({"id": placed["id"].to_numpy(), "ekatte": placed["ekatte"].to_numpy(),
                        "lon": lon.to_numpy(float), "lat": lat.to_numpy(float)})
    out = out[out["lon"].notna() & out["lat"].notna()].reset_index(drop=True)
    xy = to_metric(out["lon"], out["lat"]) if len(out) else np.empty((0, 2))
    return out.assign(x=xy[:, 0], y=xy[:, 1])


def settlements_without_action(settlements: pd.DataFrame, actions: pd.DataFrame,
                               radius_km: float, now: datetime,
                               include_upcoming: bool = True) -> pd.DataFrame:
    """Inhabited settlements with no published action within R, most residents first.

    Inhabited: a point and a 2021 population above 0 (as in Coverage). The actions are
    those of the last 12 months or upcoming (only the last 12 months without
    `include_upcoming`). R = 0 means the settlement's own actions only. Columns: ekatte,
    settlement, municipality_code, province_code, population, nearest_action_km (straight
    line to the nearest such action's place; NaN when there is none anywhere).
    """
    return _without(settlements, counted(actions, now, include_upcoming), radius_km)


def _inhabited(settlements: pd.DataFrame) -> pd.DataFrame:
    return settlements[settlements.geometry.notna() & (settlements["population_2021"] > 0)]


def _without(settlements: pd.DataFrame, chosen: pd.DataFrame, radius_km: float
             ) -> pd.DataFrame:
    s = _inhabited(settlements)
    places = action_places(chosen, settlements)
    xy = to_metric(s.geometry.x, s.geometry.y) if len(s) else np.empty((0, 2))
    if len(places) and len(s):
        tree = cKDTree(places[["x", "y"]].to_numpy())
        dist = tree.query(xy)[0] / 1000
        if radius_km > 0:
            near = np.asarray(tree.query_ball_point(xy, radius_km * 1000,
                                                    return_length=True), dtype=int)
        else:
            near = s["ekatte"].isin(set(places["ekatte"])).to_numpy().astype(int)
    else:
        dist, near = np.full(len(s), np.nan), np.zeros(len(s), dtype=int)
    out = pd.DataFrame({"ekatte": s["ekatte"].to_numpy(), "settlement": s["name"].to_numpy(),
                        "municipality_code": s["municipality_code"].to_numpy(),
                        "province_code": s["province_code"].to_numpy(),
                        "population": s["population_2021"].to_numpy(),
                        "nearest_action_km": np.round(dist, 3)})
    return out[near == 0].sort_values(["population", "ekatte"], ascending=[False, True]) \
        .reset_index(drop=True)


def municipality_figures(actions: pd.DataFrame, municipalities: pd.DataFrame,
                         settlements: pd.DataFrame, radius_km: float, now: datetime,
                         include_upcoming: bool = True) -> pd.DataFrame:
    """`municipality_actions` with inhabited_settlements and settlements_without_action.

    `settlements_without_action`: inhabited settlements with no published action within R
    (of the last 12 months, or upcoming too with `include_upcoming`).
    """
    flags = action_windows(actions, now)  # the rules expanded once for both figures
    m = _per_municipality(flags, municipalities)
    inhabited = _inhabited(settlements)
    gaps = _without(settlements, _chosen(flags, include_upcoming), radius_km)
    m["inhabited_settlements"] = m["municipality_code"].map(
        inhabited.groupby("municipality_code").size()).fillna(0).astype(int)
    m["settlements_without_action"] = m["municipality_code"].map(
        gaps.groupby("municipality_code").size()).fillna(0).astype(int)
    return m


def by_cause_and_type(actions: pd.DataFrame, now: datetime) -> dict:
    """Published actions of the last 12 months or upcoming, each once, by cause and type.

    {"total": n, "online": n, "cause": {code: n}, "type": {code: n}}, most frequent first
    (then by code). Online actions are included here (a cause has no place).
    """
    mine = counted(actions, now)

    def tally(column: str) -> dict[str, int]:
        counts = mine[column].value_counts()
        return {str(k): int(v) for k, v in sorted(counts.items(), key=lambda kv: (-kv[1],
                                                                                  kv[0]))}

    return {"total": len(mine), "online": int(mine["online"].sum()),
            "cause": tally("cause"), "type": tally("type")}


def hosts(actions: pd.DataFrame, orgs: pd.DataFrame) -> pd.DataFrame:
    """Hosts of the published actions given: host_id, name, kind, actions (hosted), most first.

    Partners are not counted. A host no longer in `orgs` keeps its id, with no name.
    """
    published = actions[actions["status"] == "published"]
    counts = published.groupby("host_id").size().rename("actions").reset_index()
    known = orgs[["id", "name", "kind"]].drop_duplicates("id").rename(columns={"id": "host_id"})
    out = counts.merge(known, on="host_id", how="left")[["host_id", "name", "kind", "actions"]]
    out["actions"] = out["actions"].astype(int)
    return out.sort_values(["actions", "name", "host_id"], ascending=[False, True, True],
                           na_position="last").reset_index(drop=True)
