"""Export organisations and civic actions with their public columns: CSV, XLSX, GeoJSON."""

from __future__ import annotations

import json

import pandas as pd

from civic.facts import directory_date

PUBLIC_COLUMNS = [
    "id", "kind", "legal_form", "name", "fields", "ekatte", "settlement", "municipality_code",
    "province_code", "address", "lon", "lat", "precision", "status", "source", "source_url",
    "info_card_url", "source_date", "presumed",
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
LICENCE_NOTE = ("Data: chitalishta register (MIT, data-for-good-bg), civic directory "
                f"(compiled {directory_date()}, facts with citations), NSI EKATTE and Census 2021; "
                "see the sources listed with the export and each row's source_url.")


def neutralise(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def public_table(orgs: pd.DataFrame) -> pd.DataFrame:
    """The public columns, in order, sorted by id (never a person's name: none is stored)."""
    return orgs[PUBLIC_COLUMNS].sort_values("id").reset_index(drop=True)


def to_csv(orgs: pd.DataFrame) -> str:
    """The public table as CSV text, formula-looking cells neutralised."""
    table = public_table(orgs)
    text_cols = table.select_dtypes(include="object").columns
    table[text_cols] = table[text_cols].map(neutralise)
    return table.to_csv(index=False)


def to_xlsx(orgs: pd.DataFrame, sources: list[dict]) -> bytes:
    """The public table as a workbook, with a sheet of sources and the licence note."""
    notes = [LICENCE_NOTE] + [f"{s['description']}: {s['upstream']} ({s['licence']})"
                              for s in sources]
    return tables_xlsx({"organisations": public_table(orgs)}, notes)


def to_geojson(orgs: pd.DataFrame, sources: list[dict] | None = None) -> str:
    """The public table as a GeoJSON FeatureCollection; with `sources`, licence metadata."""
    features = []
    for rec in public_table(orgs).to_dict("records"):
        rec = {k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in rec.items()}
        rec["fields"] = [f for f in (rec["fields"] or "").split(";") if f]
        lon, lat = rec["lon"], rec["lat"]
        geometry = {"type": "Point", "coordinates": [lon, lat]} if lon is not None else None
        features.append({"type": "Feature", "geometry": geometry, "properties": rec})
    doc = {"type": "FeatureCollection", "features": features}
    if sources is not None:
        doc["metadata"] = {"licence": LICENCE_NOTE, "sources": sources}
    return json.dumps(doc, ensure_ascii=False, default=str)


def table_csv(table: pd.DataFrame) -> bytes:
    """Any table as UTF-8 CSV (with BOM, so spreadsheets read Cyrillic), formulas neutralised."""
    safe = table.copy()
    text_cols = safe.select_dtypes(include="object").columns
    safe[text_cols] = safe[text_cols].map(neutralise)
    return safe.to_csv(index=False).encode("utf-8-sig")


def tables_xlsx(sheets: dict[str, pd.DataFrame], notes: list[str]) -> bytes:
    """Tables as sheets of one XLSX workbook, plus a sheet of notes; formulas neutralised."""
    import io

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, table in sheets.items():
            safe = table.copy()
            text_cols = safe.select_dtypes(include="object").columns
            safe[text_cols] = safe[text_cols].map(neutralise)
            safe.to_excel(writer, sheet_name=name[:31], index=False)
        pd.DataFrame({"note": notes}).to_excel(writer, sheet_name="about", index=False)
    return buffer.getvalue()


def points_geojson(table: pd.DataFrame, lon: str = "lon", lat: str = "lat",
                   metadata: dict | None = None) -> str:
    """Rows with lon/lat columns as a GeoJSON FeatureCollection."""
    features = []
    for rec in table.to_dict("records"):
        rec = {k: (None if isinstance(v, float) and pd.isna(v) else
                   v.item() if hasattr(v, "item") else v) for k, v in rec.items()}
        x, y = rec.pop(lon, None), rec.pop(lat, None)
        geometry = {"type": "Point", "coordinates": [x, y]} if x is not None else None
        features.append({"type": "Feature", "geometry": geometry, "properties": rec})
    doc = {"type": "FeatureCollection", "features": features}
    if metadata:
        doc["metadata"] = metadata
    return json.dumps(doc, ensure_ascii=False, default=str)


# -- civic actions --------------------------------------------------------------------------

ACTION_PUBLIC_COLUMNS = [
    "id", "title", "description", "cause", "type", "start", "end", "rrule", "online",
    "settlement", "ekatte", "municipality_code", "province_code", "address", "lon", "lat",
    "host_id", "host_name", "partner_ids", "volunteers_needed", "joined", "skills", "items",
    "contact_phone", "contact_email", "url", "status", "cancel_reason", "source",
    "source_date", "licence",
]
# Who published an action and on what terms; the lead may settle a licence for this data.
ACTIONS_LICENCE = "not specified: published by the host organisation on civicmap"
ACTIONS_NOTE = ("Published civic actions on civicmap: what host organisations published "
                "(proposals approved by a moderator, or an operator's import), not a complete "
                "list of what happens. Times are local, Europe/Sofia; rrule is RFC 5545. "
                "Contacts are the organisations' public ones; joined is a count, no names. "
                "source: proposal or import; source_date: the day the action was last changed.")


def actions_public_table(rows: pd.DataFrame, orgs_by_id: dict[str, str],
                         now=None) -> pd.DataFrame:
    """Published, past and cancelled actions (never proposed ones) with their public columns.

    `status` is the effective one ('past' once a published action's last occurrence ended);
    `host_name` comes from `orgs_by_id`; soonest first.
    """
    from civic.action import effective_status

    shown = rows[rows["status"].isin(("published", "cancelled"))].copy()
    shown["status"] = [effective_status(r, now) for r in shown.to_dict("records")]
    shown["host_name"] = shown["host_id"].map(lambda h: orgs_by_id.get(h))
    stamps = shown["updated_at"] if "updated_at" in shown else pd.Series(None, index=shown.index)
    shown["source_date"] = [None if pd.isna(s) else pd.Timestamp(s).date().isoformat()
                            for s in stamps]
    shown["licence"] = ACTIONS_LICENCE
    for column in ACTION_PUBLIC_COLUMNS:
        if column not in shown:
            shown[column] = None
    shown["online"] = [bool(v) if pd.notna(v) else False for v in shown["online"]]
    for column in ("volunteers_needed", "joined"):  # whole numbers, missing as empty
        shown[column] = pd.Series([None if pd.isna(v) else int(v) for v in shown[column]],
                                  index=shown.index, dtype=object)
    return shown[ACTION_PUBLIC_COLUMNS].sort_values(["start", "id"]).reset_index(drop=True)


def _actions_notes(sources: list[dict] | None) -> list[str]:
    return [ACTIONS_NOTE, LICENCE_NOTE] + [
        f"{s['description']}: {s['upstream']} ({s['licence']})" for s in sources or []]


def actions_csv(rows: pd.DataFrame, orgs_by_id: dict[str, str], now=None) -> str:
    """The public actions table as CSV text, formula-looking cells neutralised."""
    table = actions_public_table(rows, orgs_by_id, now)
    text_cols = table.select_dtypes(include="object").columns
    table[text_cols] = table[text_cols].map(neutralise)
    return table.to_csv(index=False)


def actions_xlsx(rows: pd.DataFrame, orgs_by_id: dict[str, str],
                 sources: list[dict] | None = None, now=None) -> bytes:
    """The public actions table as a workbook with an `about` sheet (what it is, licence)."""
    return tables_xlsx({"actions": actions_public_table(rows, orgs_by_id, now)},
                       _actions_notes(sources))


def actions_geojson(rows: pd.DataFrame, orgs_by_id: dict[str, str],
                    sources: list[dict] | None = None, now=None) -> str:
    """The public actions as GeoJSON points (online actions without a point: null geometry).

    Text is kept as typed (GeoJSON is not a spreadsheet), as in the organisation export.
    """
    table = actions_public_table(rows, orgs_by_id, now)
    metadata = {"note": ACTIONS_NOTE, "licence": ACTIONS_LICENCE, "places": LICENCE_NOTE}
    if sources is not None:
        metadata["sources"] = sources
    return points_geojson(table, metadata=metadata)
