"""`civicmap import`: organisation files validated row by row and written in one transaction.

Accepted files: CSV, XLSX, the chitalishta register layout or the Registry Agency XML.

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
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
from defusedxml import DefusedXmlException

import store
from civic.errors import ImportFileError
from civic.facts import BULGARIA_BBOX
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
from intake import rules
from intake.brra import parse_brra
from intake.rules import RowProblem
from sources.chitalishta import (
    CARD_COLUMN,
    REGISTER_COLUMNS,
    STATUS,
    clean_phone,
    display_name,
    latest_card,
)
from store import changes

MAX_BYTES = 5 * 1024 * 1024
MAX_XLSX_UNPACKED = 60_000_000  # all members of a workbook, uncompressed
MAX_XLSX_RATIO = 100  # uncompressed / compressed, per member
FORMATS = ("csv", "xlsx", "brra-xml")
TEMPLATE_COLUMNS = ("name", "legal_form", "fields", "settlement", "municipality", "province",
                    "ekatte", "address", "lon", "lat", "uic", "phone", "email", "website",
                    "source_url")
IMPORT_SOURCE = "import"
BULGARIA = BULGARIA_BBOX  # lon/lat box with a margin


@dataclass
class ImportReport:
    """What one import read, rejected (with translatable reasons), skipped and wrote."""

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
        """Rows that passed every check."""
        return self.read - len(self.rejected)


# -- reading ------------------------------------------------------------------------------

def _badly_cased(text: str) -> int:
    """Cyrillic words whose letter case is mixed inside the word ('лЯТДЦБМЙ').

    That is what KOI8-R text looks like when read as Windows-1251.
    """
    words = re.findall("[А-Яа-я]{2,}", text)
    return sum(not (w.islower() or w.isupper() or (w[0].isupper() and w[1:].islower()))
               for w in words)


def _mixed_script(text: str) -> tuple[int, int]:
    """(words mixing Latin and Cyrillic letters, words with Cyrillic letters): 'Cafй'."""
    words = [w for w in re.findall("[A-Za-zА-Яа-я]+", text) if re.search("[А-Яа-я]", w)]
    return sum(bool(re.search("[A-Za-z]", w)) for w in words), len(words)


def _code_page_problem(data: bytes, text: str) -> ImportFileError | None:
    """A hint when Windows-1251 text looks like another code page (KOI8-R, Latin-1)."""
    bad = _badly_cased(text)
    if bad >= 2 and _badly_cased(data.decode("koi8_r", errors="replace")) * 3 < bad:
        return ImportFileError("the file looks like KOI8-R text; save it as UTF-8 (or "
                               "Windows-1251) and import it again")
    mixed, cyrillic = _mixed_script(text)
    if cyrillic == 0 or mixed * 5 >= cyrillic:
        return ImportFileError("cannot read the file as UTF-8 or Windows-1251 (is it Latin-1 "
                               "or another code page?); save it as UTF-8 and import it again")
    return None


def _decode(data: bytes) -> str:
    """UTF-8 or Windows-1251 text; KOI8-R, Latin-1 and binary files are refused with a hint."""
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
    problem = _code_page_problem(data, text)
    if problem:
        raise problem
    return text


def _read_csv(data: bytes) -> pd.DataFrame:
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        sep = dialect.delimiter
    except csv.Error:
        sep = ","
    header = next(csv.reader(io.StringIO(text), delimiter=sep), [])
    _refuse_duplicate_headers(header)
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, sep=sep, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ImportFileError("not a readable CSV file") from exc


def _refuse_duplicate_headers(header: list) -> None:
    """ImportFileError naming a column that appears twice (case and spaces ignored)."""
    seen: set[str] = set()
    for name in header:
        key = str(name).strip().lower()
        if key and key in seen:
            raise ImportFileError("the column '{column}' appears more than once; keep one",
                                  column=str(name).strip()[:100])
        seen.add(key)


def check_workbook(data: bytes) -> None:
    """Refuse a workbook whose parts would unpack to too much (a zip bomb) before parsing."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ImportFileError("not a readable XLSX workbook (BadZipFile)") from exc
    total = sum(m.file_size for m in members)
    ratio = max((m.file_size / max(m.compress_size, 1) for m in members), default=0)
    if total > MAX_XLSX_UNPACKED or ratio > MAX_XLSX_RATIO:
        raise ImportFileError("the workbook unpacks to {mb} MB (ratio {ratio}:1); the limits "
                              "are {limit} MB and {max_ratio}:1, so it was not opened",
                              mb=round(total / 1e6), ratio=round(ratio),
                              limit=round(MAX_XLSX_UNPACKED / 1e6), max_ratio=MAX_XLSX_RATIO)


