"""The base map: tiles (configurable), boundaries, settlements from a closer zoom, legend.

Built once per language for the Map page (every province: `base_map(..., by_province=True)`)
and once per province selection for the smaller maps; organisation layers are added on top
in place, so a filter change never rebuilds this. With `by_province` each municipality
outline and settlement carries its province code (`pv`, three letters each) and the browser
draws only those of the provinces the filter panel has chosen (`civicmap.js`); being all
28 provinces' (about 250 kB of JSON), they travel deflated like the organisations
(`layers.transport.deflated`, about 45 % of the JSON) and are drawn once inflated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape

import folium
import geopandas as gpd
from branca.element import MacroElement
from jinja2 import Template

from civic.i18n import place_names, translator
from civic.settings import DEFAULT_ATTRIBUTION, DEFAULT_TILES
from layers.assets import MapScript, MetricScale, OfflineMap
from layers.style import ACTION_COLOUR, KIND_COLOURS, PRECISION_MARKS
from layers.transport import ascii_texts, deflated

SETTLEMENT_MIN_ZOOM = 10
SIMPLIFY_DEGREES = 0.002
TILE_ERRORS_ALLOWED = 2  # failed tile loads before the tile layer is dropped
# (minimum residents, zoom from which the name shows), bigger places first; a province
# centre shows from 6 (the whole country), a municipality centre from 9, uninhabited
# places from 13.
LABEL_ZOOMS = ((20_000, 8), (5_000, 9), (2_000, 10), (500, 11), (1, 12))


@dataclass(frozen=True)
class Tiles:
    """The tile layer: a URL template and its attribution."""

    url: str | None = DEFAULT_TILES  # None: no tile layer, boundaries only
    attribution: str = DEFAULT_ATTRIBUTION


@dataclass(frozen=True)
class Geography:
    """The build's geography a small map draws its basemap from (any part may be missing)."""

    provinces: gpd.GeoDataFrame | None = None
    settlements: gpd.GeoDataFrame | None = None
    municipalities: gpd.GeoDataFrame | None = None
    outlines: dict | None = None  # the provinces' outlines already drawn (`province_outlines`)


class FallbackTiles(MacroElement):
    """A tile layer that falls back to the vector basemap by itself.

    `civicTiles` loads one probe tile first and adds the layer only if it arrives; later
    failures remove it after `TILE_ERRORS_ALLOWED`. A failure is remembered for the
    browser session, so an offline visitor's console is not flooded with tile errors.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        civicTiles({{ this._parent.get_name() }}, {{ this.url|tojson }},
                   {{ this.options|tojson }}, {{ this.errors }});
        {% endmacro %}
    """)

    def __init__(self, tiles: Tiles, errors: int = TILE_ERRORS_ALLOWED):
        """`tiles` with a URL (None: use no element at all)."""
        super().__init__()
        self._name = "FallbackTiles"
        self.url = tiles.url
        self.options = {"attribution": tiles.attribution, "maxZoom": 18}
        self.errors = int(errors)


def label_zoom(population: float, province_centre: bool = False,
               municipality_centre: bool = False) -> int:
    """The zoom from which a settlement's name shows: bigger places first."""
    if province_centre:
        return 6
    residents = 0 if population != population else population  # NaN: unknown, none
    zoom = next((z for least, z in LABEL_ZOOMS if residents >= least), 13)
    return min(zoom, 9) if municipality_centre else zoom


def label_zooms(places: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame | None = None,
                municipalities: gpd.GeoDataFrame | None = None) -> str:
    """`label_zoom` of each place as one character (zoom 6 is '6', 13 is 'd'), in order.

    Centres come from the provinces' and municipalities' `centre_ekatte` when given.
    """
    def centres(frame):
        if frame is None or "centre_ekatte" not in frame:
            return set()
        return set(frame["centre_ekatte"].dropna())

    prov, muni = centres(provinces), centres(municipalities)
    return "".join(format(label_zoom(p, e in prov, e in muni), "x") for e, p in
                   zip(places["ekatte"], places["population_2021"]))


