"""Province figures for funders: organisations, coverage, Census 2021 context, ranks.

Everything is derived from the coverage tables (geo.coverage), so a report and the
Regions page show the same numbers the coverage module computes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from civic.vocabularies import FIELDS
from geo.coverage import (
    KINDS,
    MEASURED,
    PER,
    Options,
    organisation_counts,
    rank_key,
    summarise,
)

PRESENCE_BINS = (0, 20, 40, 60, 80, 101)
AGE_BANDS = ("age0_14", "age15_29", "age30_44", "age45_64", "age65plus")
TONGUES = ("mother_tongue_bulgarian", "mother_tongue_turkish", "mother_tongue_roma")


def province_figures(provinces: pd.DataFrame, cov: pd.DataFrame, orgs: pd.DataFrame,
                     settlements: pd.DataFrame, options: Options) -> pd.DataFrame:
    """One row per province (all 28): organisations, gap figures, census, ranks.

    Organisations by kind and per 10,000 (each organisation once), the per-kind gap
    figures of `geo.coverage.summarise`, Census 2021 context, population change and ranks.

    `cov` is nationwide settlement coverage for `options`; `orgs` the active organisations.
    Ranks: `rank_per_10k` (1 = most organisations per 10,000), `rank_<kind>` (1 = smallest
    share of residents beyond R, then shortest population-weighted distance), the latter only
    among the provinces with at least one organisation of the kind, and missing elsewhere: the
    NGO and library directories cover three provinces, and ranking the other 25 last would
    rank what the directories cover, not what is on the ground.
    """
    p = provinces.set_index("code")
    out = pd.DataFrame(index=p.index)
    out["name"] = p["name"]
    out["name_latin"] = p["name_latin"]
    out["population"] = p["population"].astype(int)
    counts = organisation_counts(orgs, options, "province_code").reindex(out.index)
    out = out.join(counts.fillna(0).astype(int))
    for kind in (*KINDS, "any"):
        out[f"per_10k_{kind}"] = np.round(out[f"count_{kind}"] / out["population"] * PER, 2)
    out = out.join(summarise(cov, "province_code"))
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
    out["rank_per_10k"] = out["per_10k_any"].rank(ascending=False, method="min").astype(int)
    for kind in MEASURED:
        key = rank_key(out[f"{kind}_share_beyond_r"], out[f"{kind}_pw_mean_km"])
        known = out[f"count_{kind}"] > 0
        out[f"rank_{kind}"] = key.where(known).rank(method="min").astype("Int64")
    return out.rename_axis("code").reset_index()


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


def least_served(munis: pd.DataFrame, kind: str, n: int | None = None) -> pd.DataFrame:
    """Municipalities, the least served by `kind` first.

    Largest share beyond R first, then the longest population-weighted distance.
    """
    key = rank_key(munis[f"{kind}_share_beyond_r"], munis[f"{kind}_pw_mean_km"])
    order = key.sort_values(ascending=False).index
    out = munis.loc[order]
    return out.head(n) if n else out


def presence_distribution(cov: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """Inhabited settlements per band of the civic presence index, per province."""
    inhabited = cov[(cov["population"] > 0) & cov["province_code"].isin(codes)]
    labels = [f"{a}–{min(b, 100) - (1 if b <= 100 else 0)}"
              for a, b in zip(PRESENCE_BINS, PRESENCE_BINS[1:])]
    band = pd.cut(inhabited["presence_index"], PRESENCE_BINS, right=False, labels=labels)
    table = inhabited.groupby([inhabited["province_code"], band], observed=False).size()
    return table.rename("settlements").reset_index().rename(columns={"presence_index": "band"})