def _read_xlsx(data: bytes) -> pd.DataFrame:
    check_workbook(data)
    try:
        df = pd.read_excel(io.BytesIO(data), dtype=str, keep_default_na=False, header=None)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise ImportFileError("not a readable XLSX workbook ({kind})",
                              kind=type(exc).__name__) from exc
    if df.empty:
        raise ImportFileError("the file is empty")
    header = [str(c) for c in df.iloc[0]]
    _refuse_duplicate_headers(header)
    return df.iloc[1:].set_axis(header, axis=1).reset_index(drop=True)


def _from_register(df: pd.DataFrame) -> pd.DataFrame:
    """The chitalishta register layout, public columns only (chair and secretary dropped)."""
    out = df[[c for c in REGISTER_COLUMNS if c in df.columns]].rename(columns=REGISTER_COLUMNS)
    out["name"] = out["name"].map(lambda n: display_name(n) if n else n)
    cards = [c for c in df.columns if CARD_COLUMN.match(str(c))]
    if cards:  # the information cards: the latest one, as the build keeps it
        cells = df[cards].fillna("").astype(str)
        out["info_card_url"] = [latest_card(dict(zip(cards, row))) or ""
                                for row in cells.itertuples(index=False)]
    return out


def _read_xml(data: bytes) -> tuple[pd.DataFrame, list[dict]]:
    try:
        rows, skipped = parse_brra(data)
    except DefusedXmlException as exc:  # EntitiesForbidden, DTDForbidden, ExternalReference…
        raise ImportFileError("the XML declares entities or a DTD, which are not accepted "
                              "(a Registry Agency export has none)") from exc
    except ValueError as exc:
        raise ImportFileError("not well-formed XML; nothing was read") from exc
    if not rows and not skipped:
        raise ImportFileError("no Registry Agency deeds in this XML; is it the Registry "
                              "Agency open-data export?")
    return pd.DataFrame(rows, columns=["row", *TEMPLATE_COLUMNS]).fillna(""), skipped


def _tabular(df: pd.DataFrame, required: str = "name") -> pd.DataFrame:
    """Template or register columns, checked, as stripped strings with spreadsheet lines.

    `required` names the column every row needs ('title' for civic actions, which may be
    online and so need no place column).
    """
    df.columns = [str(c).strip() for c in df.columns]
    if "Име на читалище" in df.columns:
        df = _from_register(df)
    else:
        df.columns = [c.lower() for c in df.columns]
    if required not in df.columns:
        raise ImportFileError("missing columns: {column} (see the template in docs/)",
                              column=required)
    if required == "name" and not ({"settlement", "ekatte"} & set(df.columns)
                                   or {"lon", "lat"} <= set(df.columns)):
        raise ImportFileError("missing columns: settlement (or ekatte, or lon and lat)")
    if df.empty:
        raise ImportFileError("the file has a header but no rows")
    df = df.fillna("").astype(str).apply(lambda c: c.str.strip())
    df = df.apply(lambda c: c.map(rules.plain)).apply(
        lambda c: c.mask(c.map(rules.placeholder), ""))
    df.insert(0, "row", range(2, len(df) + 2))  # spreadsheet line numbers, header is 1
    return df


