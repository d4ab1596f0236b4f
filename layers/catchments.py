"""Library catchments as a map layer: one polygon per library site, coloured by the gap.

A catchment's polygon is the union of the Voronoi cells (in EPSG:7801) of the settlement
points it holds, so it shows the straight-line nearest-library model of `geo.catchments`:
a sketch of who is nearest to whom, not a surveyed boundary. Cells are clipped to the
chosen provinces' outline when the page passes one, else to the settlements' convex hull
buffered by 2 km. Colour: the share of the catchment's residents beyond R of any known
NGO, five fixed classes (darker = more people far from NGOs), grey with no residents.
Polygons are simplified (~150 m) and rounded to 5 decimals, so one province stays small.
"""

from __future__ import annotations

from html import escape

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from civic.i18n import translator
from civic.numbers import fmt_int, fmt_pct
from civic.vocabularies import WORSE_PALETTE
from geo.catchments import assign, library_sites
from geo.crs import DISPLAY, METRIC
from layers.safe import html_text

SHARE_BREAKS = (0.2, 0.4, 0.6, 0.8)  # upper bounds of the first four classes; the fifth: ≤ 1
NO_RESIDENTS = "#cccccc"
HULL_BUFFER_M = 2000
SIMPLIFY_M = 150
DECIMALS = 5


def share_colour(share: float | None) -> str:
    """The class colour of a share beyond R (0-1); grey when unknown."""
    if share is None or not np.isfinite(share):
        return NO_RESIDENTS
    return WORSE_PALETTE[int(np.searchsorted(SHARE_BREAKS, share, side="right"))]


def _cells(points: gpd.GeoSeries, extent) -> np.ndarray:
    """The Voronoi cell of every point (metric), in the points' order.

    Settlements sharing one point share its cell.
    """
    xy = np.column_stack([points.x.to_numpy(), points.y.to_numpy()])
    unique, inverse = np.unique(xy, axis=0, return_inverse=True)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(unique),
                                                       extend_to=extent, ordered=True))
    return cells[inverse.ravel()]


def catchment_shapes(settlements: gpd.GeoDataFrame, assignment: pd.DataFrame,
                     provinces: list[str] | None, outline=None) -> gpd.GeoDataFrame:
    """One polygon per site (EPSG:4326): the dissolved cells of its chosen settlements.

    The cells are those of the chosen settlements' points alone, so together they fill the
    clip area; which site a settlement belongs to comes from the nationwide `assignment`.
    """
    s = settlements[settlements.geometry.notna()].drop_duplicates("ekatte")
    if provinces:
        s = s[s["province_code"].isin(provinces)]
    site = s["ekatte"].map(assignment.drop_duplicates("ekatte").set_index("ekatte")["site_id"])
    s = s[site.notna().to_numpy()]
    if len(s) == 0:
        return gpd.GeoDataFrame({"site_id": []}, geometry=[], crs=DISPLAY)
    pts = gpd.GeoSeries(s.geometry.values, crs=settlements.crs or DISPLAY).to_crs(METRIC)
    if outline is not None:
        clip = gpd.GeoSeries([outline], crs=DISPLAY).to_crs(METRIC).iloc[0]
    else:
        clip = shapely.convex_hull(shapely.multipoints(pts.values)).buffer(HULL_BUFFER_M)
    minx, miny, maxx, maxy = shapely.union(clip.envelope, shapely.box(*pts.total_bounds)).bounds
    extent = shapely.box(minx - 10_000, miny - 10_000, maxx + 10_000, maxy + 10_000)
    frame = gpd.GeoDataFrame({"site_id": site[site.notna()].to_numpy()},
                             geometry=list(_cells(pts, extent)), crs=METRIC)
    shapes = frame.dissolve("site_id").reset_index()
    shapes["geometry"] = shapes.geometry.intersection(clip).simplify(SIMPLIFY_M)
    shapes = shapes[~shapes.geometry.is_empty].to_crs(DISPLAY)
    shapes["geometry"] = shapes.geometry.set_precision(10.0 ** -DECIMALS)
    return shapes.reset_index(drop=True)


