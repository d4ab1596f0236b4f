"""Coordinate systems: metric work in EPSG:7801 (BGS2005 / CCS2005), display in EPSG:4326."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from pyproj import Transformer

METRIC = "EPSG:7801"
DISPLAY = "EPSG:4326"


@lru_cache(maxsize=1)
def _to_metric() -> Transformer:
    return Transformer.from_crs(DISPLAY, METRIC, always_xy=True)


def to_metric(lon, lat) -> np.ndarray:
    """(n, 2) metres in EPSG:7801 for longitude/latitude arrays."""
    x, y = _to_metric().transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.column_stack([x, y])
