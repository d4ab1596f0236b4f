"""The shared domain on tiny inputs: settings, facts, errors, the record, vocabularies."""

from __future__ import annotations

from pathlib import Path

import pytest

from civic import facts, settings
from civic.errors import CivicError, ImportFileError, UsageError
from civic.i18n import gettext, language, place_name, term
from civic.record import COLUMNS, Organisation
from civic.text import fold, is_cyrillic, settlement_key
from civic.vocabularies import KIND_KEYS, KIND_TITLES, kind_key, split_fields, stable_id

# -- settings --------------------------------------------------------------------------

def test_build_dir_and_database_follow_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CIVICMAP_BUILD_DIR", str(tmp_path))
    monkeypatch.delenv("CIVICMAP_DATABASE_URL", raising=False)
    assert settings.build_dir() == tmp_path
    assert settings.database_url() == f"sqlite:///{tmp_path / 'civicmap.sqlite'}"
    monkeypatch.setenv("CIVICMAP_DATABASE_URL", "postgresql+psycopg://u@h/db")
    assert settings.database_url() == "postgresql+psycopg://u@h/db"


def test_build_dir_default_is_in_the_project(monkeypatch):
    monkeypatch.delenv("CIVICMAP_BUILD_DIR", raising=False)
    assert settings.build_dir() == settings.PROJECT_ROOT / "data" / "build"


@pytest.mark.parametrize(("value", "expected"), [
    (None, settings.DEFAULT_TILES), ("", settings.DEFAULT_TILES), ("none", None),
    ("NONE", None), ("https://t.example/{z}/{x}/{y}.png", "https://t.example/{z}/{x}/{y}.png")])
