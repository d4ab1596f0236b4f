"""`civicmap import`: organisations from CSV, XLSX, the chitalishta register layout or the
Registry Agency XML, validated row by row, written in one transaction.

Default: all or nothing (any rejected row stops the import; nothing is written).
`accept_valid`: the valid rows are written, the rejected ones reported. `dry_run`: nothing
is ever written. A record that matches an existing one (same UIC, else the same folded name
in the same settlement) is updated, not added. Every record keeps its source file and
import time.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import select, update

import store
from civic.errors import ImportFileError
from civic.text import fold, to_latin
from civic.vocabularies import (
    FIELDS,
    KINDS,
    LEGAL_FORMS,
    PRECISION_SCORE,
    split_fields,
    stable_id,
)
from geo.gazetteer import Gazetteer
from intake.brra import parse_brra
from sources.chitalishta import REGISTER_COLUMNS, STATUS, clean_phone, display_name
from store import audit

MAX_BYTES = 5 * 1024 * 1024
FORMATS = ("csv", "xlsx", "brra-xml")
TEMPLATE_COLUMNS = ("name", "legal_form", "fields", "settlement", "municipality", "province",
                    "ekatte", "address", "lon", "lat", "uic", "phone", "email", "website",
                    "source_url")
IMPORT_SOURCE = "import"
BULGARIA = (22.3, 41.2, 28.7, 44.3)  # lon/lat box with a margin
_FORMULA = ("=", "+", "-", "@")
_PHONE_OK = re.compile(r"^\+?[\d\s()/;,-]+$")
_EMAIL = re.compile(r"^[^@\s;,<>\"']+@[^@\s;,<>\"']+\.[^@\s;,<>\"']+$")
_UIC = re.compile(r"^(\d{9}|\d{13})$")


@dataclass
class ImportReport:
    file: str
    format: str
    kind: str
    read: int = 0
    rejected: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)  # XML deeds of other legal forms
    added: int = 0
    updated: int = 0
    written: bool = False
    dry_run: bool = False

    @property
    def valid(self) -> int:
        return self.read - len(self.rejected)


# -- reading ------------------------------------------------------------------------------

def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise ImportFileError("cannot read the file: it looks like UTF-16 or binary data; "
                              "save it as CSV in UTF-8 or Windows-1251")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError as exc:
        raise ImportFileError("cannot read the file as UTF-8 or Windows-1251") from exc
    if not re.search("[А-Яа-я]", text) and re.search("[\x80-\xff]", data.decode("latin-1")):
        raise ImportFileError("cannot read the file as UTF-8 or Windows-1251")
    return text


def _read_csv(data: bytes) -> pd.DataFrame:
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        sep = dialect.delimiter
    except csv.Error:
        sep = ","
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, sep=sep, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ImportFileError(f"not a readable CSV file ({exc})") from exc


def _read_xlsx(data: bytes) -> pd.DataFrame:
    try:
        return pd.read_excel(io.BytesIO(data), dtype=str, keep_default_na=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise ImportFileError(f"not a readable XLSX workbook ({type(exc).__name__})") from exc


def _from_register(df: pd.DataFrame) -> pd.DataFrame:
    """The chitalishta register layout, public columns only (chair and secretary dropped)."""
    out = df[[c for c in REGISTER_COLUMNS if c in df.columns]].rename(columns=REGISTER_COLUMNS)
    out["name"] = out["name"].map(lambda n: display_name(n) if n else n)
    return out


def read_rows(path: Path, fmt: str | None = None) -> tuple[str, pd.DataFrame, list[dict]]:
    """(format, rows as strings with a 1-based `row` number, skipped XML deeds)."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ImportFileError(f"the file is {size / 1e6:.1f} MB; the limit is "
                              f"{MAX_BYTES / 1e6:.0f} MB")
    data = path.read_bytes()
    if not data.strip():
        raise ImportFileError("the file is empty")
    fmt = fmt or {".xlsx": "xlsx", ".xml": "brra-xml"}.get(path.suffix.lower(), "csv")
    if fmt not in FORMATS:
        raise ImportFileError(f"unknown format '{fmt}'; use {', '.join(FORMATS)}")
    skipped: list[dict] = []
    if fmt == "brra-xml":
        try:
            rows, skipped = parse_brra(data)
        except ValueError as exc:
            raise ImportFileError(str(exc)) from exc
        df = pd.DataFrame(rows, columns=["row", *TEMPLATE_COLUMNS])
        return fmt, df.fillna(""), skipped
    df = _read_csv(data) if fmt == "csv" else _read_xlsx(data)
    df.columns = [str(c).strip() for c in df.columns]
    if "Име на читалище" in df.columns:
        df = _from_register(df)
    else:
        df.columns = [c.lower() for c in df.columns]
    if "name" not in df.columns:
        raise ImportFileError("missing columns: name (see docs/IMPORT.md for the template)")
    if not ({"settlement", "ekatte"} & set(df.columns) or {"lon", "lat"} <= set(df.columns)):
        raise ImportFileError("missing columns: settlement (or ekatte, or lon and lat)")
    if df.empty:
        raise ImportFileError("the file has a header but no rows")
    df = df.fillna("").astype(str).apply(lambda c: c.str.strip())
    df.insert(0, "row", range(2, len(df) + 2))  # spreadsheet line numbers, header is 1
    return fmt, df, skipped