def read_rows(path: Path, fmt: str | None = None, required: str = "name"
              ) -> tuple[str, pd.DataFrame, list[dict]]:
    """(format, rows as strings with a 1-based `row` number, skipped XML deeds)."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ImportFileError("the file is {mb} MB; the limit is {limit} MB",
                              mb=f"{size / 1e6:.1f}", limit=f"{MAX_BYTES / 1e6:.0f}")
    data = path.read_bytes()
    if not data.strip():
        raise ImportFileError("the file is empty")
    fmt = fmt or {".xlsx": "xlsx", ".xml": "brra-xml"}.get(path.suffix.lower(), "csv")
    if fmt not in FORMATS:
        raise ImportFileError("unknown format '{fmt}'; use {formats}", fmt=fmt[:20],
                              formats=", ".join(FORMATS))
    if fmt == "brra-xml":
        df, skipped = _read_xml(data)
        return fmt, df, skipped
    return fmt, _tabular(_read_csv(data) if fmt == "csv" else _read_xlsx(data), required), []


# -- validation ---------------------------------------------------------------------------

def _coords(rec: dict) -> tuple[float | None, float | None, RowProblem | None]:
    lon_s, lat_s = rec.get("lon", ""), rec.get("lat", "")
    if not lon_s and not lat_s:
        return None, None, None
    try:
        lon, lat = float(lon_s.replace(",", ".")), float(lat_s.replace(",", "."))
    except ValueError:
        return None, None, RowProblem("coordinates are not numbers")
    west, south, east, north = BULGARIA
    if west <= lon <= east and south <= lat <= north:
        return lon, lat, None
    if west <= lat <= east and south <= lon <= north:
        return None, None, RowProblem("latitude and longitude swapped")
    return None, None, RowProblem("coordinates outside Bulgaria")


def _contact_problem(rec: dict, seen_uic: dict[str, int]) -> RowProblem | None:
    """UIC, e-mail, links and field codes of one row (rules shared with proposals)."""
    uic = rec.get("uic", "")
    if uic and not rules.UIC.match(uic):
        return RowProblem("malformed UIC '{uic}' (9 or 13 digits)", uic=uic)
    if uic and uic in seen_uic:
        return RowProblem("duplicate UIC {uic} (also row {row})", uic=uic, row=seen_uic[uic])
    if rules.emails(rec.get("email", "")) is None:
        return RowProblem("malformed e-mail address")
    for key in ("website", "source_url"):
        url = rec.get(key, "")
        if url and not rules.valid_url(url):
            return RowProblem("malformed URL in {field} '{url}'", field=key, url=url)
    unknown = [f for f in rec.get("fields", "").split(";") if f.strip()
               and f.strip().lower() not in FIELDS]
    if unknown:
        return RowProblem("unknown field code(s): {codes}", codes=", ".join(unknown))
    return None


class Validator:
    """Row checks against the gazetteer's places and the settlement grounds."""

    def __init__(self, places: Gazetteer, settlements):
        """Check rows against the gazetteer's `places` and the settlements' grounds."""
        self.places = places
        self.settlements = settlements.set_index("ekatte", drop=False)
        grounds = settlements[settlements["ground"].notna()]
        self.grounds = grounds.set_geometry("ground")[["ekatte", "ground"]]

    def _settlement_at(self, lon: float, lat: float) -> str | None:
        from shapely.geometry import Point

        hits = self.grounds[self.grounds.covers(Point(lon, lat))]
        return str(hits["ekatte"].iloc[0]) if len(hits) else None

    def check(self, rec: dict, kind: str,
              seen_uic: dict[str, int]) -> tuple[dict | None, RowProblem | None]:
        """(clean record, None) or (None, the reason as a translatable problem)."""
        if not rec.get("name"):
            return None, RowProblem("missing name")
        problem = rules.too_long({k: v for k, v in rec.items() if k != "row"})
        if problem:
            return None, problem
        formulas = rules.formula_cells(rec)
        if formulas:
            return None, RowProblem("cell starts like a spreadsheet formula: {fields}",
                                    fields=", ".join(formulas))
        lon, lat, problem = _coords(rec)
        if problem:
            return None, problem
        ekatte = rec.get("ekatte", "").zfill(5) if rec.get("ekatte") else ""
        if ekatte and ekatte not in self.settlements.index:
            return None, RowProblem("unknown EKATTE code '{code}'", code=rec["ekatte"])
        if not ekatte and rec.get("settlement"):
            res = self.places.resolve(rec["settlement"], rec.get("municipality", ""),
                                      rec.get("province", ""))
            if not res.ekatte:
                return None, RowProblem("unknown settlement: {reason}", reason=res.reason)
            ekatte = res.ekatte
        if not ekatte and lon is not None:
            ekatte = self._settlement_at(lon, lat) or ""
        if not ekatte:
            return None, RowProblem("unknown settlement: give settlement, ekatte or "
                                    "coordinates")
        problem = _contact_problem(rec, seen_uic)
        if problem:
            return None, problem
        if rec.get("uic"):
            seen_uic[rec["uic"]] = rec["row"]
        emails = rules.emails(rec.get("email", "")) or []
        return self._record(rec, kind, ekatte, lon, lat, emails), None

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
            "info_card_url": _card(rec) if kind == "chitalishte" else None,
            "presumed": False, "parent_id": None, "subtype": None,
        }


