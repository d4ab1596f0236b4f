"""Coverage map: municipality choropleth, gap settlements and suggested hubs.

Darker = worse served; gap settlements are sized by residents.
"""

from __future__ import annotations

from html import escape

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from civic.i18n import place_name, translator
from civic.numbers import fmt_int, fmt_km, fmt_pct
from civic.vocabularies import GAP_COLOUR, WORSE_PALETTE
from geo.classify import classify, step_for
from layers.basemap import Legend, boundary_geojson
from layers.safe import html_text, tooltip

PALETTE = WORSE_PALETTE
HUB_COLOURS = {"existing": "#1b7837", "new": "#2166ac"}


def fmt(value: float, measure: str, lang: str = "en") -> str:
    """A share as a percentage, a distance in km, anything else as a whole number."""
    if "share" in measure:
        whole = abs(value * 100 - round(value * 100)) < 1e-6
        return fmt_pct(value, lang, 0 if whole else 1)
    if "_km" in measure:
        return fmt_km(value, lang)
    return fmt_int(value, lang)


def radius_for(population: float) -> float:
    """Circle radius in pixels: area grows with population."""
    return float(min(14, 2 + np.sqrt(max(population, 0)) / 7))


def class_labels(breaks: list[float], measure: str, lang: str) -> list[str]:
    """'a – b' per class; a class whose bounds are equal shows one value."""
    labels = []
    for low, high in zip(breaks, breaks[1:]):
        a, b = fmt(low, measure, lang), fmt(high, measure, lang)
        labels.append(a if a == b else f"{a} – {b}")
    return labels


def coverage_layers(fmap: folium.Map, municipalities: gpd.GeoDataFrame, table: pd.DataFrame,
                    measure: str, gaps: pd.DataFrame, hubs: dict[str, pd.DataFrame],
                    lang: str, title: str) -> folium.Map:
    """Add the choropleth of `measure`, gap settlements and hub sites to `fmap`.

    `measure` is a column of `table`, titled `title`; `gaps` has settlement, municipality,
    population, lon, lat and note.
    """
    _ = translator(lang)
    shapes = municipalities.merge(table, left_on="code", right_on="municipality_code")
    idx, breaks = classify(shapes[measure], step_for(measure))
    shapes = shapes.assign(
        colour=[PALETTE[i] for i in idx],
        label=[escape(f"{place_name(n, lt, lang)}: {fmt(v, measure, lang)}") for n, lt, v in
               zip(shapes["name"], shapes["name_latin"], shapes[measure].astype(float))],
    )
    folium.GeoJson(
        boundary_geojson(shapes, ["code", "label", "colour"]), name=_("Municipalities"),
        style_function=lambda f: {"color": "#555555", "weight": 1,
                                  "fillColor": f["properties"]["colour"], "fillOpacity": 0.65},
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
    ).add_to(fmap)
    _gap_markers(fmap, gaps, lang)
    _hub_markers(fmap, hubs, lang)
    Legend(coverage_legend(breaks, measure, lang, title)).add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    return fmap


def gap_features(gaps: pd.DataFrame, lang: str) -> dict:
    """Gap settlements as GeoJSON points with their circle radius and an escaped label."""
    _ = translator(lang)
    features = []
    for rec in gaps.itertuples():
        text = _("{place}, {municipality}: {n} residents; {note}").format(
            place=rec.settlement, municipality=rec.municipality,
            n=fmt_int(rec.population, lang), note=rec.note)
        features.append({"type": "Feature",
                         "geometry": {"type": "Point",
                                      "coordinates": [round(rec.lon, 5), round(rec.lat, 5)]},
                         "properties": {"r": round(radius_for(rec.population), 1),
                                        "label": html_text(text)}})
    return {"type": "FeatureCollection", "features": features}


def _gap_markers(fmap: folium.Map, gaps: pd.DataFrame, lang: str) -> None:
    """One GeoJSON layer of circles (a few hundred markers as one script, not hundreds)."""
    _ = translator(lang)
    data = gap_features(gaps, lang)
    if not data["features"]:
        return
    folium.GeoJson(
        data, name=_("Gap settlements"),
        marker=folium.CircleMarker(radius=4, color=GAP_COLOUR, weight=0.8, fill=True,
                                   fill_color=GAP_COLOUR, fill_opacity=0.35),
        style_function=lambda f: {"radius": f["properties"]["r"], "color": GAP_COLOUR,
                                  "fillColor": GAP_COLOUR, "weight": 0.8,
                                  "fillOpacity": 0.35},
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
    ).add_to(fmap)


def hub_label(rank: int, name: str, settlement: str, newly_covered: float, lang: str) -> str:
    """'1. НЧ Просвета, Кирково: +1 234 residents within R' (the place said once)."""
    _ = translator(lang)
    where = name if not settlement or settlement == name else f"{name}, {settlement}"
    return _("{rank}. {where}: +{n} residents within R").format(
        rank=rank, where=where, n=fmt_int(newly_covered, lang))


def _hub_markers(fmap: folium.Map, hubs: dict[str, pd.DataFrame], lang: str) -> None:
    _ = translator(lang)
    for key, sites in hubs.items():
        hub_group = folium.FeatureGroup(name=_("Suggested hubs (existing)") if key == "existing"
                                        else _("Suggested hubs (new sites)"))
        for rank, rec in enumerate(sites.itertuples(), start=1):
            folium.CircleMarker(
                [rec.lat, rec.lon], radius=9, color=HUB_COLOURS[key], weight=4, fill=True,
                fill_color="#ffffff", fill_opacity=0.9,
                tooltip=tooltip(hub_label(rank, rec.name, rec.settlement, rec.newly_covered,
                                          lang)),
            ).add_to(hub_group)
        hub_group.add_to(fmap)


def coverage_legend(breaks: list[float], measure: str, lang: str, title: str) -> str:
    """The legend: the classes (light = better served, dark = worse), gaps and hubs."""
    _ = translator(lang)
    rows = [f"<summary><b>{escape(title)}</b></summary>"]
    for i, label in enumerate(class_labels(breaks, measure, lang)):
        rows.append(f'<div class="class"><span style="display:inline-block;width:14px;'
                    f'height:10px;background:{PALETTE[i]};border:1px solid #999;'
                    f'margin-right:4px"></span>{escape(label)}</div>')
    rows.append(f"<div class='note'>{escape(_('Darker = worse served'))}</div>")
    rows.append(f'<div><span style="color:{GAP_COLOUR}">●</span> '
                f"{escape(_('Gap settlement (size: residents)'))}</div>")
    rows.append(f'<div><span style="color:{HUB_COLOURS["existing"]}">◎</span> '
                f"{escape(_('Suggested hubs (existing)'))}</div>")
    rows.append(f'<div><span style="color:{HUB_COLOURS["new"]}">◎</span> '
                f"{escape(_('Suggested hubs (new sites)'))}</div>")
    rows.append(f"<div class='note'>{escape(_('Distances are straight-line.'))}</div>")
    return f"<details open>{''.join(rows)}</details>"
