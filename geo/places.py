"""Which settlement a point on the map is in: its ground, else the nearest in its municipality.

Used by the Data page's placement map, whose click names the settlement it marks.
"""

from __future__ import annotations

import geopandas as gpd
import shapely


def _nearest(candidates: gpd.GeoDataFrame, point: shapely.Point) -> str | None:
    """EKATTE of the candidate whose point is closest to `point` (degrees, scaled for lat)."""
    located = candidates[candidates.geometry.notna()]
    if located.empty:
        return None
    import math

    squash = math.cos(math.radians(point.y))
    dx = (located.geometry.x - point.x) * squash
    dy = located.geometry.y - point.y
    return str(located["ekatte"].iloc[int((dx * dx + dy * dy).to_numpy().argmin())])


def settlement_at(lon: float, lat: float, settlements: gpd.GeoDataFrame,
                  municipalities: gpd.GeoDataFrame | None = None) -> str | None:
    """EKATTE of the settlement the point falls in, or None outside every one.

    A settlement's `ground` polygon that covers the point decides (of several, e.g. a
    hamlet sharing its parent's ground, the one whose point is nearest). Where no ground
    covers it, the nearest settlement point within the municipality whose polygon covers
    the point (none given or none covering: None).
    """
    point = shapely.Point(lon, lat)
    if "ground" in settlements:
        grounds = gpd.GeoSeries(settlements["ground"], crs=settlements.crs)
        hits = grounds.sindex.query(point, predicate="covered_by") if len(grounds) else []
        if len(hits):
            return _nearest(settlements.iloc[sorted(hits)], point)
    if municipalities is None or municipalities.empty:
        return None
    covering = municipalities.sindex.query(point, predicate="covered_by")
    if not len(covering):
        return None
    code = municipalities["code"].iloc[int(covering[0])]
    return _nearest(settlements[settlements["municipality_code"] == code], point)
