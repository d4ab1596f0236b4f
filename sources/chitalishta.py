"""Import chitalishta from the national register, with coordinates from the GPS file."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from civic.text import fold, to_latin
from civic.vocabularies import CHITALISHTE_FIELDS, PRECISION_SCORE
from geo.gazetteer import Gazetteer

METRIC_CRS = "EPSG:7801"
# Public columns only: the chair and secretary (people's names) are never read.
REGISTER_COLUMNS = {
    "Рег. №": "register_number",
    "Статус": "status",
    "Име на читалище": "name",
    "Област": "province",
    "Община": "municipality",
    "Град/село": "settlement",
    "Адрес": "address",
    "Булстат": "uic",
    "E-mail": "email",
    "Телефон": "phone",
    "линк": "source_url",
}
# 'Информационна карта 2022' … 2016, and one undated 'Информационна карта' column.
CARD_COLUMN = re.compile(r"^Информационна карта(?: (\d{4}))?$")
_CARD_ID = re.compile(r"[?&]id=(\d+)")
STATUS = {"действащо": "active", "закрито": "closed", "неработещо": "inactive"}
REGISTER_SOURCE = "chitalishta_register"
REGISTER_DATE = "2023"
_REG_IN_LINK = re.compile(r"community-center/(\d+)/")
SAME_POINT_M = 30.0


@dataclass
class ImportResult:
    """One source's import: rows for the store, rejected rows with reasons, enrichments."""

    rows: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    enriched: list[dict] = field(default_factory=list)
    read: int = 0


def read_register(path: Path) -> pd.DataFrame:
    """The register's public columns, renamed, as strings.

    The information card columns become one `info_card_url` (the latest, see `latest_card`).
    """
    reg = pd.read_csv(path, dtype=str,
                      usecols=lambda c: c in REGISTER_COLUMNS or bool(CARD_COLUMN.match(c)))
    reg = reg.fillna("").apply(lambda c: c.str.strip())
    cards = [c for c in reg.columns if CARD_COLUMN.match(c)]
    reg["info_card_url"] = [latest_card(dict(zip(cards, row)))
                            for row in reg[cards].itertuples(index=False)]
    return reg.drop(columns=cards).rename(columns=REGISTER_COLUMNS)


def latest_card(cells: dict[str, str]) -> str | None:
    """The newest information card URL among a register row's card cells, or None.

    Dated columns count by their year. The undated column is older unless its card number
    (`id=` on chitalishta.com, which grows year by year: each year's cards in the register
    have higher numbers than the year before's) is higher than the newest dated card's.
    """
    dated, undated = [], ""
    for column, value in cells.items():
        found = CARD_COLUMN.match(column)
        if not found or not (value or "").strip():
            continue
        if found.group(1):
            dated.append((int(found.group(1)), value.strip()))
        else:
            undated = value.strip()
    newest = max(dated)[1] if dated else ""
    if undated and (not newest or _card_number(undated) > _card_number(newest)):
        return undated
    return newest or None


def _card_number(url: str) -> int:
    found = _CARD_ID.search(url)
    return int(found.group(1)) if found else -1


def read_gps(path: Path) -> pd.DataFrame:
    """GPS points keyed by the register number in the `Връзка` URL (not `fid`)."""
    gps = pd.read_excel(path, dtype=str)
    reg = gps["Връзка"].fillna("").str.extract(_REG_IN_LINK)[0]
    out = pd.DataFrame({
        "register_number": reg,
        "lon": pd.to_numeric(gps["Longitude"], errors="coerce"),
        "lat": pd.to_numeric(gps["Latitude"], errors="coerce"),
    }).dropna()
    return out.drop_duplicates("register_number").set_index("register_number")


_NOT_PHONE = re.compile(r"[^\d+()/;,\s-]")


def clean_phone(text: str) -> str | None:
    """Only the digits and separators of a phone cell: registers put people's names there."""
    cleaned = re.sub(r"\s+", " ", _NOT_PHONE.sub(" ", text or "")).strip(" ,;-/")
    return cleaned if re.search(r"\d{4}", cleaned) else None


def clean_uic(text: str) -> str | None:
    """The 9- or 13-digit BULSTAT/UIC in a cell (some cells also hold a phone number)."""
    found = re.search(r"(?<!\d)(\d{13}|\d{9})(?!\d)", text or "")
    return found.group(1) if found else None