class MinZoomPane(MacroElement):
    """Shows a map pane only from a given zoom on (layer control toggles still apply)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var name = {{ this.pane|tojson }};
            var pane = map.getPane(name) || map.createPane(name);
            function sync() {
                pane.style.display = map.getZoom() >= {{ this.min_zoom }} ? '' : 'none';
            }
            map.on('zoomend', sync);
            sync();
        })();
        {% endmacro %}
    """)

    def __init__(self, pane: str, min_zoom: int):
        """Show `pane` from `min_zoom` on."""
        super().__init__()
        self._name = "MinZoomPane"
        self.pane = pane
        self.min_zoom = min_zoom


class Legend(MacroElement):
    """A Leaflet control explaining colours per kind and marks per precision."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var legend = L.control({position: 'bottomright'});
            legend.onAdd = function() {
                var div = L.DomUtil.create('div', 'civic-legend');
                div.style.cssText = 'background:rgba(255,255,255,0.92);padding:6px 8px;'
                    + 'border-radius:6px;font:12px/1.35 sans-serif;box-shadow:0 1px 4px #0004;'
                    + 'max-width:210px';
                div.innerHTML = {{ this.html|tojson }};
                // folded on phone-sized maps, so the legend never hides the points
                div.querySelector('details').open = map.getSize().x > 500;
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            legend.addTo(map);
        })();
        {% endmacro %}
    """)

    def __init__(self, html: str):
        """`html`: the legend's content (trusted, built by `legend_html`)."""
        super().__init__()
        self._name = "Legend"
        self.html = html


def zoom_for(bounds, width_px: int = 700, height_px: int = 520) -> int:
    """The largest web-map zoom at which the bounds fit a map of about this size."""
    import math

    west, south, east, north = bounds
    for zoom in range(13, 5, -1):
        scale = 256 * 2**zoom
        dx = (east - west) / 360 * scale
        y = [math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) for lat in (south, north)]
        dy = (y[1] - y[0]) / (2 * math.pi) * scale
        if dx <= width_px and dy <= height_px:
            return zoom
    return 6


def _swatch(colour: str, fill: float, dash: str | None, size: int = 12) -> str:
    border = "dashed" if dash else "solid"
    return (f'<span style="display:inline-block;width:{size}px;height:{size}px;'
            f"border-radius:50%;border:2px {border} {colour};"
            f'background:{colour}{int(fill * 255):02x};margin-right:4px"></span>')


def legend_html(lang: str, actions: bool = False) -> str:
    """The legend's HTML in `lang` (static words only, escaped); `actions`: the map has some."""
    _ = translator(lang)
    kinds = [("ngo", _("NGOs")), ("chitalishte", _("Chitalishta")),
             ("library", _("Libraries")), ("library_presumed", _("Chitalishte library (presumed)"))]
    precisions = [("source_point", _("surveyed point")), ("street", _("street address")),
                  ("settlement", _("settlement centre")), ("municipality", _("municipality only"))]
    rows = [f"<summary><b>{escape(_('Legend'))}</b></summary>"]
    rows += [f"<div>{_swatch(KIND_COLOURS[k], 0.9, None, 8 if k.endswith('presumed') else 12)}"
             f"{escape(label)}</div>" for k, label in kinds]
    rows.append(f"<div>{_swatch('#333333', 0.9, None)}"
                f"{escape(_('several kinds at one place (the number: how many)'))}</div>")
    if actions:
        rows.append('<div><span style="display:inline-block;width:9px;height:9px;margin:0 6px '
                    f'0 2px;transform:rotate(45deg);background:{ACTION_COLOUR}"></span>'
                    f"{escape(_('a civic action (upcoming; click it for when and how to join)'))}"
                    "</div>")
    rows.append(f"<b>{escape(_('Location'))}</b>")
    for p, label in precisions:
        mark = PRECISION_MARKS[p]
        rows.append(f"<div>{_swatch('#555555', mark['fillOpacity'], mark['dashArray'])}"
                    f"{escape(label)}</div>")
    rows.append(f"<div class='note'>{escape(_('Distances are straight-line.'))}</div>")
    return f"<details open>{''.join(rows)}</details>"


