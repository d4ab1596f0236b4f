"""Province figures for funders: organisations, coverage, Census 2021 context, ranks.

Everything is derived from the coverage tables (geo.coverage), so a report and the
Regions page show the same numbers the coverage module computes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from civic.vocabularies import FIELDS
from geo.coverage import KINDS, PER

PRESENCE_BINS = (0, 20, 40, 60, 80, 101)
AGE_BANDS = ("age0_14", "age15_29", "age30_44", "age45_64", "age65plus")
TONGUES = ("mother_tongue_bulgarian", "mother_tongue_turkish", "mother_tongue_roma")


def province_figures(provinces: pd.DataFrame, cov: pd.DataFrame, munis: pd.DataFrame,
                     orgs: pd.DataFrame, settlements: pd.DataFrame) -> pd.DataFrame:
    """One row per province (all 28): counts, per 10,000, coverage, census, change, ranks.

    `cov` is nationwide settlement coverage, `munis` the municipality table for the same
    options, `orgs` the active organisations counted there (presumed libraries as chosen).
    """
    p = provinces.set_index("code")
    out = pd.DataFrame(index=p.index)
    out["name"] = p["name"]
    out["name_latin"] = p["name_latin"]
    out["population"] = p["population"].astype(int)
    by_prov = munis.groupby("province_code")
    for kind in KINDS:
        out[f"count_{kind}"] = by_prov[f"count_{kind}"].sum().reindex(out.index).fillna(0)
        out[f"per_10k_{kind}"] = np.round(out[f"count_{kind}"] / out["population"] * PER, 2)
    out["count_any"] = by_prov["count_any"].sum().reindex(out.index).fillna(0)
    out["per_10k_any"] = np.round(out["count_any"] / out["population"] * PER, 2)
    out["residents_beyond_r"] = by_prov["residents_beyond_r"].sum().reindex(out.index)
    out["share_beyond_r"] = np.round(out["residents_beyond_r"] / out["population"], 4)
    out["gap_settlements"] = by_prov["gap_settlements"].sum().reindex(out.index)
    out["gap_population"] = by_prov["gap_population"].sum().reindex(out.index)
    inhabited = cov[cov["population"] > 0]
    out["median_presence_index"] = inhabited.groupby("province_code")["presence_index"] \
        .median().reindex(out.index)
    for band in AGE_BANDS:
        out[f"share_{band}"] = np.round(p[band] / p["population"], 4)
    for tongue in TONGUES:
        out[f"share_{tongue}"] = np.round(p[tongue] / p["population"], 4)
    pop17 = settlements.groupby("province_code")["population_2017"].sum().reindex(out.index)
    out["population_2017"] = pop17.astype(int)
    out["change_2017_2021"] = np.round(out["population"] / out["population_2017"] - 1, 4)
    # Rank 1: the most organisations per 10,000 residents; the smallest share beyond R.
    out["rank_per_10k"] = out["per_10k_any"].rank(ascending=False, method="min").astype(int)
    out["rank_share_beyond_r"] = out["share_beyond_r"].rank(method="min").astype(int)
    cols = [c for c in out if c.startswith("count_")]
    out[cols] = out[cols].astype(int)
    return out.reset_index().rename(columns={"index": "code", "code": "code"})


def fields_by_province(orgs: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """Organisations per field of activity and province (one organisation, many fields)."""
    rows = []
    for code in codes:
        mine = orgs[orgs["province_code"] == code]["fields"].fillna("")
        for field in FIELDS:
            n = int(mine.map(lambda v, f=field: f in v.split(";")).sum())
            if n:
                rows.append({"province_code": code, "field": field, "organisations": n})
    return pd.DataFrame(rows, columns=["province_code", "field", "organisations"])


def presence_distribution(cov: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """Inhabited settlements per band of the civic presence index, per province."""
    inhabited = cov[(cov["population"] > 0) & cov["province_code"].isin(codes)]
    labels = [f"{a}–{min(b, 100) - (1 if b <= 100 else 0)}"
              for a, b in zip(PRESENCE_BINS, PRESENCE_BINS[1:])]
    band = pd.cut(inhabited["presence_index"], PRESENCE_BINS, right=False, labels=labels)
    table = inhabited.groupby([inhabited["province_code"], band], observed=False).size()
    return table.rename("settlements").reset_index().rename(columns={"presence_index": "band"})
