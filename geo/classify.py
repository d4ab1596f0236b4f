"""Choropleth classes from mapclassify (natural breaks), with rounded, readable breaks.

Used by the map (layers.coverage) and the printed maps (reports.maps) alike, so both show
the same classes. Higher values are worse served and get darker colours.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

MAX_CLASSES = 5


def _round_breaks(breaks: np.ndarray, step: float) -> list[float]:
    """Upper bounds rounded up to `step`, without repeats."""
    out: list[float] = []
    for b in breaks:
        r = round(float(np.ceil(round(b / step, 6)) * step), 6)
        if not out or r > out[-1]:
            out.append(r)
    return out


def classify(values: pd.Series, step: float, k: int = MAX_CLASSES) -> tuple[np.ndarray,
                                                                            list[float]]:
    """Class index per value and the class bounds [min, b1, …, max].

    Natural breaks (Fisher-Jenks), upper bounds rounded up to `step`. Never one class when
    values differ: min(k, distinct values) classes, rounding refined until none merge.
    """
    import mapclassify

    v = values.astype(float).fillna(0).to_numpy()
    if len(v) == 0:
        return np.zeros(0, dtype=int), [0.0, 0.0]
    distinct = len(np.unique(v))
    low = float(np.floor(round(v.min() / step, 6)) * step)
    if distinct < 2:
        return np.zeros(len(v), dtype=int), [low, float(v.max())]
    if distinct <= k:
        uppers = np.unique(v)
    else:
        with warnings.catch_warnings():  # "Numba not installed": fine for a few hundred
            warnings.simplefilter("ignore")
            uppers = mapclassify.FisherJenks(v, k=k).bins
    uppers_r = _round_breaks(np.asarray(uppers), step)
    if len(uppers_r) < min(k, distinct) and step > 1e-9:  # rounding merged classes: finer
        return classify(values, step / 10, k)
    idx = np.searchsorted(np.asarray(uppers_r) + step * 1e-6, v, side="left")
    return np.clip(idx, 0, len(uppers_r) - 1), [low, *uppers_r]


def step_for(measure: str) -> float:
    """Rounding step of a measure's breaks: 1 % for shares, 0.5 km for distances."""
    return 0.01 if "share" in measure else 0.5