def _card(rec: dict) -> str | None:
    """A chitalishte's information card link from the register's columns, if it is a web link."""
    url = rec.get("info_card_url") or ""
    return url if re.match(r"https?://", url) else None


# -- writing ------------------------------------------------------------------------------

def _match_existing(records: list[dict]) -> dict[int, str]:
    """Index in `records` → id of the existing organisation it updates."""
    rows = changes.match_keys()
    by_uic = {uic: org_id for org_id, uic, _, _, _ in rows if uic}
    by_name = {(kind, fold(name), ekatte): org_id for org_id, _, name, ekatte, kind in rows}
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
    additions, updates = [], {}
    for i, rec in enumerate(records):
        rec = {**rec, "source_file": source_file, "imported_at": now}
        if i in matches:
            updates[matches[i]] = {k: v for k, v in rec.items() if v is not None
                                   and k not in ("presumed", "parent_id", "subtype")}
        else:
            additions.append({**rec, "id": stable_id(rec["kind"], rec["name"], rec["ekatte"]),
                              "source": IMPORT_SOURCE})
    changes.write_import(additions, updates, who)
    return len(additions), len(updates)


def run_import(path: Path, kind: str, fmt: str | None = None, dry_run: bool = False,
               accept_valid: bool = False, who: str = "import") -> ImportReport:
    """Read, validate and (unless told otherwise) write one file.

    Raises ImportFileError when the file as a whole is unusable; row problems go into the report.
    """
    if kind not in KINDS:
        raise ImportFileError("unknown kind '{kind}'; use {kinds}", kind=kind[:20],
                              kinds=", ".join(KINDS))
    fmt, df, skipped = read_rows(path, fmt)
    report = ImportReport(file=path.name, format=fmt, kind=kind, read=len(df),
                          skipped=skipped, dry_run=dry_run)
    settlements = store.load_settlements()
    places = Gazetteer(settlements, store.load_municipalities(), store.load_provinces())
    validator = Validator(places, settlements)
    records, seen_uic = [], {}
    for rec in df.to_dict("records"):
        clean, problem = validator.check(rec, kind, seen_uic)
        if clean is None:
            report.rejected.append({"row": rec["row"], "name": rec.get("name", "")[:100],
                                    "reason": problem.text("en"), "problem": problem})
        else:
            records.append(clean)
    if dry_run or (report.rejected and not accept_valid) or not records:
        return report
    report.added, report.updated = write(records, path.name, who)
    report.written = True
    return report
