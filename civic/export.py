"""Export organisations with their public columns as CSV or GeoJSON."""

from __future__ import annotations

import json

import pandas as pd

PUBLIC_COLUMNS = [
    "id", "kind", "legal_form", "name", "fields", "ekatte", "settlement", "municipality_code",
    "province_code", "address", "lon", "lat", "precision", "status", "source", "source_url",
    "source_date",
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def public_table(orgs: pd.DataFrame) -> pd.DataFrame:
    """The public columns, in order, sorted by id (never a person's name: none is stored)."""
    return orgs[PUBLIC_COLUMNS].sort_values("id").reset_index(drop=True)


def to_csv(orgs: pd.DataFrame) -> str:
    table = public_table(orgs)
    text_cols = table.select_dtypes(include="object").columns
    table[text_cols] = table[text_cols].map(neutralise)
    return table.to_csv(index=False)


def to_geojson(orgs: pd.DataFrame) -> str:
    features = []
    for rec in public_table(orgs).to_dict("records"):
        rec = {k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in rec.items()}
        rec["fields"] = [f for f in (rec["fields"] or "").split(";") if f]
        lon, lat = rec["lon"], rec["lat"]
        geometry = {"type": "Point", "coordinates": [lon, lat]} if lon is not None else None
        features.append({"type": "Feature", "geometry": geometry, "properties": rec})
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
