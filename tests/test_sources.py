"""The source manifest: every shared file listed and verified; the register's card.

Clear errors otherwise.
"""

from __future__ import annotations

import shutil

import pytest

from sources import manifest as sources
from sources.chitalishta import latest_card, read_register

CARD = "https://chitalishta.com/index.php?act=community&do=detail1&id={}"


def test_manifest_lists_every_shared_source_with_pinned_url():
    listed = sources.manifest()
    on_disk = {p.name for p in sources.SHARED_SOURCES.iterdir() if p.is_file()}
    assert set(listed) == on_disk
    for src in listed.values():
        assert len(src.sha256) == 64 and src.licence
        if src.url:
            assert src.url.startswith("https://raw.githubusercontent.com/")
            assert any(len(part) == 40 for part in src.url.split("/"))  # pinned commit


def test_env_folder_wins_and_hash_mismatch_names_file_hash_and_url(tmp_path, monkeypatch):
    name = "bg_provinces.geojson"
    bad = tmp_path / name
    shutil.copy(sources.SHARED_SOURCES / name, bad)
    with bad.open("a") as fh:
        fh.write(" ")
    monkeypatch.setenv("CIVICMAP_SOURCES", str(tmp_path))
    with pytest.raises(sources.SourceError) as err:
        sources.locate(name)
    msg = str(err.value)
    src = sources.manifest()[name]
    assert name in msg and src.sha256 in msg and src.url in msg


def test_missing_file_names_file_and_hash(tmp_path, monkeypatch):
    name = "civic_directory_ngos_2026-11.csv"
    monkeypatch.setattr(sources, "SHARED_SOURCES", tmp_path / "nothing")
    monkeypatch.setattr(sources, "cache_dir", lambda: tmp_path / "cache")
    monkeypatch.delenv("CIVICMAP_SOURCES", raising=False)
    with pytest.raises(sources.SourceError) as err:
        sources.locate(name)
    assert name in str(err.value) and sources.manifest()[name].sha256 in str(err.value)


def test_verified_copy_in_env_folder_is_used(tmp_path, monkeypatch):
    name = "census_2021_units.csv"
    shutil.copy(sources.SHARED_SOURCES / name, tmp_path / name)
    monkeypatch.setenv("CIVICMAP_SOURCES", str(tmp_path))
    assert sources.locate(name) == tmp_path / name


def test_latest_card_is_the_newest_year_and_the_undated_one_only_when_newer():
    row = {"Информационна карта": "", "Информационна карта 2019": CARD.format(70001),
           "Информационна карта 2021": CARD.format(99060), "Информационна карта 2022": " "}
    assert latest_card(row) == CARD.format(99060)  # 2021; a blank 2022 does not count
    older = {**row, "Информационна карта": CARD.format(59317)}
    assert latest_card(older) == CARD.format(99060)
    newer = {**row, "Информационна карта": CARD.format(102692)}  # a higher card number
    assert latest_card(newer) == CARD.format(102692)
    assert latest_card({"Информационна карта": CARD.format(5)}) == CARD.format(5)
    assert latest_card({"Информационна карта 2016": "", "Информационна карта": ""}) is None


def test_register_reader_keeps_one_card_column_and_no_people(tmp_path):
    f = tmp_path / "register.csv"
    f.write_text(
        "Рег. №,Статус,Име на читалище,Област,Община,Град/село,Адрес,Булстат,Председател,"
        "Секретар,E-mail,Телефон,Факс,линк,Информационна карта,Информационна карта 2018,"
        "Информационна карта 2020\n"
        f"7,Действащо,Зора,КЪРДЖАЛИ,КИРКОВО,СЕЛО БЕНКОВСКИ,,,Иван Петров,Мария Петрова,,,,,"
        f",{CARD.format(54385)},{CARD.format(88092)}\n"
        "8,Действащо,Изгрев,КЪРДЖАЛИ,КИРКОВО,СЕЛО БЕНКОВСКИ,,,Иван Петров,Мария Петрова,,,,,,,\n",
        encoding="utf-8")
    reg = read_register(f)
    assert list(reg["info_card_url"]) == [CARD.format(88092), None]
    assert not [c for c in reg.columns if "карта" in c or c in ("Председател", "Секретар")]
    assert "Иван Петров" not in reg.to_string()
