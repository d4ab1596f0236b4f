"""Filters, popups, translations and layers of the map, without a browser."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from civic.i18n import LANGUAGES, TERMS, gettext, place_name
from civic.vocabularies import FIELDS
from geo import filters
from layers.organisations import (
    OrganisationLayer,
    deflated,
    inflated,
    map_records,
    map_words,
    record_order,
    safe_json,
    visible_runs,
)
from layers.popup import card_url, clean_emails, contact_links, safe_url

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


def test_links_only_for_safe_values():
    assert safe_url("www.example.bg") == "https://www.example.bg"
    assert safe_url("javascript:alert(1)") is None and safe_url("data:text/html,x") is None
    assert contact_links("03142/9118; 0897674976", None, None)[0] == ["tel:031429118",
                                                                     "03142/9118"]
    assert clean_emails('a@b.bg; x"@y.bg; <s>@z.bg; javascript:a@b') == ["a@b.bg"]


def test_safe_json_cannot_close_a_script():
    text = safe_json({"n": "</script><script>alert(1)</script> `${x}` 'q' \"d\" \u2028"})
    assert "<" not in text and ">" not in text and "\u2028" not in text
    assert json.loads(text)["n"].startswith("</script>")


HOSTILE = ["<script>alert(1)</script>", "a\"b'c`${d}`"]


def _hostile_orgs() -> pd.DataFrame:
    return pd.DataFrame([
        {"id": f"ngo-{i}", "kind": "ngo", "presumed": False, "parent_id": None,
         "legal_form": "association", "name": name, "name_latin": name,
         "fields": "youth;nonsense", "settlement": "Кърджали", "ekatte": "40909",
         "municipality_code": "KRZ16",
         "province_code": "KRZ", "address": "<img src=x onerror=alert(1)>",
         "lon": 25.3736, "lat": 41.6374, "precision": "settlement", "status": "active",
         "phone": "0361 2345; x", "email": "a@b.bg", "website": "javascript:alert(1)",
         "source": "civic_directory_ngos", "source_url": f"https://e.bg/n/{i}",
         "source_date": "2026"}
        for i, name in enumerate(HOSTILE)])


def test_map_records_carry_raw_text_once_and_only_safe_links():
    orgs = record_order(_hostile_orgs())
    names = {"municipality": {"KRZ16": "Кърджали"}, "municipality_latin": {"KRZ16": "Kardzhali"}}
    rec = map_records(orgs, "en", names)
    org = rec["org"]
    assert sorted(org["n"].split("|")) == sorted(HOSTILE)  # raw: the browser sets it as text
    assert org["a"] == "<img src=x onerror=alert(1)>|<img src=x onerror=alert(1)>"  # packed
    assert len(rec["loc"]) == 2 and org["at"] == [0, 0]  # one shared location
    assert org["w"] == {} and "javascript" not in safe_json(rec)
    assert org["f"].split("|") == [str(FIELDS.index("youth"))] * 2
    assert org["ph"] == "0361 2345|0361 2345"
    assert rec["munis"] == ["Кърджали (Kardzhali)"]
    assert org["k"] == "nn" and org["p"] == "ss" and org["st"] == "aa"


CARD = "https://chitalishta.com/index.php?act=community&do=detail1&id={}"
BAD_CARDS = ["javascript:alert(1)", "https://evil.example/index.php?id=5",
             "https://chitalishta.com.evil.example/?id=6", "data:text/html,x"]


def test_card_links_only_on_chitalishta_com():
    assert card_url(CARD.format(1)) == CARD.format(1)
    assert card_url("http://www.chitalishta.com/x") == "http://www.chitalishta.com/x"
    assert [card_url(u) for u in [*BAD_CARDS, "https://chitalishta.com@evil.example/", ""]] \
        == [None] * 6


def _decoded_cards(rec: dict) -> list[str]:
    """The cards as civicmap.js reads them: split, then '~n' back to the shared piece."""
    values = rec["org"]["ic"].split("|")
    return [re.sub(r"~(\d)", lambda m: rec["card_common"][int(m.group(1))], v) for v in values]


def test_map_records_carry_chitalishte_cards_and_drop_unsafe_ones():
    cards = [CARD.format(99060), CARD.format(106108), CARD.format(71272), None, *BAD_CARDS]
    orgs = _hostile_orgs().iloc[[0] * len(cards)].assign(
        kind="chitalishte", legal_form="chitalishte", info_card_url=cards,
        id=[f"chitalishte-{i}" for i in range(len(cards))], name="НЧ „Зора“")
    rec = map_records(record_order(orgs), "bg", {"municipality": {}, "municipality_latin": {}})
    assert _decoded_cards(rec) == [*cards[:3], "", *[""] * len(BAD_CARDS)]
    assert rec["card_common"] == [CARD.format("")]  # the common part is sent once
    assert rec["org"]["ic"].startswith("~099060|")
    sent = safe_json(rec)
    assert "javascript" not in sent and "evil" not in sent and "data:" not in sent
    assert {map_words(lang)["label"]["card"] for lang in ("en", "bg", "tr")} == {
        "Information card (register)", "Информационна карта (регистър)", "Bilgi kartı (sicil)"}
    # a frame without the column (an older table) sends no cards
    assert set(map_records(record_order(_hostile_orgs()), "en", {"municipality": {},
               "municipality_latin": {}})["org"]["ic"].split("|")) == {""}


def test_visible_runs_cover_exactly_the_visible_ids():
    order = pd.Series([f"o{i}" for i in range(10)])
    assert visible_runs(order, ["o0", "o1", "o2", "o5", "o9"]) == [0, 3, 5, 1, 9, 1]
    assert visible_runs(order, []) == []
    assert visible_runs(order, list(order)) == [0, 10]


def test_presumed_flag_round_trips_through_the_url():
    assert filters.from_query({"presumed": "0"}).presumed_libraries is False
    assert filters.to_query(filters.Filters(presumed_libraries=False)) == {"presumed": "0"}


def test_records_on_real_data(orgs):
    part = record_order(filters.apply(orgs, filters.Filters(municipalities=("KRZ14",))))
    names = {"municipality": {"KRZ14": "Кирково"}, "municipality_latin": {"KRZ14": "Kirkovo"}}
    rec = map_records(part, "en", names)
    org = rec["org"]
    assert len(org["k"]) == len(part)
    presumed = org["k"].count("p")
    assert len(org["pp"]) == presumed and len(org["n"].split("|")) == len(part) - presumed
    assert rec["library_prefix"] == "Библиотека при "
    assert "Кирково (Kirkovo)" in rec["munis"]
    assert set(map_words("bg")["kind"]) == {"n", "c", "l", "p"}
    assert visible_runs(part["id"], part["id"]) == [0, len(part)]
    assert filters.apply(orgs, filters.Filters(presumed_libraries=False))["presumed"].sum() == 0


# a quoted literal: "…" or '…', the other quote allowed inside ("I'll join")
STRING = r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'"""