# -- validation ---------------------------------------------------------------------------

def _formula_cells(rec: dict) -> list[str]:
    bad = []
    for key, value in rec.items():
        if key in ("row", "lon", "lat") or not isinstance(value, str):
            continue
        if value.startswith(_FORMULA):
            if key == "phone" and _PHONE_OK.match(value):
                continue  # "+359 88..." is a phone number, not a formula
            bad.append(key)
    return bad


def _coords(rec: dict) -> tuple[float | None, float | None, str | None]:
    lon_s, lat_s = rec.get("lon", ""), rec.get("lat", "")
    if not lon_s and not lat_s:
        return None, None, None
    try:
        lon, lat = float(lon_s.replace(",", ".")), float(lat_s.replace(",", "."))
    except ValueError:
        return None, None, "coordinates are not numbers"
    west, south, east, north = BULGARIA
    if west <= lon <= east and south <= lat <= north:
        return lon, lat, None
    if west <= lat <= east and south <= lon <= north:
        return None, None, "latitude and longitude swapped"
    return None, None, "coordinates outside Bulgaria"


class Validator:
    """Row checks against the gazetteer's places and the settlement grounds."""

    def __init__(self, places: Gazetteer, settlements):
        self.places = places
        self.settlements = settlements.set_index("ekatte", drop=False)
        grounds = settlements[settlements["ground"].notna()]
        self.grounds = grounds.set_geometry("ground")[["ekatte", "ground"]]

    def _settlement_at(self, lon: float, lat: float) -> str | None:
        from shapely.geometry import Point

        hits = self.grounds[self.grounds.covers(Point(lon, lat))]
        return str(hits["ekatte"].iloc[0]) if len(hits) else None

    def check(self, rec: dict, kind: str, seen_uic: dict[str, int]) -> tuple[dict | None, str]:
        """(clean record, "") or (None, reason)."""
        if not rec.get("name"):
            return None, "missing name"
        formulas = _formula_cells(rec)
        if formulas:
            return None, f"cell starts like a spreadsheet formula: {', '.join(formulas)}"
        lon, lat, problem = _coords(rec)
        if problem:
            return None, problem
        ekatte = rec.get("ekatte", "").zfill(5) if rec.get("ekatte") else ""
        if ekatte and ekatte not in self.settlements.index:
            return None, f"unknown EKATTE code '{rec['ekatte']}'"
        if not ekatte and rec.get("settlement"):
            res = self.places.resolve(rec["settlement"], rec.get("municipality", ""),
                                      rec.get("province", ""))
            if not res.ekatte:
                return None, f"unknown settlement: {res.reason}"
            ekatte = res.ekatte
        if not ekatte and lon is not None:
            ekatte = self._settlement_at(lon, lat) or ""
        if not ekatte:
            return None, "unknown settlement: give settlement, ekatte or coordinates"
        uic = rec.get("uic", "")
        if uic and not _UIC.match(uic):
            return None, f"malformed UIC '{uic}' (9 or 13 digits)"
        if uic and uic in seen_uic:
            return None, f"duplicate UIC {uic} (also row {seen_uic[uic]})"
        emails = [e.strip() for e in rec.get("email", "").split(";") if e.strip()]
        if any(not _EMAIL.match(e) for e in emails):
            return None, f"malformed e-mail '{rec['email']}'"
        for key in ("website", "source_url"):
            url = rec.get(key, "")
            if url and not re.match(r"^https?://[^\s/$.?#][^\s]*\.[^\s]+$", url, re.I):
                return None, f"malformed URL in {key} '{url}'"
        unknown = [f for f in rec.get("fields", "").split(";") if f.strip()
                   and f.strip().lower() not in FIELDS]
        if unknown:
            return None, f"unknown field code(s): {', '.join(unknown)}"
        if uic:
            seen_uic[uic] = rec["row"]
        return self._record(rec, kind, ekatte, lon, lat, emails), ""

    def _record(self, rec, kind, ekatte, lon, lat, emails) -> dict:
        s = self.settlements.loc[ekatte]
        form = rec.get("legal_form", "")
        legal_form = "chitalishte" if kind == "chitalishte" else \
            LEGAL_FORMS.get(fold(form), form if form in LEGAL_FORMS.values() else None)
        precision = "source_point" if lon is not None else "settlement"
        if lon is None:
            lon, lat = s.geometry.x, s.geometry.y
        status = STATUS.get(fold(rec.get("status", "")), "active")
        return {
            "kind": kind, "legal_form": legal_form, "name": rec["name"],
            "name_latin": to_latin(rec["name"]),
            "fields": ";".join(split_fields(rec.get("fields", ""))) or None,
            "ekatte": ekatte, "settlement": s["name"],
            "municipality_code": s["municipality_code"], "province_code": s["province_code"],
            "address": rec.get("address") or None, "lon": float(lon), "lat": float(lat),
            "precision": precision, "precision_score": PRECISION_SCORE[precision],
            "precision_note": None if precision == "source_point" else
            "placed at the settlement centre",
            "status": status, "uic": rec.get("uic") or None,
            "register_number": rec.get("register_number") or None,
            "phone": clean_phone(rec.get("phone", "")), "email": ";".join(emails) or None,
            "website": rec.get("website") or None, "source_url": rec.get("source_url") or None,
            "presumed": False, "parent_id": None, "subtype": None,
        }


