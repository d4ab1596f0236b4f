"""Static map images of a province for print: organisations, and gaps with hub suggestions.

Real geometry drawn with matplotlib (no tiles needed): municipality polygons, settlement
and organisation points in EPSG:7801, returned as PNG bytes.
"""

from __future__ import annotations

import io

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from civic.vocabularies import GAP_COLOUR, KIND_COLOURS  # noqa: E402
from civic.vocabularies import WORSE_PALETTE as PALETTE  # noqa: E402
from geo.classify import classify  # noqa: E402
from geo.crs import METRIC  # noqa: E402

DPI = 150


def _points(df: pd.DataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]),
                            crs="EPSG:4326").to_crs(METRIC)


def _frame(municipalities: gpd.GeoDataFrame):
    fig, ax = plt.subplots(figsize=(7.5, 6.2), dpi=DPI)
    ax.set_axis_off()
    munis = municipalities.to_crs(METRIC)
    return fig, ax, munis


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", dpi=DPI)
    plt.close(fig)
    return buffer.getvalue()


def _label_municipalities(ax, munis: gpd.GeoDataFrame, names: list[str]) -> None:
    for point, name in zip(munis.geometry.representative_point(), names):
        ax.annotate(name, (point.x, point.y), ha="center", fontsize=7, color="#333333")


def organisations_map(municipalities: gpd.GeoDataFrame, names: list[str], orgs: pd.DataFrame,
                      titles: dict[str, str]) -> bytes:
    """Municipalities of one province with its organisations, coloured by kind."""
    fig, ax, munis = _frame(municipalities)
    munis.plot(ax=ax, color="#f4f1ea", edgecolor="#666666", linewidth=0.6)
    handles = []
    placed = orgs[orgs["lon"].notna()]
    for kind, size in (("chitalishte", 14), ("library", 8), ("ngo", 22)):
        mine = placed[(placed["kind"] == kind) & ~placed["presumed"].astype(bool)]
        if len(mine):
            _points(mine).plot(ax=ax, color=KIND_COLOURS[kind], markersize=size,
                               edgecolor="white", linewidth=0.3, zorder=3)
        handles.append(Line2D([], [], marker="o", linestyle="", color=KIND_COLOURS[kind],
                              label=f"{titles[kind]} ({len(mine)})"))
    _label_municipalities(ax, munis, names)
    ax.legend(handles=handles, loc="lower left", fontsize=8, frameon=True)
    return _png(fig)


def gaps_map(municipalities: gpd.GeoDataFrame, names: list[str], shares: pd.Series,
             gaps: pd.DataFrame, hubs: pd.DataFrame, titles: dict[str, str],
             label=lambda low, high: f"{low:.0%} – {high:.0%}") -> bytes:
    """Municipalities shaded by the share of residents beyond R, gaps and hubs.

    Natural breaks, darker = worse served; gap settlements sized by residents; suggested
    hubs as stars. `label(low, high)` writes a class's bounds in the reader's format.
    """
    fig, ax, munis = _frame(municipalities)
    idx, breaks = classify(shares.reset_index(drop=True), 0.01)
    colours = [PALETTE[i] for i in idx]
    munis.plot(ax=ax, color=colours, edgecolor="#666666", linewidth=0.6)
    if len(gaps):
        sizes = np.clip(np.sqrt(gaps["population"].to_numpy(float)) * 3, 6, 300)
        _points(gaps).plot(ax=ax, color=GAP_COLOUR, markersize=sizes, alpha=0.6, zorder=3)
    if len(hubs):
        _points(hubs).plot(ax=ax, color="#1b7837", marker="*", markersize=160,
                           edgecolor="white", linewidth=0.6, zorder=4)
    _label_municipalities(ax, munis, names)
    handles = [Line2D([], [], marker="s", linestyle="", color=PALETTE[i],
                      markeredgecolor="#999999", label=label(breaks[i], breaks[i + 1]))
               for i in range(len(breaks) - 1)]
    handles += [Line2D([], [], marker="o", linestyle="", color=GAP_COLOUR, alpha=0.6,
                       label=titles["gap"]),
                Line2D([], [], marker="*", linestyle="", color="#1b7837", markersize=12,
                       label=titles["hub"])]
    ax.legend(handles=handles, loc="lower left", fontsize=8, frameon=True,
              title=titles["share"], title_fontsize=8)
    return _png(fig)
