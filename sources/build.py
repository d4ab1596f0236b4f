"""`civicmap build`: sources → geography GeoParquet + organisations in the store + a report."""

from __future__ import annotations

import json
import time
from datetime import datetime

import pandas as pd

import store
from civic import settings
from civic.errors import SourceError
from geo.gazetteer import Gazetteer
from sources import chitalishta, directory
from sources import geography as geodata
from sources.manifest import verify_all

TURKISH_NAMES = settings.DATA_DIR / "places_tr.csv"
BUILD_SOURCES = (
    chitalishta.REGISTER_SOURCE,
    directory.NGO_SOURCE,
    directory.LIBRARY_SOURCE,
    directory.PRESUMED_SOURCE,
)


def build() -> dict:
    """Run the whole build; idempotent (a rerun replaces what a build made). Returns the report."""
    started = time.perf_counter()
    files = verify_all()
    store.migrate()  # the only place the schema changes
    census = geodata.read_census(files["census_2021_units.csv"])
    settlements = add_turkish_names(geodata.build_settlements(files, census),
                                    read_turkish_names(TURKISH_NAMES))
    municipalities = add_centre_turkish_names(geodata.build_municipalities(files, census),
                                              settlements)
    provinces = add_centre_turkish_names(geodata.build_provinces(files, census), settlements)
    places = Gazetteer(settlements, municipalities, provinces)
    locate = _address_locator(places)

    register = chitalishta.import_register(
        chitalishta.read_register(files["chitalishta_register.csv"]),
        chitalishta.read_gps(files["chitalishta_gps_coordinates.xlsx"]),
        places, settlements, municipalities, "chitalishta_register.csv",
    )
    ngos = directory.import_ngos(
        directory.read_directory(files["civic_directory_ngos_2026-11.csv"]),
        places, settlements, register.rows, "civic_directory_ngos_2026-11.csv", locate,
    )
    libraries = directory.import_libraries(
        directory.read_directory(files["civic_directory_libraries_2026-11.csv"]),
        places, settlements, register.rows, "civic_directory_libraries_2026-11.csv", locate,
    )
    store.write_geodata(settlements, municipalities, provinces)
    write_place_suggestions(settlements, municipalities, provinces)
    rows = register.rows + ngos.rows + libraries.rows
    counts_before = store.count_by_source(BUILD_SOURCES)
    store.replace_organisations(rows, BUILD_SOURCES, audit_after={
        "rows_by_source": {s: sum(1 for r in rows if r["source"] == s) for s in BUILD_SOURCES},
    }, audit_before={"rows_by_source": counts_before})
    store.GeocodeCache().clear()  # answers may point at settlements that changed

    presumed = sum(1 for r in libraries.rows if r["presumed"])
    report = {
        "built_at": datetime.now().isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 2),
        "database": settings.database_url().split("@")[-1],
        "geography": {
            "settlements": len(settlements),
            "settlements_without_point": int((settlements["point_source"] == "none").sum()),
            "municipalities": len(municipalities),
            "provinces": len(provinces),
        },
        "sources": {
            "chitalishta_register.csv": _summary(register, len(register.rows)),
            "civic_directory_ngos_2026-11.csv": _summary(ngos, len(ngos.rows)),
            "civic_directory_libraries_2026-11.csv": _summary(libraries,
                                                              len(libraries.rows) - presumed),
            "presumed chitalishte libraries": {"stored": presumed},
        },
    }
    # written last: its presence (with readable files) marks a complete build
    store.write_text_atomically(settings.build_report_file(),
                                json.dumps(report, ensure_ascii=False, indent=2, default=str)
                                + "\n")
    return report


def read_turkish_names(path) -> pd.DataFrame:
    """The project's Turkish place names (ekatte, name_bg, name_tr, source_url).

    Every row must cite its public source.
    """
    names = pd.read_csv(path, dtype=str).fillna("")
    names["ekatte"] = names["ekatte"].str.zfill(5)
    uncited = names[~names["source_url"].str.match(r"^https?://\S+$")]
    if len(uncited):
        raise SourceError("{file}: row {row} cites no source URL", file=path.name,
                          row=int(uncited.index[0]) + 2)
    return names


def add_turkish_names(settlements, names: pd.DataFrame):
    """Settlements with a `name_tr` column; a row naming another settlement stops the build."""
    by_ekatte = settlements.set_index("ekatte")["name"]
    for row in names.itertuples():
        if by_ekatte.get(row.ekatte) != row.name_bg:
            raise SourceError("places_tr.csv: EKATTE {ekatte} is not {name}",
                              ekatte=row.ekatte, name=row.name_bg)
    tr = dict(zip(names["ekatte"], names["name_tr"]))
    return settlements.assign(name_tr=settlements["ekatte"].map(tr).fillna(""))


def add_centre_turkish_names(areas, settlements):
    """Municipalities or provinces with `name_tr`: their centre's Turkish name, if known.

    Only where the area bears its centre's name (Кърджали → Kırcaali), never a neighbour's.
    """
    tr = settlements.set_index("ekatte")["name_tr"]
    names = settlements.set_index("ekatte")["name"]
    return areas.assign(name_tr=[tr.get(e, "") if names.get(e) == n else ""
                                 for e, n in zip(areas["centre_ekatte"], areas["name"])])


def write_place_suggestions(settlements, municipalities, provinces) -> None:
    """Write the search box's suggestions: one entry per settlement, largest first.

    Each is [type, name, Latin name, municipality, province, Turkish name]; the browser caches
    the file.
    """
    muni = dict(zip(municipalities["code"], municipalities["name"]))
    prov = dict(zip(provinces["code"], provinces["name"]))
    ordered = settlements.sort_values("population_2021", ascending=False)
    tr = ordered["name_tr"] if "name_tr" in ordered else [""] * len(ordered)
    rows = [[t, n, lt, muni.get(m, ""), prov.get(p, ""), nt] for t, n, lt, m, p, nt in zip(
        ordered["type"], ordered["name"], ordered["name_latin"],
        ordered["municipality_code"], ordered["province_code"], tr)]
    store.write_text_atomically(settings.place_suggestions_file(),
                                json.dumps(rows, ensure_ascii=False, separators=(",", ":")))


def _address_locator(gazetteer: Gazetteer):
    """Directory addresses go through the same gazetteer (settlement level, confident only)."""

    def locate(address: str) -> str | None:
        match = gazetteer.match(address)
        return match.ekatte if match and match.confident else None

    return locate


def _summary(result, stored: int) -> dict:
    out = {"read": result.read, "stored": stored, "rejected": len(result.rejected),
           "rejections": result.rejected}
    if result.enriched:
        out["enriched_register_entries"] = len(result.enriched)
        out["enrichments"] = result.enriched
    return out


def format_report(report: dict) -> str:
    """The build report as lines a person reads in a terminal."""
    lines = [f"civicmap build: {report['seconds']} s, store {report['database']}"]
    geo = report["geography"]
    lines.append(
        f"  geography: {geo['settlements']} settlements ({geo['settlements_without_point']} "
        f"without a point), {geo['municipalities']} municipalities, {geo['provinces']} provinces"
    )
    for name, s in report["sources"].items():
        parts = [f"{k} {s[k]}" for k in ("read", "stored", "rejected") if k in s]
        if "enriched_register_entries" in s:
            parts.append(f"enriched {s['enriched_register_entries']} register entries")
        lines.append(f"  {name}: " + ", ".join(parts))
        for rej in s.get("rejections", []):
            lines.append(f"    row {rej['row']}: {rej['name']} — {rej['reason']}")
    return "\n".join(lines)