def _per_site(table_or_assign: pd.DataFrame, sites: pd.DataFrame) -> pd.DataFrame:
    """Name, residents and share beyond R per site, from a catchment table or an assignment."""
    if "beyond_r_share" in table_or_assign:
        return table_or_assign.set_index("site_id")[["name", "residents", "beyond_r_share"]]
    a = table_or_assign[table_or_assign["inhabited"]]
    residents = a.groupby("site_id")["population"].sum()
    names = sites.set_index("site_id")["name"]
    return pd.DataFrame({"name": names.reindex(residents.index), "residents": residents,
                         "beyond_r_share": np.nan})


def catchment_label(name: str, residents: int, share: float | None, lang: str) -> str:
    """'Library X: 1 234 residents; 56% beyond R of any known NGO' (unknown share: no clause)."""
    _ = translator(lang)
    if share is None or not np.isfinite(share):
        return _("{library}: {n} residents in its catchment").format(
            library=name, n=fmt_int(residents, lang))
    return _("{library}: {n} residents in its catchment; {share} beyond R of any known NGO"
             ).format(library=name, n=fmt_int(residents, lang), share=fmt_pct(share, lang, 0))


def catchment_layer(settlements: gpd.GeoDataFrame, orgs: pd.DataFrame,
                    table_or_assign: pd.DataFrame, lang: str,
                    provinces: list[str] | None, outline=None) -> folium.FeatureGroup:
    """The catchments of the chosen provinces as one GeoJSON layer with translated tooltips.

    `table_or_assign`: `geo.catchments.catchment_table` (coloured by the share beyond R) or
    `geo.catchments.assign` (grey, residents only). `outline`: the chosen provinces' union
    (EPSG:4326) to clip to, if the page has it.
    """
    _ = translator(lang)
    sites = library_sites(orgs)
    assignment = (assign(settlements, sites) if "beyond_r_share" in table_or_assign
                  else table_or_assign)
    shapes = catchment_shapes(settlements, assignment, provinces, outline)
    stats = _per_site(table_or_assign, sites)
    rows = stats.reindex(shapes["site_id"])  # a site with no inhabited settlement: grey
    rows["name"] = rows["name"].fillna(shapes["site_id"].map(
        sites.set_index("site_id")["name"]).set_axis(rows.index))
    rows["residents"] = rows["residents"].fillna(0)
    shares = rows["beyond_r_share"].astype(float).to_numpy()
    shapes["colour"] = [share_colour(v) for v in shares]
    shapes["label"] = [html_text(catchment_label(n, r, v, lang)) for n, r, v in
                       zip(rows["name"], rows["residents"], shares)]
    group = folium.FeatureGroup(name=_("Library catchments"))
    if len(shapes):
        folium.GeoJson(
            shapes[["colour", "label", "geometry"]].to_json(drop_id=True),
            name=_("Library catchments"),
            style_function=lambda f: {"color": "#444444", "weight": 0.8,
                                      "fillColor": f["properties"]["colour"],
                                      "fillOpacity": 0.55},
            tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
        ).add_to(group)
    return group


def catchment_legend(lang: str) -> str:
    """Legend HTML (for `layers.basemap.Legend`): the five share classes and the model."""
    _ = translator(lang)
    bounds = (0.0, *SHARE_BREAKS, 1.0)
    rows = [f"<summary><b>{escape(_('Library catchments'))}</b></summary>",
            f"<div>{escape(_('Residents beyond R of any known NGO'))}</div>"]
    for i, (low, high) in enumerate(zip(bounds, bounds[1:])):
        label = f"{fmt_pct(low, lang, 0)} – {fmt_pct(high, lang, 0)}"
        rows.append(f'<div class="class"><span style="display:inline-block;width:14px;'
                    f'height:10px;background:{WORSE_PALETTE[i]};border:1px solid #999;'
                    f'margin-right:4px"></span>{escape(label)}</div>')
    note = _("Each settlement belongs to its nearest library (straight line).")
    rows.append(f"<div class='note'>{escape(note)}</div>")
    return f"<details open>{''.join(rows)}</details>"
