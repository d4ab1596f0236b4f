"""The "Compass of the civil sector" for one province or several side by side.

`compass_data` gathers the numbers from the one coverage model (geo.coverage, geo.regions,
geo.hubs), per kind: known NGOs, chitalishta and libraries known by name (a chitalishte
and its presumed library are one organisation); `render_html` fills the Jinja template
(autoescaped: every value is text); `reports.pdf` prints it with Chromium. Given the stored
actions, it adds the published civic actions of the chosen provinces (geo.actions).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, select_autoescape

from civic.action import now_local, occurrences
from civic.i18n import language, place_name, place_names, term, translator
from civic.numbers import fmt_int, fmt_km, fmt_num, fmt_pct
from civic.settings import MANIFEST
from geo.actions import (
    LOOKBACK,
    by_cause_and_type,
    counted,
    hosts,
    municipality_actions,
    settlements_without_action,
)
from geo.catchments import catchment_table, library_sites
from geo.coverage import KINDS, MEASURED, Options, municipality_coverage, settlement_coverage
from geo.hubs import existing_hubs, new_hubs
from geo.regions import least_served, province_figures
from reports.maps import gaps_map, organisations_map

TEMPLATES = Path(__file__).resolve().parent
TOP_GAPS = 12
HUBS = 3
LISTED_ACTIONS = 20
HUB_ROWS = 15  # libraries as hubs listed per province, most residents beyond R first
FOCUS = "ngo"  # the seed project's question: where are NGOs out of reach?


@dataclass
class Section:
    """One province's pages."""

    code: str
    name: str  # display name: Cyrillic, with the Latin form outside Bulgarian
    figures: dict  # this province's row of geo.regions.province_figures
    findings: list[str]  # the strongest per-kind findings, in words
    municipalities: pd.DataFrame  # least served by known NGOs first, with display_name
    gaps: pd.DataFrame  # settlements with no known NGO within R, most residents first
    hubs_existing: pd.DataFrame
    hubs_new: pd.DataFrame
    hub_reach: dict = field(default_factory=dict)
    libraries: pd.DataFrame | None = None  # libraries as hubs (hub_table), top HUB_ROWS
    library_sites: int = 0  # all the library sites serving the province
    maps: dict[str, bytes] = field(default_factory=dict)


@dataclass
class ActionsSummary:
    """The civic actions page: published actions of the chosen provinces, formatted."""

    published: int  # published actions in the whole store, any date (0: none yet)
    total: int  # placed in these provinces, last 12 months or upcoming, each once
    online: int  # online ones of the same dates: in no province, not counted in `total`
    causes: list[dict]  # {"name", "n"}, most first
    types: list[dict]
    hosts: list[dict]  # {"name", "kind", "n"}
    listed: list[dict]  # {"title", "type", "cause", "place", "when"}, up to LISTED_ACTIONS
    more: int  # counted actions beyond the list
    provinces: list[dict]  # {"name", "inhabited", "without", "municipalities"}

    @property
    def empty(self) -> bool:
        """True when the store has no published action at all (yet)."""
        return self.published == 0


@dataclass
class CompassData:
    """Everything the report prints."""

    codes: list[str]
    lang: str
    radius_km: float
    known_ngos: int
    sections: list[Section]
    actions: ActionsSummary | None = None  # None: no actions given, the page is left out

    @property
    def figures(self) -> dict:
        """The first (or only) province's figures."""
        return self.sections[0].figures


def _names(frame: pd.DataFrame, name: str, latin: str, lang: str) -> list[str]:
    return [place_name(n, lt, lang) for n, lt in zip(frame[name], frame[latin])]


