"""`civicmap stats`: counts of organisations, settlements and population per province."""

from __future__ import annotations

import pandas as pd

from civic.vocabularies import KIND_KEYS, PRECISIONS, kind_keys

ORG_KEYS = KIND_KEYS


def _org_key(df: pd.DataFrame) -> pd.Series:
    return pd.Series(kind_keys(df), index=df.index, dtype=object)


def organisation_counts(orgs: pd.DataFrame, provinces: list[str]) -> dict:
    """{province: {ngo, chitalishte, library, library_presumed}} for the given rows."""
    counts = orgs.assign(key=_org_key(orgs)).groupby(["province_code", "key"]).size()
    return {
        p: {k: int(counts.get((p, k), 0)) for k in ORG_KEYS}
        for p in provinces
    }


def precision_counts(orgs: pd.DataFrame) -> dict:
    """Active organisations by location precision.

    Presumed libraries share their chitalishte's point and are left out; `none` counts rows
    with no point at all.
    """
    own = orgs[~orgs["presumed"].astype(bool)]
    placed = own["lon"].notna() & own["lat"].notna()
    out = {p: int(((own["precision"] == p) & placed).sum()) for p in PRECISIONS}
    out["none"] = int((~placed).sum())
    return out


def stats(orgs: pd.DataFrame, settlements: pd.DataFrame, provinces: list[str]) -> dict:
    """The `civicmap stats --json` document."""
    active = orgs[orgs["status"] == "active"]

    def per_province(series: pd.Series) -> dict:
        out = {p: int(series.get(p, 0)) for p in provinces}
        out["total"] = int(series.sum())
        return out

    by_prov = settlements.groupby("province_code")
    return {
        "organisations": organisation_counts(active, provinces),
        "organisations_all_statuses": organisation_counts(orgs, provinces),
        "precision": precision_counts(active),
        "settlements": per_province(by_prov.size()),
        "population_2017": per_province(by_prov["population_2017"].sum()),
        "population_2021": per_province(by_prov["population_2021"].sum()),
    }
