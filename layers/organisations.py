"""Organisation point layers: one FeatureGroup per kind, canvas circle markers, popups."""

from __future__ import annotations

import folium
import pandas as pd

from civic.i18n import TERMS, place_name, term, translator
from civic.text import to_latin
from layers.popup import popup_properties, popup_script
from layers.style import marker_style

LAYER_ORDER = ("chitalishte", "library_presumed", "library", "ngo")


def kind_key(kind: str, presumed: bool) -> str:
    return "library_presumed" if kind == "library" and presumed else kind


def layer_titles(lang: str) -> dict[str, str]:
    _ = translator(lang)
    return {"ngo": _("NGOs"), "chitalishte": _("Chitalishta"), "library": _("Libraries"),
            "library_presumed": _("Chitalishte libraries (presumed)")}


def popup_texts(lang: str) -> dict[str, dict[str, str]]:
    """Everything a popup says that is not the organisation's own data, in `lang`; sent
    once per layer, so points carry codes instead of repeated words."""
    _ = translator(lang)
    return {
        "label": {"kind": _("Kind"), "legal_form": _("Legal form"), "fields": _("Fields"),
                  "address": _("Address"), "settlement": _("Settlement"),
                  "municipality": _("Municipality"), "contacts": _("Contacts"),
                  "source": _("Source"), "correct": _("Suggest a correction")},
        "kind": layer_titles(lang),
        "term": {code: term(code, lang) for code in TERMS},
        "precision": {"source_point": "", "street": _("placed at the street address"),
                      "settlement": _("placed at the settlement centre"),
                      "municipality": _("placed at the municipality centre")},
    }


def _display_places(rec: dict, lang: str, names: dict[str, dict[str, str]]) -> dict:
    code = rec.get("municipality_code") or ""
    settlement = rec.get("settlement") or ""
    return {
        "settlement": place_name(settlement, to_latin(settlement), lang),
        "municipality": place_name(names["municipality"].get(code, ""),
                                   names["municipality_latin"].get(code), lang),
        "name_latin": rec.get("name_latin") if lang != "bg" else "",
    }


def feature_collection(orgs: pd.DataFrame, lang: str, names: dict) -> dict:
    """GeoJSON with only what the map needs: codes and escaped popup values."""
    features = []
    for rec in orgs.to_dict("records"):
        if pd.isna(rec.get("lon")) or pd.isna(rec.get("lat")):
            continue
        rec = {k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in rec.items()}
        rec["kind_key"] = kind_key(rec["kind"], bool(rec["presumed"]))
        props = popup_properties({**rec, **_display_places(rec, lang, names)},
                                 brief=bool(rec["presumed"]))
        features.append({
            "type": "Feature",
            "id": rec["id"],
            "geometry": {"type": "Point",
                         "coordinates": [round(rec["lon"], 5), round(rec["lat"], 5)]},
            "properties": props,
        })
    return {"type": "FeatureCollection", "features": features}


def organisation_layers(orgs: pd.DataFrame, lang: str, names: dict) -> list[folium.FeatureGroup]:
    """One FeatureGroup per kind (presumed libraries apart), in drawing order; inside it one
    GeoJson per location precision, so each mark is a constant marker style."""
    titles = layer_titles(lang)
    keys = [kind_key(k, bool(p)) for k, p in zip(orgs["kind"], orgs["presumed"])]
    orgs = orgs.assign(_key=keys)
    script = popup_script(popup_texts(lang))
    groups = []
    for key in LAYER_ORDER:
        part = orgs[orgs["_key"] == key].drop(columns="_key")
        group = folium.FeatureGroup(name=f"{titles[key]} ({len(part)})", show=True)
        for precision, same in part.groupby("precision", sort=True):
            folium.GeoJson(
                feature_collection(same, lang, names),
                name=f"{key}-{precision}",
                marker=folium.CircleMarker(**marker_style(key, precision)),
                on_each_feature=script,
            ).add_to(group)
        groups.append(group)
    return groups