def _message_ids() -> set[str]:
    ids = set(TERMS.values())
    files = [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "layers").glob("*.py"),
             *(ROOT / "ui").glob("*.py")]
    files += [*(ROOT / "reports").glob("*.py"), *(ROOT / "reports").glob("*.j2")]
    for path in files:
        for m in re.finditer(rf"_\(\s*((?:(?:{STRING})\s*)+)\)", path.read_text()):
            ids.add("".join(q[1:-1] for q in re.findall(STRING, m.group(1))))
    return ids


@pytest.mark.parametrize("lang", [x for x in LANGUAGES if x != "en"])
def test_every_ui_message_is_translated(lang):
    missing = [m for m in _message_ids() if gettext(m, lang) == m]
    assert not missing, missing


def test_place_names_latin_alongside_outside_bulgarian():
    assert place_name("Кърджали", "Kardzhali", "bg") == "Кърджали"
    assert place_name("Кърджали", "Kardzhali", "tr") == "Кърджали (Kardzhali)"


def test_ascii_transport_round_trips_any_text():
    from hypothesis import given
    from hypothesis import strategies as st

    from layers.transport import CODES, CYRILLIC, ascii_text, plain_text

    alphabet = CYRILLIC + CODES + "^ .,|~`${}<>\"'ыэё\u2028"

    @given(st.text(alphabet=alphabet, max_size=30))
    def round_trip(text):
        encoded = ascii_text(text)
        assert plain_text(encoded) == text
        assert all(ord(c) < 128 for c in encoded if c not in alphabet[len(CYRILLIC):] + "ыэё\u2028")

    round_trip()
    assert ascii_text("НЧ „Съзнание“") == "^NX 8R4lrermj9"