def pixel_degrees(bounds, width_px: int = 700, height_px: int = 520) -> float:
    """Degrees of longitude per screen pixel at the zoom that frames `bounds`."""
    return 360 / (256 * 2 ** zoom_for(bounds, width_px, height_px))


def boundary_geojson(gdf: gpd.GeoDataFrame, columns: list[str],
                     tolerance: float = SIMPLIFY_DEGREES, decimals: int = 5) -> dict:
    """GeoJSON polygons simplified together, so shared borders stay shared.

    Simplified to `tolerance` degrees, coordinates rounded to `decimals`.
    """
    import shapely

    simple = gdf[columns + ["geometry"]].copy()
    try:
        simple["geometry"] = shapely.coverage_simplify(simple.geometry.values, tolerance)
    except Exception:  # not a clean coverage: simplify each polygon on its own
        simple["geometry"] = simple.geometry.simplify(tolerance, preserve_topology=True)
    simple["geometry"] = simple.geometry.set_precision(10.0 ** -decimals, mode="pointwise")
    return json.loads(simple.to_json(drop_id=True))


def grid_scale(tolerance: float) -> int:
    """Integer steps per degree fine enough for a simplification `tolerance`.

    1000 (about 100 m) for a country view, 10 000 for closer ones.
    """
    return 1000 if tolerance >= 0.002 else 10_000


def _ring(coords, scale: int) -> list[int]:
    """A ring as integer steps from the previous point (the first from 0, 0)."""
    out, px, py = [], 0, 0
    for x, y, *_ in coords:
        qx, qy = round(x * scale), round(y * scale)
        if out and qx == px and qy == py:
            continue
        out += [qx - px, qy - py]
        px, py = qx, qy
    return out


def boundary_records(gdf: gpd.GeoDataFrame, labels: list[str], tolerance: float,
                     scale: int) -> dict:
    """Polygons for `civicBoundaries`, simplified together (shared borders stay shared).

    Simplified to `tolerance` degrees, then written as delta-encoded integer rings at
    1/`scale` degree.
    """
    import shapely

    try:
        geoms = shapely.coverage_simplify(gdf.geometry.values, tolerance)
    except Exception:  # not a clean coverage: simplify each polygon on its own
        geoms = gdf.geometry.simplify(tolerance, preserve_topology=True).values
    shapes = []
    for geom in geoms:
        polys = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
        shapes.append([[_ring(p.exterior.coords, scale)]
                       + [_ring(r.coords, scale) for r in p.interiors] for p in polys])
    return {"q": scale, "shapes": shapes, "labels": labels}


class BoundaryLayer(MacroElement):
    """Province or municipality outlines drawn by `civicBoundaries` (text tooltips)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        civicBoundaries({{ this._parent.get_name() }}, {{ this.data }}, {{ this.style|tojson }},
                        {{ this.name|tojson }}, {{ this.sticky|tojson }});
        {% endmacro %}
    """)

    def __init__(self, records: dict, style: dict, name: str, sticky: bool = True,
                 provinces: list[str] | None = None):
        """`records` from `boundary_records`; `style` Leaflet path options.

        `provinces`: each shape's province code; then only the chosen provinces' shapes are
        drawn (the Map page's filter, `civicmap.js`), and the records travel deflated.
        """
        from layers.organisations import safe_json

        super().__init__()
        self._name = "BoundaryLayer"
        self.data = safe_json(ascii_texts(records) if provinces is None else
                              {"z": deflated({**records, "pv": province_letters(provinces)})})
        self.style = style
        self.name = name
        self.sticky = sticky


def province_letters(codes) -> str:
    """Province codes as one string of three letters each ('KRZRAZ'), for `pv`."""
    return "".join(f"{str(c or '')[:3]:<3}" for c in codes)


def settlement_points(settlements: gpd.GeoDataFrame, selected: list[str]) -> gpd.GeoDataFrame:
    """The settlements the map draws for a province set, in drawing order."""
    return settlements[settlements["province_code"].isin(selected)
                       & settlements.geometry.notna()]


