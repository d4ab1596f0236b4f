"""Organisations around a point, nearest first, straight-line distances in EPSG:7801."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.crs import to_metric

FALLBACK_COUNT = 5  # shown when nothing lies within the radius


@dataclass(frozen=True)
class NearbyResult:
    within: pd.DataFrame  # organisations within the radius, nearest first, with distance_km
    nearest_beyond: pd.DataFrame  # the nearest ones beyond it, when `within` is empty


def select(orgs: pd.DataFrame, kind: str | None = None, field: str | None = None) -> pd.DataFrame:
    """Active organisations with a point, of one kind and one field of activity if asked.
    Presumed libraries are left out: they stand on their chitalishte's point."""
    keep = (orgs["status"] == "active") & orgs["lon"].notna() & orgs["lat"].notna()
    keep &= ~orgs["presumed"].astype(bool)
    if kind:
        keep &= orgs["kind"] == kind
    if field:
        keep &= orgs["fields"].fillna("").map(lambda v: field in v.split(";"))
    return orgs[keep]


def nearby(orgs: pd.DataFrame, lon: float, lat: float, radius_km: float,
           limit: int | None = None) -> NearbyResult:
    """Organisations within `radius_km` of (lon, lat), nearest first; if none, the nearest
    FALLBACK_COUNT beyond it."""
    if orgs.empty:
        return NearbyResult(orgs.assign(distance_km=[]), orgs.assign(distance_km=[]))
    xy = to_metric(orgs["lon"], orgs["lat"])
    here = to_metric([lon], [lat])[0]
    dist = np.hypot(xy[:, 0] - here[0], xy[:, 1] - here[1]) / 1000
    ranked = orgs.assign(distance_km=np.round(dist, 3)).sort_values(["distance_km", "name"])
    within = ranked[ranked["distance_km"] <= radius_km]
    if limit:
        within = within.head(limit)
    beyond = ranked.head(FALLBACK_COUNT) if within.empty else ranked.iloc[0:0]
    return NearbyResult(within, beyond)