# -- writing ------------------------------------------------------------------------------

def _match_existing(records: list[dict]) -> dict[int, str]:
    """Index in `records` → id of the existing organisation it updates."""
    org = store.organisations
    with store.engine().connect() as conn:
        rows = conn.execute(select(org.c.id, org.c.uic, org.c.name, org.c.ekatte,
                                   org.c.kind)).all()
    by_uic = {r.uic: r.id for r in rows if r.uic}
    by_name = {(r.kind, fold(r.name), r.ekatte): r.id for r in rows}
    out = {}
    for i, rec in enumerate(records):
        found = by_uic.get(rec["uic"]) if rec["uic"] else None
        found = found or by_name.get((rec["kind"], fold(rec["name"]), rec["ekatte"]))
        if found:
            out[i] = found
    return out



def write(records: list[dict], source_file: str, who: str = "import") -> tuple[int, int]:
    """Insert or update every record in ONE transaction; (added, updated)."""
    now = datetime.now()
    matches = _match_existing(records)
    org = store.organisations
    added = updated = 0
    with store.engine().begin() as conn:
        for i, rec in enumerate(records):
            rec = {**rec, "source_file": source_file, "imported_at": now}
            if i in matches:
                changes = {k: v for k, v in rec.items() if v is not None
                           and k not in ("presumed", "parent_id", "subtype")}
                before = conn.execute(select(org).where(org.c.id == matches[i])).mappings().one()
                conn.execute(update(org).where(org.c.id == matches[i]).values(**changes))
                audit.record(conn, who, "import_update", matches[i],
                             {k: before[k] for k in changes}, changes)
                updated += 1
            else:
                rec.update(id=stable_id(rec["kind"], rec["name"], rec["ekatte"]),
                           source=IMPORT_SOURCE)
                row = {c: rec.get(c) for c in store.ORGANISATION_COLUMNS}
                conn.execute(org.insert(), [row])
                audit.record(conn, who, "import_add", rec["id"], None, row)
                added += 1
    return added, updated


def run_import(path: Path, kind: str, fmt: str | None = None, dry_run: bool = False,
               accept_valid: bool = False, who: str = "import") -> ImportReport:
    """Read, validate and (unless told otherwise) write one file. Raises ImportFileError
    when the file as a whole is unusable; row problems go into the report."""
    if kind not in KINDS:
        raise ImportFileError(f"unknown kind '{kind}'; use {', '.join(KINDS)}")
    fmt, df, skipped = read_rows(path, fmt)
    report = ImportReport(file=path.name, format=fmt, kind=kind, read=len(df),
                          skipped=skipped, dry_run=dry_run)
    settlements = store.load_settlements()
    places = Gazetteer(settlements, store.load_municipalities(), store.load_provinces())
    validator = Validator(places, settlements)
    records, seen_uic = [], {}
    for rec in df.to_dict("records"):
        clean, reason = validator.check(rec, kind, seen_uic)
        if clean is None:
            report.rejected.append({"row": rec["row"], "name": rec.get("name", ""),
                                    "reason": reason})
        else:
            records.append(clean)
    if dry_run or (report.rejected and not accept_valid) or not records:
        return report
    report.added, report.updated = write(records, path.name, who)
    report.written = True
    return report