class SettlementLayer(MacroElement):
    """Settlement dots with name and residents in the tooltip, from columnar records.

    Drawn by `civicmap.js` in their own pane, which shows only from a closer zoom.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        civicSettlements({{ this._parent.get_name() }}, {{ this.data }}, {{ this.pane|tojson }},
                         {{ this.name|tojson }});
        {% endmacro %}
    """)

    def __init__(self, places: gpd.GeoDataFrame, lang: str, pane: str, name: str,
                 zooms: str | None = None, faint: bool = False, by_province: bool = False):
        """`places` with name, name_latin, population_2021 and point geometry.

        `zooms` (from `label_zooms`): their names show as labels from those zooms on;
        `faint`: smaller, greyer dots (small maps, where the organisations matter most);
        `by_province`: each place's province code goes along (`pv`), only the places of
        the provinces the Map page's filter chose are drawn, and the records travel deflated.
        """
        from layers.organisations import COORD_SCALE, deltas, safe_json

        super().__init__()
        self._name = "SettlementLayer"
        _ = translator(lang)
        xy = deltas([v for pt in places.geometry for v in (round(pt.x * COORD_SCALE),
                                                          round(pt.y * COORD_SCALE))])
        records = {
            "q": COORD_SCALE, "xy": xy,
            "n": place_names(places, lang),
            "pop": [int(p) for p in places["population_2021"].fillna(0)],
            "residents": _("residents (2021 estimate)"),
            **({"lz": zooms} if zooms else {}), **({"faint": 1} if faint else {})}
        # deflated: its own ASCII text inside (no `ascii_texts`: base85 may hold a '^')
        self.data = safe_json({"z": deflated({**records, "pv": province_letters(
            places["province_code"])})} if by_province else ascii_texts(records))
        self.pane = pane
        self.name = name


class FitToPanel(MacroElement):
    """Frames, as the map is made, what the Map page's filter panel asks for (`civicFitPanel`).

    The map element holds every province; the panel's filter (already in the page) says
    which ones to frame, so the first view does not start on the whole country.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        civicFitPanel({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self):
        """No options: the box comes from the page."""
        super().__init__()
        self._name = "FitToPanel"


class MapFrame(MacroElement):
    """The map fills its frame (the page sizes the frame) and has a full-screen button."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        civicFillFrame({{ this._parent.get_name() }});
        civicFullscreen({{ this._parent.get_name() }}, {{ this.title|tojson }});
        {% endmacro %}
    """)

    def __init__(self, title: str):
        """`title`: the full-screen button's label."""
        super().__init__()
        self._name = "MapFrame"
        self.title = title


def province_map(provinces: gpd.GeoDataFrame, selected: list[str], lang: str,
                 tiles: Tiles, fit_to_panel: bool = False) -> folium.Map:
    """An offline map framed on the selected provinces.

    Tiles if configured, province outlines always (they orient the reader when no tile
    loads). `fit_to_panel`: the map frames, as it is made, what the Map page's filter panel
    asks for (before any organisation is drawn), else the selected provinces.
    """
    _ = translator(lang)
    chosen = provinces[provinces["code"].isin(selected)]
    bounds = chosen.total_bounds if len(chosen) else provinces.total_bounds
    fmap = OfflineMap(location=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2],
                      zoom_start=zoom_for(bounds), tiles=None, prefer_canvas=True)
    MetricScale().add_to(fmap)
    fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    MapScript().add_to(fmap)
    if fit_to_panel:
        FitToPanel().add_to(fmap)
    if tiles.url:
        FallbackTiles(tiles).add_to(fmap)
    labels = place_names(provinces, lang)
    tolerance = min(SIMPLIFY_DEGREES, pixel_degrees(bounds) / 2)
    BoundaryLayer(boundary_records(provinces, labels, tolerance, grid_scale(tolerance)),
                  {"color": "#333333", "weight": 2, "fill": False, "interactive": True},
                  _("Provinces")).add_to(fmap)
    return fmap