def findings(f: dict, radius_km: float, lang: str) -> list[str]:
    """The per-kind findings for the cover, in words, strongest (largest share) first."""
    _ = translator(lang)
    r = fmt_num(radius_km, lang)
    out = []
    for kind, words in (("ngo", _("any known NGO")), ("library", _("a library known by name")),
                        ("chitalishte", _("a chitalishte"))):
        share = f[f"{kind}_share_beyond_r"]
        if f[f"{kind}_residents_beyond_r"] > 0:
            out.append((share, _("{n} residents ({share}) live more than {r} km from {what}.")
                        .format(n=fmt_int(f[f"{kind}_residents_beyond_r"], lang),
                                share=fmt_pct(share, lang), r=r, what=words)))
    for kind, words in (("ngo", _("known NGO")), ("chitalishte", _("chitalishte"))):
        share = f[f"{kind}_settlements_without_own"] / max(f["inhabited_settlements"], 1)
        out.append((share, _("{n} of {all} inhabited settlements have no {what} of their "
                             "own.").format(n=fmt_int(f[f"{kind}_settlements_without_own"],
                                                      lang),
                                            all=fmt_int(f["inhabited_settlements"], lang),
                                            what=words)))
    return [text for _s, text in sorted(out, key=lambda t: -t[0])]


def _gaps(cov: pd.DataFrame, code: str, settlements: gpd.GeoDataFrame,
          municipalities: gpd.GeoDataFrame, lang: str) -> pd.DataFrame:
    """Top settlements without a known NGO within R; names looked up by EKATTE."""
    here = cov[(cov["province_code"] == code) & cov[f"gap_{FOCUS}"]]
    top = here.nlargest(TOP_GAPS, "population")
    places = settlements.set_index("ekatte")
    munis = municipalities.set_index("code")
    return top.assign(
        lon=top["ekatte"].map(lambda e: places.at[e, "geometry"].x),
        lat=top["ekatte"].map(lambda e: places.at[e, "geometry"].y),
        display_name=[place_name(places.at[e, "name"], places.at[e, "name_latin"], lang)
                      for e in top["ekatte"]],
        municipality=[place_name(munis.at[m, "name"], munis.at[m, "name_latin"], lang)
                      for m in top["municipality_code"]],
        missing=[", ".join(term(k, lang) for k in KINDS if getattr(r, f"beyond_{k}"))
                 for r in top.itertuples()])


