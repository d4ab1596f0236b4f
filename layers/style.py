"""Colours per kind and marks per location precision, shared by layers and the legend."""

from __future__ import annotations

from civic.vocabularies import KIND_COLOURS

__all__ = ["KIND_COLOURS", "KIND_RADIUS", "PRECISION_MARKS", "marker_style"]

KIND_RADIUS = {"ngo": 7, "chitalishte": 6, "library": 6, "library_presumed": 3}
# A filled dot is a surveyed point; a ring is a settlement centre; a dashed ring only
# the municipality.
PRECISION_MARKS = {
    "source_point": {"fillOpacity": 0.9, "weight": 1, "dashArray": None},
    "street": {"fillOpacity": 0.6, "weight": 2, "dashArray": None},
    "settlement": {"fillOpacity": 0.15, "weight": 2, "dashArray": None},
    "municipality": {"fillOpacity": 0.0, "weight": 2, "dashArray": "3 3"},
}


def marker_style(kind_key: str, precision: str) -> dict:
    """Leaflet path options for one organisation point."""
    mark = PRECISION_MARKS.get(precision, PRECISION_MARKS["settlement"])
    colour = KIND_COLOURS[kind_key]
    style = {"color": colour, "fillColor": colour, "radius": KIND_RADIUS[kind_key],
             "fillOpacity": mark["fillOpacity"], "weight": mark["weight"], "opacity": 0.95}
    if kind_key == "library_presumed":
        style["fillOpacity"] = 0.8
        style["weight"] = 1
    if mark["dashArray"]:
        style["dashArray"] = mark["dashArray"]
    return style

ACTION_COLOUR = "#c51b7d"  # civic actions: the Actions page's cards, the map's diamonds