def base_map(
    provinces: gpd.GeoDataFrame,
    municipalities: gpd.GeoDataFrame,
    settlements: gpd.GeoDataFrame,
    selected: list[str],
    lang: str,
    tiles: Tiles,
    actions: bool = False,
    by_province: bool = False,
) -> tuple[folium.Map, folium.LayerControl]:
    """The base map of a province set, and its layer control.

    Boundaries of all provinces, municipalities of the selected ones (simplified for the
    zoom that frames them), settlements from a closer zoom, legend, layer control and
    full-screen button. The layer control is returned so layers drawn in the browser can
    join it. `by_province` (the Map page, `selected` all provinces): municipalities and
    settlements carry their province, the browser draws those of the chosen provinces and
    frames what the filter panel asks for (module docstring).
    """
    _ = translator(lang)
    fmap = province_map(provinces, selected, lang, tiles, fit_to_panel=by_province)
    munis = municipalities[municipalities["province_code"].isin(selected)]
    if len(munis):
        labels = place_names(munis, lang)
        tolerance = min(SIMPLIFY_DEGREES, pixel_degrees(munis.total_bounds) / 2)
        BoundaryLayer(boundary_records(munis, labels, tolerance, grid_scale(tolerance)),
                      {"color": "#666666", "weight": 1, "fillColor": "#ffffff",
                       "fillOpacity": 0.05}, _("Municipalities"), sticky=False,
                      provinces=list(munis["province_code"]) if by_province else None
                      ).add_to(fmap)

    pane = "settlements"
    folium.map.CustomPane(pane, z_index=350).add_to(fmap)  # below the organisation points
    places = settlement_points(settlements, selected)
    if len(places):
        SettlementLayer(places, lang, pane, _("Settlements (zoom in)"),
                        label_zooms(places, provinces, municipalities),
                        by_province=by_province).add_to(fmap)
    MinZoomPane(pane, SETTLEMENT_MIN_ZOOM).add_to(fmap)
    Legend(legend_html(lang, actions)).add_to(fmap)
    MapFrame(_("Full screen")).add_to(fmap)
    control = folium.LayerControl(collapsed=True)
    control.add_to(fmap)
    return fmap, control


def box_around(lon: float, lat: float, km: float) -> tuple[float, float, float, float]:
    """(west, south, east, north) of a square about `km` from the point each way."""
    import math

    dlat = km / 111.0
    dlon = km / (111.0 * max(math.cos(math.radians(lat)), 0.1))
    return lon - dlon, lat - dlat, lon + dlon, lat + dlat


def local_basemap(fmap: folium.Map, settlements: gpd.GeoDataFrame,
                  municipalities: gpd.GeoDataFrame | None, lang: str,
                  box: tuple[float, float, float, float] | None,
                  provinces: gpd.GeoDataFrame | None = None) -> None:
    """Municipality lines and named settlements within `box` on a small map (no tiles needed).

    Without a box (a country view): only the names that show from zoom 9 (province and
    municipality centres, towns). `civicmap.js` must already be on the map (`MapScript`).
    """
    _ = translator(lang)
    places = settlements[settlements.geometry.notna()]
    if box is not None:
        places = places.cx[box[0]:box[2], box[1]:box[3]]
    zooms = label_zooms(places, provinces, municipalities)
    if box is None:
        keep = [int(z, 16) <= 9 for z in zooms]
        places, zooms = places[keep], "".join(z for z, k in zip(zooms, keep) if k)
    if municipalities is not None and box is not None:
        munis = municipalities.cx[box[0]:box[2], box[1]:box[3]]
        if len(munis):
            BoundaryLayer(boundary_records(munis, place_names(munis, lang), 0.0005, 10_000),
                          {"color": "#777777", "weight": 1, "fill": False,
                           "interactive": False}, _("Municipalities"),
                          sticky=False).add_to(fmap)
    pane = "settlements"
    folium.map.CustomPane(pane, z_index=350).add_to(fmap)
    if len(places):
        SettlementLayer(places, lang, pane, _("Settlements (zoom in)"), zooms,
                        faint=True).add_to(fmap)
    if box is None:  # a country view: the names carry their own dots until one zooms in
        MinZoomPane(pane, SETTLEMENT_MIN_ZOOM).add_to(fmap)
