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


def _ranked(orgs: pd.DataFrame, lon: float, lat: float) -> pd.DataFrame:
    xy = to_metric(orgs["lon"], orgs["lat"])
    here = to_metric([lon], [lat])[0]
    dist = np.hypot(xy[:, 0] - here[0], xy[:, 1] - here[1]) / 1000
    return orgs.assign(distance_km=np.round(dist, 3)).sort_values(["distance_km", "name"])


def nearby(orgs: pd.DataFrame, lon: float, lat: float, radius_km: float,
           limit: int | None = None, candidates: list[str] | None = None) -> NearbyResult:
    """Organisations within `radius_km` of (lon, lat), nearest first.

    If none, the nearest FALLBACK_COUNT beyond it. `candidates` (ids a spatial index found
    within the radius, e.g. PostGIS) narrows the search; distances are measured here either way.
    """
    empty = orgs.iloc[0:0].assign(distance_km=[])
    if orgs.empty:
        return NearbyResult(empty, empty)
    pool = orgs[orgs["id"].isin(candidates)] if candidates is not None else orgs
    ranked = _ranked(pool, lon, lat) if len(pool) else empty
    within = ranked[ranked["distance_km"] <= radius_km]
    if limit:
        within = within.head(limit)
    beyond = _ranked(orgs, lon, lat).head(FALLBACK_COUNT) if within.empty else empty
    return NearbyResult(within, beyond)


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
