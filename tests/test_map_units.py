"""Filters, popups, translations and layers of the map, without a browser."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from civic.i18n import LANGUAGES, TERMS, gettext, place_name
from geo import filters
from layers.organisations import feature_collection, organisation_layers
from layers.popup import contact_links, popup_properties, safe_url

ROOT = Path(__file__).resolve().parent.parent


def test_default_filters_show_three_provinces_active(orgs):
    shown = filters.apply(orgs, filters.Filters())
    assert set(shown["province_code"]) == {"KRZ", "RAZ", "VRC"}
    assert set(shown["status"]) == {"active"}
    assert filters.counts(shown)["chitalishte"] == 315


def test_filters_narrow_counts(orgs):
    base = filters.counts(filters.apply(orgs, filters.Filters()))
    kirkovo = filters.counts(filters.apply(orgs, filters.Filters(municipalities=("KRZ14",))))
    assert kirkovo["chitalishte"] == 22 and kirkovo["chitalishte"] < base["chitalishte"]
    youth = filters.apply(orgs, filters.Filters(fields=("youth",)))
    assert len(youth) and youth["fields"].str.contains("youth").all()
    ngo_only = filters.counts(filters.apply(orgs, filters.Filters(kinds=("ngo",))))
    assert ngo_only["chitalishte"] == 0 and ngo_only["ngo"] == base["ngo"]
    foundations = filters.apply(orgs, filters.Filters(legal_forms=("foundation",)))
    assert set(foundations["legal_form"]) == {"foundation"}


def test_name_search_in_either_script(orgs):
    cyr = filters.apply(orgs, filters.Filters(name="Ротари"))
    lat = filters.apply(orgs, filters.Filters(name="Rotari"))
    assert len(cyr) >= 2 and set(cyr["id"]) == set(lat["id"])


def test_query_round_trip_and_bad_values_dropped():
    f = filters.Filters(provinces=("KRZ",), municipalities=("KRZ14",), fields=("youth",),
                        name="Пробуда")
    assert filters.from_query(filters.to_query(f)) == f
    assert filters.to_query(filters.Filters()) == {}
    bad = filters.from_query({"kinds": "ngo,<script>", "statuses": "deleted"})
    assert bad.kinds == ("ngo",) and bad.statuses == ()


def test_popup_values_are_escaped_and_links_safe():
    rec = {"name": "<script>alert(1)</script>", "kind": "НПО", "address": "<img onerror=x>",
           "website": "javascript:alert(1)", "email": "a@b.bg", "phone": "0888 123 456",
           "source_url": "javascript:alert(2)", "source": "x"}
    props = popup_properties(rec)
    text = json.dumps(props)
    assert "<script>" not in text and "<img" not in text and "javascript:" not in text
    assert props["n"] == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert ["mailto:a@b.bg", "a@b.bg"] in props["c"]
    assert safe_url("www.example.bg") == "https://www.example.bg"
    assert safe_url("data:text/html,x") is None
    assert contact_links("03142/9118; 0897674976", None, None)[0][0] == "tel:031429118"


def test_feature_collection_on_real_data(orgs):
    part = filters.apply(orgs, filters.Filters(municipalities=("KRZ14",)))
    names = {"municipality": {"KRZ14": "Кирково"}, "municipality_latin": {"KRZ14": "Kirkovo"}}
    fc = feature_collection(part, "en", names)
    assert len(fc["features"]) == len(part)
    props = [f["properties"] for f in fc["features"]]
    assert any(p.get("m") == "Кирково (Kirkovo)" for p in props)
    groups = organisation_layers(part, "bg", names)
    assert [g.layer_name.rsplit(" (", 1)[0] for g in groups] == [
        "Читалища", "Читалищни библиотеки (предполагаеми)", "Библиотеки", "НПО"]


def _message_ids() -> set[str]:
    ids = set(TERMS.values())
    files = [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "layers").glob("*.py"),
             *(ROOT / "ui").glob("*.py")]
    files += [*(ROOT / "reports").glob("*.py"), *(ROOT / "reports").glob("*.j2")]
    for path in files:
        for m in re.finditer(r"""_\(\s*((?:(?:"[^"]*"|'[^']*')\s*)+)\)""", path.read_text()):
            ids.add("".join(re.findall(r"""["']([^"']*)["']""", m.group(1))))
    return ids


@pytest.mark.parametrize("lang", [x for x in LANGUAGES if x != "en"])
def test_every_ui_message_is_translated(lang):
    missing = [m for m in _message_ids() if gettext(m, lang) == m]
    assert not missing, missing


def test_place_names_latin_alongside_outside_bulgarian():
    assert place_name("Кърджали", "Kardzhali", "bg") == "Кърджали"
    assert place_name("Кърджали", "Kardzhali", "tr") == "Кърджали (Kardzhali)"
