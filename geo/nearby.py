"""Organisations around a point, nearest first, straight-line distances in EPSG:7801."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.crs import to_metric

FALLBACK_COUNT = 5  # shown when nothing lies within the radius


@dataclass(frozen=True)
class NearbyResult:
    """What a nearby search found: within the radius, else the nearest beyond it."""

    within: pd.DataFrame  # organisations within the radius, nearest first, with distance_km
    nearest_beyond: pd.DataFrame  # the nearest ones beyond it, when `within` is empty


def select(orgs: pd.DataFrame, kind: str | None = None, field: str | None = None) -> pd.DataFrame:
    """Active organisations with a point, of one kind and one field of activity if asked.

    Presumed libraries are left out: they stand on their chitalishte's point.
    """
    keep = (orgs["status"] == "active") & orgs["lon"].notna() & orgs["lat"].notna()
    keep &= ~orgs["presumed"].astype(bool)
    if kind:
        keep &= orgs["kind"] == kind
    if field:
        keep &= orgs["fields"].fillna("").map(lambda v: field in v.split(";"))
    return orgs[keep]


def _distances(orgs: pd.DataFrame, lon: float, lat: float) -> np.ndarray:
    """Straight-line km from (lon, lat) to each organisation, to the metre."""
    xy = to_metric(orgs["lon"], orgs["lat"])
    here = to_metric([lon], [lat])[0]
    return np.round(np.hypot(xy[:, 0] - here[0], xy[:, 1] - here[1]) / 1000, 3)


def _ranked(orgs: pd.DataFrame, dist: np.ndarray, rows: np.ndarray) -> pd.DataFrame:
    """Those `rows` (positions) of `orgs` with their distance, nearest first, then by name.

    Only the chosen rows are copied and sorted: a search ran over every organisation.
    """
    return orgs.iloc[rows].assign(distance_km=dist[rows]).sort_values(["distance_km", "name"])


def nearby(orgs: pd.DataFrame, lon: float, lat: float, radius_km: float,
           limit: int | None = None, candidates: list[str] | None = None) -> NearbyResult:
    """Organisations within `radius_km` of (lon, lat), nearest first.

    If none, the nearest FALLBACK_COUNT beyond it. `candidates` (ids a spatial index found
    within the radius, e.g. PostGIS) narrows the search; distances are measured here either way.
    """
    empty = orgs.iloc[0:0].assign(distance_km=[])
    if orgs.empty:
        return NearbyResult(empty, empty)
    dist = _distances(orgs, lon, lat)
    inside = dist <= radius_km
    if candidates is not None:
        inside &= orgs["id"].isin(candidates).to_numpy()
    within = _ranked(orgs, dist, np.flatnonzero(inside))
    if limit:
        within = within.head(limit)
    if not within.empty:
        return NearbyResult(within, empty)
    k = min(FALLBACK_COUNT, len(dist))
    nth = np.partition(dist, k - 1)[k - 1]
    closest = np.flatnonzero(dist <= nth)  # ties at the last place too, then by name
    return NearbyResult(within, _ranked(orgs, dist, closest).head(FALLBACK_COUNT))


def actions_near(agenda: pd.DataFrame, lon: float, lat: float, radius_km: float
                 ) -> pd.DataFrame:
    """Actions of an agenda (`civic.action.agenda`) within the radius, soonest first.

    Online actions have no place and are left out; each row gains `distance_km`.
    """
    placed = agenda[agenda["lon"].notna() & agenda["lat"].notna()
                    & ~agenda["online"].astype(bool)]
    if placed.empty:
        return placed.assign(distance_km=[])
    xy = to_metric(placed["lon"], placed["lat"])
    here = to_metric([lon], [lat])[0]
    dist = np.round(np.hypot(xy[:, 0] - here[0], xy[:, 1] - here[1]) / 1000, 3)
    ranked = placed.assign(distance_km=dist)
    return ranked[ranked["distance_km"] <= radius_km].sort_values(
        ["when_start", "distance_km"], kind="stable")
