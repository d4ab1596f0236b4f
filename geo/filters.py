"""Filter state for organisation views, and its round trip through URL query parameters."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import pandas as pd

from civic.action import WINDOWS
from civic.facts import DEFAULT_PROVINCES
from civic.text import fold, to_latin
from civic.vocabularies import ACTION_TYPES, CAUSES, FIELDS, KINDS, PRECISIONS, STATUSES

LIST_PARAMS = ("provinces", "municipalities", "kinds", "fields", "legal_forms", "statuses",
               "precisions")


@dataclass(frozen=True)
class Filters:
    """What the map and lists show: empty tuples mean no restriction where noted."""

    provinces: tuple[str, ...] = DEFAULT_PROVINCES
    municipalities: tuple[str, ...] = ()
    kinds: tuple[str, ...] = KINDS
    fields: tuple[str, ...] = ()  # empty: any field
    legal_forms: tuple[str, ...] = ()  # empty: any legal form
    statuses: tuple[str, ...] = ("active",)
    precisions: tuple[str, ...] = PRECISIONS
    name: str = ""
    presumed_libraries: bool = True
    # civic actions on the map (layers.actions): date window, causes and types (empty: any)
    show_actions: bool = True
    action_when: str = "upcoming"
    action_causes: tuple[str, ...] = ()
    action_types: tuple[str, ...] = ()


ALLOWED = {"kinds": set(KINDS), "fields": set(FIELDS), "statuses": set(STATUSES),
           "precisions": set(PRECISIONS)}


def from_query(params: dict[str, str], known: dict[str, set[str]] | None = None) -> Filters:
    """Filters from URL parameters ('provinces=KRZ,RAZ'); unknown values are dropped."""
    known = {**ALLOWED, **(known or {})}
    values = {}
    for name in LIST_PARAMS:
        if name in params:
            items = tuple(v for v in params[name].split(",") if v)
            if name in known:
                items = tuple(v for v in items if v in known[name])
            values[name] = items
    if "q" in params:
        values["name"] = params["q"][:100]
    if params.get("presumed") == "0":
        values["presumed_libraries"] = False
    return replace(Filters(), **values, **_actions_from_query(params))


ACTION_PARAMS = {"action_causes": ("a_cause", CAUSES), "action_types": ("a_type", ACTION_TYPES)}


def _actions_from_query(params: dict[str, str]) -> dict:
    """The actions filters from 'a_show=0', 'a_when=week', 'a_cause=…', 'a_type=…'."""
    values: dict = {}
    if params.get("a_show") == "0":
        values["show_actions"] = False
    if params.get("a_when") in WINDOWS:
        values["action_when"] = params["a_when"]
    for name, (param, allowed) in ACTION_PARAMS.items():
        if param in params:
            values[name] = tuple(v for v in params[param].split(",") if v in allowed)
    return values


def to_query(f: Filters) -> dict[str, str]:
    """URL parameters that differ from the defaults, so a shared link reproduces the view."""
    default = Filters()
    out = {}
    for item in fields(Filters):
        name = item.name
        if name in LIST_PARAMS and getattr(f, name) != getattr(default, name):
            out[name] = ",".join(getattr(f, name))
    if f.name:
        out["q"] = f.name
    if not f.presumed_libraries:
        out["presumed"] = "0"
    if not f.show_actions:
        out["a_show"] = "0"
    if f.action_when != default.action_when:
        out["a_when"] = f.action_when
    for name, (param, _allowed) in ACTION_PARAMS.items():
        if getattr(f, name):
            out[param] = ",".join(getattr(f, name))
    return out


def name_matches(orgs: pd.DataFrame, text: str) -> pd.Series:
    """Name search in either script: the query is folded and also compared in Latin."""
    needle = fold(text)
    needle_latin = to_latin(text).lower()
    cyr = orgs["name"].fillna("").map(fold).str.contains(needle, regex=False)
    lat = orgs["name_latin"].fillna("").str.lower().str.contains(needle_latin, regex=False)
    return cyr | lat


def apply(orgs: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """The organisations the filters keep."""
    keep = orgs["province_code"].isin(f.provinces)
    if f.municipalities:
        keep &= orgs["municipality_code"].isin(f.municipalities)
    keep &= orgs["kind"].isin(f.kinds)
    if not f.presumed_libraries:
        keep &= ~orgs["presumed"].astype(bool)
    if f.fields:
        wanted = set(f.fields)
        keep &= orgs["fields"].fillna("").map(lambda v: bool(wanted & set(v.split(";"))))
    if f.legal_forms:
        keep &= orgs["legal_form"].isin(f.legal_forms)
    keep &= orgs["status"].isin(f.statuses)
    keep &= orgs["precision"].isin(f.precisions)
    if f.name.strip():
        keep &= name_matches(orgs, f.name.strip())
    return orgs[keep]


def counts(orgs: pd.DataFrame) -> dict[str, int]:
    """Visible counts by kind, presumed libraries apart."""
    presumed = orgs["presumed"].astype(bool)
    return {
        "ngo": int((orgs["kind"] == "ngo").sum()),
        "chitalishte": int((orgs["kind"] == "chitalishte").sum()),
        "library": int(((orgs["kind"] == "library") & ~presumed).sum()),
        "library_presumed": int(((orgs["kind"] == "library") & presumed).sum()),
    }
