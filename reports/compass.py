"""The "Compass of the civil sector" for one province: figures, maps, tables, sources.

`compass_data` gathers the numbers from geo.coverage / geo.regions / geo.hubs;
`render_html` fills the Jinja template (autoescaped: every value is text); `reports.pdf`
prints it with Chromium.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape

from civic.i18n import term, translator
from geo.coverage import Options, municipality_coverage, settlement_coverage
from geo.hubs import existing_hubs, new_hubs
from geo.regions import province_figures
from reports.maps import gaps_map, organisations_map

TEMPLATES = Path(__file__).resolve().parent
TOP_GAPS = 20
HUBS = 3


@dataclass
class CompassData:
    province: str
    lang: str
    radius_km: float
    figures: dict  # this province's row of geo.regions.province_figures
    municipalities: pd.DataFrame  # geo.coverage.municipality_coverage rows, with display names
    gaps: pd.DataFrame  # top gap settlements
    hubs_existing: pd.DataFrame
    hubs_new: pd.DataFrame
    hub_reach: dict = field(default_factory=dict)
    maps: dict[str, bytes] = field(default_factory=dict)


def compass_data(province: str, lang: str, settlements: gpd.GeoDataFrame,
                 municipalities: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame,
                 orgs: pd.DataFrame, radius_km: float = 10.0) -> CompassData:
    """Every number of the report, computed by the coverage module for these inputs."""
    active = orgs[orgs["status"] == "active"]
    options = Options(radius_km=radius_km)
    cov = settlement_coverage(settlements, active, options)
    munis = municipality_coverage(cov, active, municipalities, options, [province])
    figures = province_figures(provinces, cov, munis, active, settlements)
    row = figures.set_index("code").loc[province].to_dict()
    latin = lang != "bg"
    mine = munis[munis["province_code"] == province].copy()
    shapes = municipalities.set_index("code")
    mine["display_name"] = [shapes.at[c, "name_latin" if latin else "name"]
                            for c in mine["municipality_code"]]
    points = settlements.set_index("ekatte").geometry
    gaps = cov[(cov["province_code"] == province) & cov["gap"]].nlargest(TOP_GAPS, "population")
    gaps = gaps.assign(lon=gaps["ekatte"].map(lambda e: points[e].x),
                       lat=gaps["ekatte"].map(lambda e: points[e].y),
                       display_name=gaps["settlement"].map(
                           lambda n: settlements.set_index("name")["name_latin"].get(n, n)
                           if latin else n))
    in_prov = settlements[settlements["province_code"] == province]
    orgs_here = active[active["province_code"] == province]
    existing = existing_hubs(in_prov, orgs_here, radius_km, HUBS)
    new = new_hubs(in_prov, orgs_here, radius_km, HUBS)
    data = CompassData(province, lang, radius_km, row, mine, gaps, existing.sites, new.sites,
                       {"without": existing.uncovered_before,
                        "existing": existing.newly_covered, "new": new.newly_covered})
    _ = translator(lang)
    shape_rows = municipalities[municipalities["province_code"] == province] \
        .sort_values("code").reset_index(drop=True)
    names = list(shape_rows["name_latin" if latin else "name"])
    data.maps["organisations"] = organisations_map(
        shape_rows, names, orgs_here,
        {"ngo": _("NGOs"), "chitalishte": _("Chitalishta"), "library": _("Libraries")})
    shares = mine.set_index("municipality_code").reindex(shape_rows["code"])["share_beyond_r"]
    data.maps["gaps"] = gaps_map(
        shape_rows, names, shares.fillna(0), gaps, existing.sites,
        {"gap": _("Gap settlement (size: residents)"), "hub": _("Suggested hubs (existing)"),
         "share": _("Share of residents beyond R")})
    return data


def _env() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES),
                       autoescape=select_autoescape(["html", "j2"]))


def render_html(data: CompassData, sources: list[dict]) -> str:
    """The report as one self-contained HTML page (maps embedded), ready to print."""
    _ = translator(data.lang)
    latin = data.lang != "bg"
    f = data.figures
    name = f["name_latin"] if latin else f["name"]
    maps = {k: "data:image/png;base64," + base64.b64encode(v).decode()
            for k, v in data.maps.items()}
    return _env().get_template("compass.html.j2").render(
        _=_, term=lambda code: term(code, data.lang), lang=data.lang, name=name, f=f,
        radius=data.radius_km, municipalities=data.municipalities, gaps=data.gaps,
        hubs_existing=data.hubs_existing, hubs_new=data.hubs_new, reach=data.hub_reach,
        maps=maps, sources=sources, today=date.today().isoformat(), latin=latin,
    )
