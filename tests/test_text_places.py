"""Name rules: Latin spelling, folding, and place resolution on real register spellings."""

from __future__ import annotations

import pytest

from civic.text import settlement_key, to_latin
from geo.gazetteer import Gazetteer
from store import load_municipalities, load_provinces


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [("София", "Sofia"), ("Кърджали", "Kardzhali"), ("Враца", "Vratsa"),
     ("Щъркелово", "Shtarkelovo"), ("Цар Калоян", "Tsar Kaloyan"), ("Ябълково", "Yabalkovo")],
)
def test_official_latin_spelling(cyrillic, latin):
    assert to_latin(cyrillic) == latin


def test_settlement_key_drops_type_words_and_latin_lookalikes():
    assert settlement_key("СЕЛО КОСТAЛЕВО") == settlement_key("с. Косталево")  # Latin A
    assert settlement_key("гр. Разград") == settlement_key("ГРАД РАЗГРАД") == "разград"


@pytest.fixture(scope="module")
def places(settlements):
    return Gazetteer(settlements, load_municipalities(), load_provinces())


@pytest.mark.parametrize(
    ("settlement", "municipality", "province", "ekatte"),
    [
        ("СЕЛО КОСТAЛЕВО", "ВРАЦА", "ВРАЦА", "38875"),  # Костелево: look-alike letter + typo
        ("ГАРА ГАРА БОВ", "СВОГЕ", "СОФИЯ", "14461"),  # the station village
        ("СЕЛО БОВ", "СВОГЕ", "СОФИЯ", "04546"),
        ("СЕЛО  ГАРА ОРЕШЕЦ", "ДИМОВО", "ВИДИН", "53758"),
        ("ГРАД ЕЛИН ПЕЛИН", "ЕЛИН ПЕЛИН", "СОФИЯ", "27303"),
        ("с. Бенковски", "Кирково", "Кърджали", "03825"),
        ("Разград", "", "Разград", "61710"),  # the town, not the village in Montana
        ("с. Ловско", "Разград", "Разград", "44937"),  # filed under the wrong municipality
    ],
)
def test_resolve_real_spellings(places, settlement, municipality, province, ekatte):
    assert places.resolve(settlement, municipality, province).ekatte == ekatte


def test_unknown_settlement_gives_reason(places):
    res = places.resolve("с. Коритен", "Мездра", "Враца")
    assert res.ekatte is None and "Коритен" in res.reason