def test_tiles_url(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("CIVICMAP_TILES_URL", raising=False)
    else:
        monkeypatch.setenv("CIVICMAP_TILES_URL", value)
    assert settings.tiles_url() == expected


def test_nominatim_needs_both_url_and_agent(monkeypatch):
    monkeypatch.setenv("CIVICMAP_NOMINATIM_URL", "https://n.example")
    monkeypatch.delenv("CIVICMAP_NOMINATIM_USER_AGENT", raising=False)
    assert settings.nominatim() is None
    monkeypatch.setenv("CIVICMAP_NOMINATIM_USER_AGENT", "civicmap-test")
    assert settings.nominatim() == ("https://n.example", "civicmap-test")


def test_moderators_parsed_and_blank_items_ignored(monkeypatch):
    monkeypatch.setenv("CIVICMAP_MODERATORS", " ana=h1 ; ;bob=h2;=x;carl=")
    assert settings.moderators() == {"ana": "h1", "bob": "h2"}
    monkeypatch.delenv("CIVICMAP_MODERATORS")
    assert settings.moderators() == {}


def test_sources_dir_optional(monkeypatch, tmp_path):
    monkeypatch.delenv("CIVICMAP_SOURCES", raising=False)
    assert settings.sources_dir() is None
    monkeypatch.setenv("CIVICMAP_SOURCES", str(tmp_path))
    assert settings.sources_dir() == tmp_path


def test_every_setting_is_in_the_readme():
    readme = (settings.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    missing = [s.name for s in settings.SETTINGS if s.name not in readme]
    assert not missing, missing


def test_every_setting_read_in_code_is_documented():
    import re

    names = set()
    for path in settings.PROJECT_ROOT.glob("*/*.py"):
        if ".venv" not in path.parts:
            names |= set(re.findall(r"CIVICMAP_[A-Z_]+", path.read_text(encoding="utf-8")))
    documented = {s.name for s in settings.SETTINGS}
    assert names <= documented, names - documented


# -- facts -----------------------------------------------------------------------------

@pytest.mark.parametrize(("lon", "lat", "inside", "swapped"), [
    (25.37, 41.65, True, False),  # Kardzhali
    (23.55, 43.21, True, False),  # Vratsa
    (41.65, 25.37, False, True),  # Kardzhali with lon and lat swapped
    (2.35, 48.85, False, False),  # Paris
])
def test_bulgaria_box(lon, lat, inside, swapped):
    assert facts.in_bulgaria(lon, lat) is inside
    assert facts.looks_swapped(lon, lat) is swapped


def test_source_dates_come_from_the_manifest():
    assert facts.directory_date() == "2026-11"
    assert facts.source_dates()["civic_directory_libraries_2026-11.csv"] == "2026-11"


def test_default_provinces():
    assert facts.DEFAULT_PROVINCES == ("KRZ", "RAZ", "VRC")


# -- errors ----------------------------------------------------------------------------

def test_error_message_in_english_with_values():
    err = UsageError("unknown province code(s) {codes}; use codes such as KRZ, RAZ, VRC or ALL",
                     codes="XYZ")
    assert str(err) == "unknown province code(s) XYZ; use codes such as KRZ, RAZ, VRC or ALL"
    assert isinstance(err, CivicError)


def test_error_values_escaped_for_where_they_are_shown():
    err = ImportFileError("no such file {path}", path="<b>x</b>")
    assert err.text("en", escape=lambda v: v.replace("<", "&lt;")) == "no such file &lt;b>x&lt;/b>"


def test_error_with_braces_in_a_value_or_message_never_raises():
    assert str(CivicError("odd {name}", name="{x}")) == "odd {x}"
    assert str(CivicError("a {missing} value")) == "a {missing} value"


def test_error_translated_through_the_catalogue(monkeypatch):
    from civic import i18n

    monkeypatch.setitem(i18n._catalogue("bg"), "row {row}: bad", "ред {row}: грешен")
    assert UsageError("row {row}: bad", row=3).text("bg") == "ред 3: грешен"
    assert UsageError("row {row}: bad", row=3).text("en") == "row 3: bad"


# -- the record ------------------------------------------------------------------------

def test_record_fills_latin_and_precision_score():
    org = Organisation(id="ngo-1", kind="ngo", name="Сдружение Зора", source="test",
                       precision="settlement")
    assert org.name_latin == "Sdruzhenie Zora" and org.precision_score == 70
    assert tuple(org.row()) == COLUMNS


@pytest.mark.parametrize("bad", [{"kind": "club"}, {"status": "gone"}, {"precision": "gps"}])
def test_record_refuses_unknown_vocabulary(bad):
    with pytest.raises(ValueError):
        Organisation(**{"id": "x", "kind": "ngo", "name": "X", "source": "t", **bad})


def test_record_from_a_row_with_extra_keys():
    org = Organisation.from_row({"id": "x", "kind": "library", "name": "Б", "source": "t",
                                 "presumed": True, "geom": "ignored"})
    assert org.presumed and org.kind == "library"


def test_record_and_store_schema_have_the_same_columns():
    from store.schema import ORGANISATION_COLUMNS

    assert set(ORGANISATION_COLUMNS) == set(COLUMNS)


# -- vocabularies, text, i18n ----------------------------------------------------------

def test_kind_keys_tell_presumed_libraries_apart():
    assert kind_key("library", True) == "library_presumed"
    assert kind_key("library", False) == "library"
    assert kind_key("chitalishte", True) == "chitalishte"
    assert set(KIND_TITLES) == set(KIND_KEYS)


def test_split_fields_keeps_known_codes_once_in_order():
    assert split_fields("youth; Culture;pizza;youth") == ["youth", "culture"]
    assert split_fields("") == []


def test_stable_id_is_stable_and_prefixed():
    assert stable_id("ngo", "a", "b") == stable_id("ngo", "a", "b")
    assert stable_id("ngo", "a", "b") != stable_id("ngo", "a", "c")
    assert stable_id("ngo", "a").startswith("ngo-")


@pytest.mark.parametrize(("raw", "folded"), [
    ("НЧ „Пробуда“", "нч пробуда"), ("  Горно   Ново  Село ", "горно ново село"),
    ("Стара Загора – 1", "стара загора-1"), ("ПОПОВО.", "попово")])
def test_fold(raw, folded):
    assert fold(raw) == folded


def test_settlement_key_and_script():
    assert settlement_key("гр. Враца") == "враца"
    assert is_cyrillic("Кърджали") and not is_cyrillic("Kardzhali")


def test_language_fallback_and_terms():
    assert language("xx") == "bg" and language(None) == "bg" and language("tr") == "tr"
    assert term("ngo", "en") == "NGO"
    assert gettext("no such message id", "bg") == "no such message id"
    assert place_name("", "x", "en") == ""


def test_paths_are_inside_the_build_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("CIVICMAP_BUILD_DIR", str(tmp_path))
    for getter in (settings.settlements_file, settings.municipalities_file,
                   settings.provinces_file, settings.build_report_file):
        assert Path(getter()).parent == tmp_path


# -- numbers ------------------------------------------------------------------------------

def test_percent_where_each_language_puts_the_sign():
    from civic.numbers import fmt_pct

    assert fmt_pct(0.2083, "bg") == "20,8%"
    assert fmt_pct(0.2083, "en") == "20.8%"
    assert fmt_pct(0.2083, "tr") == "%20,8"
    assert fmt_pct(0.00001, "tr") == "<%0,1"  # a few are never "nobody"
    assert fmt_pct(None, "tr") == "–"


def test_place_names_in_turkish_use_the_turkish_name_where_known():
    import pandas as pd

    from civic.i18n import place_names

    frame = pd.DataFrame({"name": ["Кърджали", "Бенковски"],
                          "name_latin": ["Kardzhali", "Benkovski"], "name_tr": ["Kırcaali", ""]})
    assert place_names(frame, "tr") == ["Кърджали (Kırcaali)", "Бенковски (Benkovski)"]
    assert place_names(frame, "en") == ["Кърджали (Kardzhali)", "Бенковски (Benkovski)"]
    assert place_names(frame, "bg") == ["Кърджали", "Бенковски"]
    assert place_names(frame.drop(columns="name_tr"), "tr")[0] == "Кърджали (Kardzhali)"