def _known(value) -> bool:
    """True when somebody said it: not None, NaN or empty text (unknown is never "no")."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return False
    try:
        return not pd.isna(value)
    except (TypeError, ValueError):
        return True


def offer_summary(profile: dict, lang: str) -> str:
    """What a library offers in a few words: seats, internet, opening hours.

    "unknown" for each thing nobody has said, and alone when nothing is known.
    """
    _ = translator(lang)
    seats, internet, hours = (profile.get(k) for k in ("seats", "internet", "opening_hours"))
    if not any(_known(v) for v in (seats, internet, hours)):
        return _("unknown")
    return " · ".join((
        _("seats: {v}").format(v=fmt_int(seats, lang) if _known(seats) else _("unknown")),
        _("internet: {v}").format(v=(_("yes") if bool(internet) else _("no"))
                                  if _known(internet) else _("unknown")),
        _("hours: {v}").format(v=str(hours).strip() if _known(hours) else _("unknown"))))


def hub_definition(lang: str, radius_km: float, known_ngos: int) -> str:
    """What the libraries-as-hubs table counts, in words (the page and the Compass)."""
    _ = translator(lang)
    return _("One row per library: its catchment is the inhabited settlements nearer to it "
             "than to any other library, in a straight line; libraries known by name and "
             "the library every chitalishte keeps (presumed) count, and libraries at one "
             "place are one. Beyond R: residents of the catchment with none of the {n} known "
             "NGOs within {r} km (straight line). NGOs it presents: known NGOs that name the "
             "library or its chitalishte as their hub. What it offers: as the library told "
             "us; unknown where nobody has said.").format(n=fmt_int(known_ngos, lang),
                                                          r=fmt_num(radius_km, lang))


OFFER_KEYS = ("seats", "internet", "opening_hours")


def site_members(sites: pd.DataFrame, orgs: pd.DataFrame) -> pd.DataFrame:
    """Every (site_id, id) pair: the organisations a library site stands for.

    The site's own library first, its other libraries, then the chitalishta that keep them:
    an NGO may name any of them as its hub, and what the site offers is the first known
    answer among them. An organisation belongs to one site (its first).
    """
    parent = orgs.drop_duplicates("id").set_index("id")["parent_id"]
    libraries = sites[["site_id", "members"]].explode("members").rename(
        columns={"members": "id"})
    keepers = libraries.assign(id=libraries["id"].map(parent)).dropna(subset=["id"])
    pairs = pd.concat([sites[["site_id"]].assign(id=sites["site_id"]), libraries,
                       keepers[keepers["id"] != ""]], ignore_index=True)
    return pairs.drop_duplicates("id").reset_index(drop=True)


def hub_table(catchments: pd.DataFrame, orgs: pd.DataFrame, settlements: pd.DataFrame,
              municipalities: pd.DataFrame, lang: str,
              sites: pd.DataFrame | None = None) -> pd.DataFrame:
    """The "libraries as hubs" table: `catchments` with what a librarian reads added.

    `catchments` is `geo.catchments.catchment_table`'s (one row per library site, sorted by
    residents beyond R); `orgs` carries the profile columns (seats, internet,
    opening_hours, hub_id; a missing column or value = unknown). Adds the settlement and
    municipality names in `lang`, `offer` (offer_summary), `ngos_presented` (active NGOs
    naming one of the site's organisations as their hub) and `page_id` (whose page shows
    the site: a presumed library's chitalishte, else the site's library). `sites`:
    `geo.catchments.library_sites` of the same organisations, when already at hand.
    """
    active = orgs[orgs["status"] == "active"] if "status" in orgs else orgs
    sites = library_sites(active) if sites is None else sites
    active = active[[c for c in ("id", "kind", "parent_id", "hub_id", *OFFER_KEYS)
                     if c in active]]  # only what the table reads: less to copy
    pairs = site_members(sites, active)
    owner = pairs.set_index("id")["site_id"]
    hubs = active.loc[active["kind"] == "ngo", "hub_id"] if "hub_id" in active \
        else pd.Series(dtype=object)
    presented = hubs.map(owner).value_counts()
    rows = active.drop_duplicates("id").set_index("id")
    known = pairs.join(rows.reindex(columns=list(OFFER_KEYS)), on="id")
    offers = known.groupby("site_id", sort=False)[list(OFFER_KEYS)].first()  # first known
    offers = offers.reindex(catchments["site_id"])
    presumed = sites.set_index("site_id")["presumed"].reindex(catchments["site_id"])
    keeper = rows["parent_id"].reindex(catchments["site_id"])
    pages = [k if bool(pr) and isinstance(k, str) and k else site
             for site, pr, k in zip(catchments["site_id"], presumed.fillna(False), keeper)]
    names = settlements[[c for c in ("ekatte", "name", "name_latin", "name_tr")
                         if c in settlements]]
    places = names[names["ekatte"].isin(set(catchments["ekatte"]))] \
        .drop_duplicates("ekatte").set_index("ekatte")
    place = dict(zip(places.index, place_names(places, lang)))  # Turkish names where known
    muni = dict(zip(municipalities["code"], place_names(municipalities, lang)))
    return catchments.assign(
        page_id=pages,
        settlement=[place.get(e, n) for e, n in zip(catchments["ekatte"],
                                                     catchments["settlement"])],
        municipality=catchments["municipality_code"].map(muni),
        offer=[offer_summary(dict(zip(OFFER_KEYS, r)), lang)
               for r in offers.itertuples(index=False)],
        ngos_presented=catchments["site_id"].map(presented).fillna(0).astype(int))


def _section(code: str, lang: str, tables: dict, cov: pd.DataFrame, munis: pd.DataFrame,
             figures: pd.DataFrame, radius_km: float) -> Section:
    _ = translator(lang)
    settlements, municipalities, active = (tables["settlements"], tables["municipalities"],
                                           tables["orgs"])
    row = figures.set_index("code").loc[code].to_dict()
    mine = least_served(munis[munis["province_code"] == code], FOCUS).copy()
    mine["display_name"] = _names(mine, "municipality", "municipality_latin", lang)
    in_prov = settlements[settlements["province_code"] == code]
    existing = existing_hubs(in_prov, active, max(radius_km, 1.0), HUBS, FOCUS)
    new = new_hubs(in_prov, active, max(radius_km, 1.0), HUBS, FOCUS)
    names = dict(zip(in_prov["ekatte"], _names(in_prov, "name", "name_latin", lang)))
    section = Section(
        code, place_name(row["name"], row["name_latin"], lang), row,
        findings(row, radius_km, lang), mine,
        _gaps(cov, code, settlements, municipalities, lang),
        existing.sites.assign(place=existing.sites["ekatte"].map(names)),
        new.sites.assign(place=new.sites["ekatte"].map(names)),
        {"without": existing.uncovered_before, "existing": existing.newly_covered,
         "new": new.newly_covered})
    libraries = hub_table(catchment_table(settlements, active, radius_km, provinces=[code]),
                          active, settlements, municipalities, lang, tables["sites"])
    section.libraries, section.library_sites = libraries.head(HUB_ROWS), len(libraries)
    shape_rows = municipalities[municipalities["province_code"] == code] \
        .sort_values("code").reset_index(drop=True)
    labels = list(shape_rows["name_latin" if lang != "bg" else "name"])
    here = active[active["province_code"] == code]
    section.maps["organisations"] = organisations_map(
        shape_rows, labels, here,
        {"ngo": _("Known NGOs"), "chitalishte": _("Chitalishta"),
         "library": _("Libraries known by name")})
    shares = mine.set_index("municipality_code").reindex(shape_rows["code"])["share_beyond_r"]
    section.maps["gaps"] = gaps_map(
        shape_rows, labels, shares.fillna(0), section.gaps, section.hubs_existing,
        {"gap": _("No known NGO within R (size: residents)"),
         "hub": _("Suggested hubs (existing)"),
         "share": _("Residents beyond R of a known NGO")},
        lambda low, high: (fmt_pct(low, lang, 0) if round(low, 4) == round(high, 4) else
                           f"{fmt_pct(low, lang, 0)} – {fmt_pct(high, lang, 0)}"))
    return section


def _dates(row: dict, now: datetime) -> tuple[bool, datetime]:
    """(upcoming?, start): the next occurrence, else the last one in the past 12 months."""
    ahead = occurrences(row, now)
    if ahead:
        return True, ahead[0][0]
    return False, occurrences(row, now - LOOKBACK, now)[-1][0]


def _listed(mine: pd.DataFrame, settlements: gpd.GeoDataFrame, now: datetime,
            lang: str) -> list[dict]:
    """The actions to list: upcoming soonest first, then past ones, latest first."""
    _ = translator(lang)
    places = settlements.set_index("ekatte")
    rows = [{k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()}
            for r in mine.to_dict("records")]
    dated = sorted(((*_dates(r, now), r) for r in rows),
                   key=lambda t: (not t[0], (t[1] - now).total_seconds() * (1 if t[0] else -1)))
    out = []
    for _upcoming, start, row in dated[:LISTED_ACTIONS]:
        e = row.get("ekatte")
        place = (place_name(places.at[e, "name"], places.at[e, "name_latin"], lang)
                 if e in places.index else (row.get("settlement") or ""))
        when = format_date(start.date(), "medium", locale=language(lang))
        out.append({"title": row["title"], "type": term(row["type"], lang),
                    "cause": term(row["cause"], lang), "place": place,
                    "when": when + (", " + _("recurring") if row.get("rrule") else "")})
    return out


def actions_summary(actions: pd.DataFrame, codes: list[str], lang: str,
                    tables: dict, radius_km: float, now: datetime) -> ActionsSummary:
    """The civic actions page's figures for `codes` (geo.actions; see its docstring).

    Actions placed in the provinces, last 12 months or upcoming, each once; online ones
    apart. Per province: inhabited settlements with no published action within R in the
    last 12 months (actions across a border count) and the municipalities with none there.
    `tables`: settlements, municipalities, provinces and all_orgs (for the hosts' names).
    """
    settlements, municipalities = tables["settlements"], tables["municipalities"]
    published = int((actions["status"] == "published").sum())
    everything = counted(actions, now)
    mine = everything[~everything["online"] & everything["province_code"].isin(codes)]
    counts = by_cause_and_type(mine, now)
    host_rows = hosts(mine, tables["all_orgs"])
    gaps = settlements_without_action(settlements, actions, radius_km, now,
                                      include_upcoming=False)
    per_muni = municipality_actions(actions, municipalities, now)
    inhabited = settlements[settlements.geometry.notna() & (settlements["population_2021"] > 0)]
    names = municipalities.set_index("code")
    areas = tables["provinces"].set_index("code")
    provinces = []
    for code in codes:
        none = per_muni[(per_muni["province_code"] == code) & (per_muni["actions_last_12m"] == 0)]
        provinces.append({
            "name": place_name(areas.at[code, "name"], areas.at[code, "name_latin"], lang),
            "inhabited": int((inhabited["province_code"] == code).sum()),
            "without": int((gaps["province_code"] == code).sum()),
            "municipalities": ", ".join(
                place_name(names.at[m, "name"], names.at[m, "name_latin"], lang)
                for m in none["municipality_code"])})
    return ActionsSummary(
        published, counts["total"], int(everything["online"].sum()),
        [{"name": term(k, lang), "n": n} for k, n in counts["cause"].items()],
        [{"name": term(k, lang), "n": n} for k, n in counts["type"].items()],
        [{"name": r.name if isinstance(r.name, str) else r.host_id,
          "kind": term(r.kind, lang) if isinstance(r.kind, str) else "", "n": r.actions}
         for r in host_rows.itertuples()],
        _listed(mine, settlements, now, lang), max(len(mine) - LISTED_ACTIONS, 0), provinces)


def compass_data(codes: list[str] | str, lang: str, settlements: gpd.GeoDataFrame,
                 municipalities: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame,
                 orgs: pd.DataFrame, radius_km: float = 10.0,
                 actions: pd.DataFrame | None = None) -> CompassData:
    """Every number of the report, computed by the coverage model for these inputs.

    `actions`: the stored actions (all states; `store.actions.load_actions()`), counted as
    of now in Sofia; without them the civic actions page is left out. `orgs` with their
    profile columns (store.profiles; without them every library's offer is unknown and it
    presents no NGO).
    """
    codes = [codes] if isinstance(codes, str) else list(codes)
    active = orgs[orgs["status"] == "active"]
    options = Options(radius_km=radius_km)
    cov = settlement_coverage(settlements, active, options, with_access=False)
    munis = municipality_coverage(cov, active, municipalities, options, codes, FOCUS)
    figures = province_figures(provinces, cov, active, settlements, options)
    tables = {"settlements": settlements, "municipalities": municipalities, "orgs": active,
              "sites": library_sites(active)}
    sections = [_section(c, lang, tables, cov, munis, figures, radius_km) for c in codes]
    summary = None
    if actions is not None:
        summary = actions_summary(actions, codes, lang,
                                  {**tables, "all_orgs": orgs, "provinces": provinces},
                                  radius_km, now_local())
    return CompassData(codes, lang, radius_km, int((active["kind"] == "ngo").sum()), sections,
                       summary)


def comparison(data: CompassData) -> list[dict]:
    """Rows of the side-by-side table: one measure per row, one province per column."""
    _ = translator(data.lang)
    lang = data.lang
    beyond = {"ngo": _("Beyond R of any known NGO"), "chitalishte": _("Beyond R of a chitalishte"),
              "library": _("Beyond R of a library known by name"),
              "any": _("Beyond R of any organisation")}
    distance = {"ngo": _("Mean distance to a known NGO"),
                "chitalishte": _("Mean distance to a chitalishte"),
                "library": _("Mean distance to a library known by name"),
                "any": _("Mean distance to any organisation")}
    without = {"ngo": _("Settlements without their own known NGO"),
               "chitalishte": _("Settlements without their own chitalishte"),
               "library": _("Settlements without their own library known by name")}
    rows = [{"label": _("Residents (Census 2021)"),
             "values": [fmt_int(s.figures["population"], lang) for s in data.sections]}]
    for kind in MEASURED:
        rows.append({"label": beyond[kind], "values": [
            fmt_pct(s.figures[f"{kind}_share_beyond_r"], lang) for s in data.sections]})
        rows.append({"label": distance[kind], "values": [
            fmt_km(s.figures[f"{kind}_pw_mean_km"], lang) for s in data.sections]})
    for kind in KINDS:
        rows.append({"label": without[kind], "values": [
            f"{fmt_int(s.figures[f'{kind}_settlements_without_own'], lang)} / "
            f"{fmt_int(s.figures['inhabited_settlements'], lang)}" for s in data.sections]})
    rows.append({"label": _("Organisations per 10,000 residents (each once)"),
                 "values": [fmt_num(s.figures["per_10k_any"], lang) for s in data.sections]})
    return rows


def kind_rows(f: dict, lang: str) -> list[dict]:
    """One row per kind of a province's key-figures table, formatted."""
    _ = translator(lang)
    names = {"ngo": _("Known NGOs"), "chitalishte": _("Chitalishta"),
             "library": _("Libraries known by name"), "any": _("Any kind (each once)")}
    return [{"kind": names[k], "count": fmt_int(f[f"count_{k}"], lang),
             "per_10k": fmt_num(f[f"per_10k_{k}"], lang),
             "without": fmt_int(f[f"{k}_settlements_without_own"], lang),
             "beyond": fmt_int(f[f"{k}_residents_beyond_r"], lang),
             "share": fmt_pct(f[f"{k}_share_beyond_r"], lang),
             "km": fmt_km(f[f"{k}_pw_mean_km"], lang)} for k in MEASURED]


def source_rows() -> list[dict]:
    """The sources by name, origin, licence and date.

    Origin: the repository or 'compiled for this project', never a commit hash.
    """
    entries = json.loads(MANIFEST.read_text(encoding="utf-8"))["sources"]
    rows = []
    for e in entries:
        origin = e["upstream"].split(" @ ")[0]
        rows.append({"description": e["description"], "upstream": origin,
                     "licence": e["licence"].split(" @ ")[0], "date": e.get("date") or "–"})
    return rows


def _env() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES),
                       autoescape=select_autoescape(["html", "j2"]))


def render_html(data: CompassData, sources: list[dict]) -> str:
    """The report as one self-contained HTML page (maps embedded), ready to print."""
    _ = translator(data.lang)
    lang = data.lang
    for s in data.sections:
        s.map_uris = {k: "data:image/png;base64," + base64.b64encode(v).decode()
                      for k, v in s.maps.items()}
        s.kind_rows = kind_rows(s.figures, lang)
    return _env().get_template("compass.html.j2").render(
        _=_, lang=lang, data=data, sections=data.sections, radius=fmt_num(data.radius_km, lang),
        title=", ".join(s.name for s in data.sections), comparison=comparison(data),
        hub_definition=hub_definition(lang, data.radius_km, data.known_ngos),
        sources=sources, today=date.today().isoformat(), known_ngos=data.known_ngos,
        fmt_int=lambda v: fmt_int(v, lang), fmt_pct=lambda v: fmt_pct(v, lang),
        fmt_km=lambda v: fmt_km(v, lang), fmt_num=lambda v: fmt_num(v, lang),
    )