def _node_output(tmp_path, start: str, end: str, code: str, before: str = ""):
    """Run `before`, civicmap.js from `start` to just before `end`, then `code`.

    Returns what it writes, read as JSON.
    """
    import shutil
    import subprocess

    node = shutil.which("node")
    if not node:
        pytest.skip("node is not installed")
    script = (ROOT / "layers" / "civicmap.js").read_text(encoding="utf-8")
    test = tmp_path / "t.js"
    test.write_text(before + script[script.index(start):script.index(end)] + code,
                    encoding="utf-8")
    out = subprocess.run([node, str(test)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_browser_decoder_matches(tmp_path):
    from layers.transport import ascii_text

    cases = ["НЧ „Съзнание 1873г.“", "a^^b ^x", "Сдружение `${x}` \"q\" <script>", ""]
    assert _node_output(tmp_path, "var CIVIC_CYRILLIC", "function civicTexts",
                        "process.stdout.write(JSON.stringify(" + json.dumps(
                            [ascii_text(c) for c in cases]) + ".map(civicText)));") == cases


def test_layer_records_travel_deflated_and_inflate_as_sent():
    """The layer's script holds the records deflated, a third of their JSON or less."""
    orgs = record_order(pd.DataFrame([
        {"id": f"ngo-{i}", "name": f"Сдружение „Хитро {i}“ <b>&</b>", "kind": "ngo",
         "presumed": False, "parent_id": None, "lon": 25.3 + i / 1000, "lat": 41.6,
         "province_code": "KRZ", "municipality_code": "KRZ16", "status": "active",
         "precision": "settlement", "settlement": "Кърджали", "ekatte": "40909",
         "legal_form": "association", "fields": "culture", "address": "ул. Тест 1",
         "phone": "0888123456", "email": f"a{i}@abv.bg", "website": None,
         "source": "civic_directory", "source_url": None, "source_date": "2024-01-01"}
        for i in range(200)]))
    names = {"municipality": {"KRZ16": "Кърджали"}, "municipality_latin": {"KRZ16": "Kardzhali"}}
    payload = map_records(orgs, "bg", names)
    layer = OrganisationLayer(payload, map_words("bg"), [0, 200])
    sent = json.loads(layer.data)
    assert set(sent) == {"key", "z"}
    assert not re.search(r"[&<>`{\"'\\]", sent["z"])  # safe in a script and a template
    records = inflated(sent["z"])
    assert {k: records[k] for k in payload} == payload
    assert records["words"] == map_words("bg") and "style" in records
    assert len(sent["z"]) * 3 < len(safe_json(payload))


def test_browser_inflates_what_python_deflated(tmp_path):
    """The browser's `civicInflate` (civicmap.js, in Node) reads `deflated` text back."""
    from layers.transport import ascii_texts

    values = [{"n": "НЧ „Съзнание 1873г.“", "x": [1, -2, 3.5]}, "", "a" * 5000,
              ["Сдружение `${x}` \"q\" <script>", {"^": "^^"}]]
    code = ("Promise.all(" + json.dumps([deflated(v) for v in values])
            + ".map(civicInflate)).then(t => process.stdout.write(JSON.stringify(t)));")
    texts = _node_output(tmp_path, "var CIVIC_B85", "function civicOrganisations", code)
    assert [json.loads(t) for t in texts] == [ascii_texts(v) for v in values]
    # without DecompressionStream (Safari before 16.4): fflate, as `make run` fetches it
    fflate = ROOT / "static" / "vendor" / "fflate" / "index.js"
    if not fflate.exists():
        pytest.skip("fflate is not fetched (make run fetches it)")
    older = ("var DecompressionStream = undefined; var window = {fflate: require("
             + json.dumps(str(fflate)) + ")};")
    texts = _node_output(tmp_path, "var CIVIC_B85", "function civicOrganisations", code, older)
    assert [json.loads(t) for t in texts] == [ascii_texts(v) for v in values]


def test_browser_unpacks_the_action_ids_after_the_text(tmp_path):
    """`civicUnpack` (civicmap.js, in Node) gives the actions' packed ids back as its tail."""
    from layers.actions import pack, unpack

    records = {"id": ["action-0123456789ab", "action-ffeeddccbbaa"], "t": ["Ден „Х“", "b"]}
    code = ("civicUnpack(" + json.dumps(pack(records)) + ").then(u => process.stdout.write("
            "JSON.stringify([u.text, Array.from(u.tail.subarray(0, 12), b => b.toString(16)"
            ".padStart(2, '0')).join('')])));")
    text, tail = _node_output(tmp_path, "var CIVIC_B85", "function civicInflate", code)
    assert json.loads(text)["id"] == 2
    assert ["action-" + tail[:12], "action-" + tail[12:]] == unpack(pack(records))["id"] \
        == records["id"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_map_pages_element_holds_every_province_under_a_megabyte(built, lang):
    """One map element per language, every province in it (the browser picks the set)."""
    from layers.basemap import Tiles
    from ui import data, map_data
    from ui.map_element import prepare

    fmap, key, _actions = map_data.cached_map.__wrapped__(
        lang, Tiles(), 0, data.actions().iloc[0:0], "2026-12-05")
    parts = prepare(fmap)
    size = len((parts.script + parts.html + parts.header).encode())
    # about 0.6 MB measured (bg, December 2026): the national view's element, sent once
    assert 400_000 < size < 1_000_000, size
    records = fmap._children[next(k for k in fmap._children if "organisation" in k.lower())]
    assert len(inflated(json.loads(records.data)["z"])["org"]["k"]) == \
        len(record_order(data.organisations()))
    # outlines and places carry their province, and travel deflated (the country's)
    layers = [c for c in fmap._children.values()
              if type(c).__name__ in ("SettlementLayer", "BoundaryLayer")]
    carried = {type(c).__name__: inflated(json.loads(c.data)["z"])
               for c in layers if '"z"' in c.data}
    assert set(carried) == {"SettlementLayer", "BoundaryLayer"}  # municipalities'
    assert len(carried["SettlementLayer"]["pv"]) == 3 * len(carried["SettlementLayer"]["n"])
    assert len(carried["BoundaryLayer"]["pv"]) == 3 * len(carried["BoundaryLayer"]["labels"])