def display_name(name: str) -> str:
    """'Пробуда 1926' → 'НЧ „Пробуда 1926“'; names that already say читалище stay."""
    if re.match(r"^(нч|народно читалище|читалище)\b", fold(name)):
        return name
    return f"НЧ „{name}“"


def import_register(
    register: pd.DataFrame,
    gps: pd.DataFrame,
    places: Gazetteer,
    settlements: gpd.GeoDataFrame,
    municipalities: gpd.GeoDataFrame,
    source_file: str,
) -> ImportResult:
    """Chitalishta rows for the store, each placed and joined to EKATTE or rejected."""
    result = ImportResult(read=len(register))
    now = datetime.now()
    s_idx = settlements.set_index("ekatte")
    m_geom = municipalities.set_index("code").geometry
    for row in register.itertuples(index=False):
        if fold(row.name) == "тест":
            result.rejected.append(_reject(row, "test record, not a chitalishte"))
            continue
        res = places.resolve(row.settlement, row.municipality, row.province)
        prov = places.province_code(row.province)
        muni = places.municipality_code(row.municipality, prov)
        ekatte = res.ekatte
        if ekatte:
            muni = s_idx.at[ekatte, "municipality_code"]
            prov = s_idx.at[ekatte, "province_code"]
        if not muni:
            result.rejected.append(_reject(row, res.reason or "unknown municipality"))
            continue
        lon, lat, precision, note = _place(row.register_number, ekatte, muni, gps, s_idx, m_geom,
                                           places)
        if not ekatte:
            note = f"{res.reason}; {note}" if note else res.reason
        result.rows.append({
            "id": f"chitalishte-{row.register_number}",
            "kind": "chitalishte",
            "subtype": None,
            "presumed": False,
            "parent_id": None,
            "legal_form": "chitalishte",
            "name": display_name(row.name),
            "name_latin": to_latin(display_name(row.name)),
            "fields": ";".join(CHITALISHTE_FIELDS),
            "ekatte": ekatte,
            "settlement": s_idx.at[ekatte, "name"] if ekatte else None,
            "municipality_code": muni,
            "province_code": prov,
            "address": row.address or None,
            "lon": lon,
            "lat": lat,
            "precision": precision,
            "precision_score": PRECISION_SCORE[precision],
            "precision_note": note or None,
            "status": STATUS.get(fold(row.status), "inactive"),
            "uic": clean_uic(row.uic),
            "register_number": row.register_number,
            "phone": clean_phone(row.phone),
            "email": ";".join(e.strip() for e in row.email.split(";") if "@" in e) or None,
            "website": None,
            "see_also_url": None,
            "info_card_url": row.info_card_url or None,
            "source": REGISTER_SOURCE,
            "source_url": row.source_url or None,
            "source_date": REGISTER_DATE,
            "source_file": source_file,
            "imported_at": now,
        })
    return result


def _place(reg_no, ekatte, muni, gps, s_idx, m_geom, places):
    """(lon, lat, precision, note): the GPS point when it lies in the right municipality."""
    fallback_ekatte = ekatte or places.municipality_centre.get(muni)
    fallback = s_idx.loc[fallback_ekatte, "geometry"] if fallback_ekatte in s_idx.index else None
    fallback_precision = "settlement" if ekatte else "municipality"
    if reg_no in gps.index:
        lon, lat = float(gps.at[reg_no, "lon"]), float(gps.at[reg_no, "lat"])
        point = gpd.GeoSeries.from_xy([lon], [lat], crs="EPSG:4326")
        if muni in m_geom.index and m_geom[muni].covers(point.iloc[0]):
            if fallback is not None and ekatte:
                both = gpd.GeoSeries([point.iloc[0], fallback], crs="EPSG:4326").to_crs(METRIC_CRS)
                if both.iloc[0].distance(both.iloc[1]) <= SAME_POINT_M:
                    return lon, lat, "settlement", "GPS point is the settlement centre"
            return lon, lat, "source_point", ""
        note = f"GPS point ({lat:.5f}, {lon:.5f}) lies outside municipality {muni}"
    else:
        note = "no GPS point for this register number"
    if fallback is None:
        return None, None, fallback_precision, note + "; no settlement point either"
    return fallback.x, fallback.y, fallback_precision, note


def _reject(row, reason: str) -> dict:
    return {"row": row.register_number, "name": row.name, "reason": reason}
