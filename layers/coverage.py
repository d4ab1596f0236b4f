"""Coverage map: municipality choropleth, gap settlements sized by population, hubs."""

from __future__ import annotations

from html import escape

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from civic.i18n import place_name, translator
from layers.basemap import Legend, boundary_geojson
from layers.safe import tooltip

# A sequential palette, light to dark: five classes of the chosen measure.
PALETTE = ("#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704")
GAP_COLOUR = "#b2182b"
HUB_COLOURS = {"existing": "#1b7837", "new": "#2166ac"}


def classes(values: pd.Series, n: int = len(PALETTE)) -> tuple[np.ndarray, list[float]]:
    """Class index per value (quantile breaks) and the breaks themselves."""
    v = values.astype(float).fillna(0).to_numpy()
    breaks = sorted(set(np.quantile(v, np.linspace(0, 1, n + 1)).round(4))) if len(v) else [0]
    if len(breaks) < 2:
        return np.zeros(len(v), dtype=int), breaks
    idx = np.clip(np.searchsorted(breaks[1:-1], v, side="right"), 0, len(breaks) - 2)
    return idx, breaks


def fmt(value: float, measure: str) -> str:
    """A share as a percentage, anything else as a plain number."""
    return f"{value:.0%}" if measure.startswith("share") else f"{value:g}"


def radius_for(population: float) -> float:
    """Circle radius in pixels: area grows with population."""
    return float(min(22, 3 + np.sqrt(max(population, 0)) / 4))


def coverage_layers(
    fmap: folium.Map,
    municipalities: gpd.GeoDataFrame,
    table: pd.DataFrame,
    measure: str,
    gaps: pd.DataFrame,
    hubs: dict[str, pd.DataFrame],
    lang: str,
) -> folium.Map:
    """Add the choropleth of `measure` (a column of `table`), gap settlements (with lon, lat,
    population) and hub sites to `fmap`."""
    _ = translator(lang)
    shapes = municipalities.merge(table, left_on="code", right_on="municipality_code")
    idx, breaks = classes(shapes[measure])
    shapes = shapes.assign(
        colour=[PALETTE[i] for i in idx],
        label=[escape(f"{place_name(n, lt, lang)}: {fmt(v, measure)}") for n, lt, v in
               zip(shapes["name"], shapes["name_latin"], shapes[measure].astype(float))],
    )
    folium.GeoJson(
        boundary_geojson(shapes, ["code", "label", "colour"]), name=_("Municipalities"),
        style_function=lambda f: {"color": "#555555", "weight": 1,
                                  "fillColor": f["properties"]["colour"], "fillOpacity": 0.6},
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
    ).add_to(fmap)

    group = folium.FeatureGroup(name=_("Gap settlements"))
    residents = _("residents")
    for rec in gaps.itertuples():
        folium.CircleMarker(
            [rec.lat, rec.lon], radius=radius_for(rec.population), color=GAP_COLOUR,
            weight=1, fill=True, fill_color=GAP_COLOUR, fill_opacity=0.55,
            tooltip=tooltip(f"{rec.settlement} — {rec.population} {residents}"),
        ).add_to(group)
    group.add_to(fmap)

    for key, sites in hubs.items():
        hub_group = folium.FeatureGroup(name=_("Suggested hubs (existing)") if key == "existing"
                                        else _("Suggested hubs (new sites)"))
        for rank, rec in enumerate(sites.itertuples(), start=1):
            folium.CircleMarker(
                [rec.lat, rec.lon], radius=9, color=HUB_COLOURS[key], weight=4, fill=True,
                fill_color="#ffffff", fill_opacity=0.9,
                tooltip=tooltip(f"{rank}. {rec.name} (+{rec.newly_covered})"),
            ).add_to(hub_group)
        hub_group.add_to(fmap)
    Legend(coverage_legend(breaks, measure, lang)).add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    return fmap


def coverage_legend(breaks: list[float], measure: str, lang: str) -> str:
    _ = translator(lang)
    titles = {"share_beyond_r": _("Share of residents beyond R"),
              "per_10k_any": _("Organisations per 10,000 residents")}
    rows = [f"<summary><b>{escape(titles.get(measure, measure))}</b></summary>"]
    for i in range(len(breaks) - 1):
        rows.append(f'<div><span style="display:inline-block;width:14px;height:10px;'
                    f'background:{PALETTE[i]};border:1px solid #999;margin-right:4px"></span>'
                    f"{fmt(breaks[i], measure)} – {fmt(breaks[i + 1], measure)}</div>")
    rows.append(f'<div><span style="color:{GAP_COLOUR}">●</span> '
                f"{escape(_('Gap settlement (size: residents)'))}</div>")
    rows.append(f'<div><span style="color:{HUB_COLOURS["existing"]}">◎</span> '
                f"{escape(_('Suggested hubs (existing)'))}</div>")
    rows.append(f'<div><span style="color:{HUB_COLOURS["new"]}">◎</span> '
                f"{escape(_('Suggested hubs (new sites)'))}</div>")
    rows.append(f"<div class='note'>{escape(_('Distances are straight-line.'))}</div>")
    return f"<details open>{''.join(rows)}</details>"
