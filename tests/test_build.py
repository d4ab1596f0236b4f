"""The build on the real sources: the facts SOURCES.md and issue 3 say must hold."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from sqlalchemy import text

import store
from civic.errors import NotBuiltError
from sources.build import build
from sources.manifest import locate


def test_settlements_all_and_per_province(settlements):
    assert len(settlements) == 5256
    counts = settlements.groupby("province_code").size()
    assert (counts["KRZ"], counts["RAZ"], counts["VRC"]) == (468, 103, 123)
    assert settlements["ekatte"].str.fullmatch(r"\d{5}").all()
    assert settlements["ekatte"].is_unique


def test_settlement_points_latin_and_flags(settlements):
    s = settlements.set_index("ekatte")
    assert s.at["40909", "name_latin"] == "Kardzhali"
    assert s.at["40909", "type"] == "гр."
    no_point = s["geometry"].isna()
    assert (s.loc[no_point, "point_source"] == "none").all()
    assert (s.loc[~no_point, "point_source"].isin(["coordinates", "ground"])).all()
    assert no_point.sum() <= 3


def test_population_2021_matches_census_per_province_and_municipality(settlements):
    prov = settlements.groupby("province_code")["population_2021"].sum()
    assert (prov["KRZ"], prov["RAZ"], prov["VRC"]) == (141177, 103223, 152813)
    munis = store.load_municipalities().set_index("code")["population"]
    sums = settlements.groupby("municipality_code")["population_2021"].sum()
    assert (sums.reindex(munis.index).fillna(0) == munis).all()


def test_census_on_provinces_and_municipalities(built):
    prov = store.load_provinces().set_index("code")
    assert prov.loc[["KRZ", "RAZ", "VRC"], "population"].tolist() == [141177, 103223, 152813]
    assert len(prov) == 28 and len(store.load_municipalities()) == 265


def test_active_chitalishta_per_province_match_register(orgs):
    active = orgs[(orgs["kind"] == "chitalishte") & (orgs["status"] == "active")]
    counts = active.groupby("province_code").size()
    assert (counts["KRZ"], counts["RAZ"], counts["VRC"]) == (103, 107, 105)


def test_three_provinces_chitalishta_have_points_in_province_or_reason(orgs):
    provinces = store.load_provinces().set_index("code")
    ch = orgs[(orgs["kind"] == "chitalishte") & orgs["province_code"].isin(["KRZ", "RAZ", "VRC"])]
    for row in ch.itertuples():
        from shapely.geometry import Point

        inside = provinces.at[row.province_code, "geometry"].covers(Point(row.lon, row.lat))
        assert inside or row.precision_note, row.id


def test_ninety_nine_percent_of_active_chitalishta_joined_to_ekatte(orgs):
    active = orgs[(orgs["kind"] == "chitalishte") & (orgs["status"] == "active")]
    assert len(active) == 3689
    assert active["ekatte"].notna().mean() >= 0.99


def test_gps_join_uses_register_number_not_fid(orgs):
    # fid 6 carries the link of register number 7 (Каварна); fid-joining would misplace it.
    kavarna = orgs.set_index("id").loc["chitalishte-7"]
    assert kavarna["settlement"] == "Каварна"
    assert abs(kavarna["lon"] - 28.3385952) < 1e-6


def test_every_directory_row_accounted_for(built):
    ngos = built["sources"]["civic_directory_ngos_2026-11.csv"]
    assert ngos["read"] == 150
    assert ngos["stored"] + ngos["rejected"] + ngos["enriched_register_entries"] == 150
    assert all(r["reason"] for r in ngos["rejections"])
    libs = built["sources"]["civic_directory_libraries_2026-11.csv"]
    assert libs["read"] == 39 and libs["stored"] + libs["rejected"] == 39


def test_directory_chitalishte_rows_enrich_register_entries(orgs):
    kubrat = orgs[(orgs["kind"] == "chitalishte") & (orgs["settlement"] == "Кубрат")]
    assert len(kubrat) == (kubrat["id"].nunique())
    enriched = orgs.set_index("id").loc["chitalishte-316"]
    assert "culture" in enriched["fields"] and enriched["see_also_url"]


def test_one_library_point_per_chitalishte(orgs):
    libs = orgs[(orgs["kind"] == "library") & orgs["parent_id"].notna()]
    assert libs["parent_id"].is_unique
    chitalishta = set(orgs.loc[orgs["kind"] == "chitalishte", "id"])
    assert set(libs["parent_id"]) == chitalishta
    known = libs[~libs["presumed"].astype(bool)]
    assert len(known) >= 30  # directory libraries that replaced a presumed one


def _word_runs(text: str, n: int) -> set[str]:
    words = re.findall(r"[А-Яа-яЁё]+", text)
    return {" ".join(words[i:i + n]) for i in range(len(words) - n + 1)}


def test_no_register_person_names_in_store(orgs):
    people = pd.read_csv(locate("chitalishta_register.csv"), dtype=str,
                         usecols=["Председател", "Секретар"]).stack()
    people = {" ".join(re.findall(r"[А-Яа-яЁё]+", p)) for p in people if isinstance(p, str)}
    people = {p for p in people if p.count(" ") == 2}  # full three-part names
    assert len(people) > 5000
    text = orgs.select_dtypes(include="object").astype(str).to_numpy().ravel()
    runs = set().union(*(_word_runs(v, 3) for v in text))
    assert not people & runs


def test_rebuild_is_idempotent(built):
    before = store.load_organisations()
    build()
    after = store.load_organisations()
    assert len(after) == len(before) and after["id"].is_unique
    assert set(after["id"]) == set(before["id"])


def test_a_store_made_before_the_card_column_gets_it_from_the_build(built):
    with store.writing() as conn:  # a store built before organisations.info_card_url
        conn.execute(text("ALTER TABLE organisations DROP COLUMN info_card_url"))
    with pytest.raises(NotBuiltError):  # the app asks for `civicmap build`
        store.load_organisations()
    assert not store.is_built()  # so `make run` rebuilds first
    build()  # migrates: ALTER TABLE … ADD COLUMN, then fills it
    orgs = store.load_organisations().set_index("id")
    cards = orgs.loc[orgs["kind"] == "chitalishte", "info_card_url"].dropna()
    assert len(cards) == 3325 and cards.str.startswith("https://chitalishta.com/").all()
    assert orgs.at["chitalishte-1", "info_card_url"].endswith("&id=99060")  # 2021, no 2022
    assert orgs.at["chitalishte-855", "info_card_url"].endswith("&id=102692")  # undated, newer
    assert orgs.loc[orgs["kind"] != "chitalishte", "info_card_url"].isna().all()


def test_build_report_saved(built):
    from civic import settings

    saved = json.loads(settings.build_report_file().read_text(encoding="utf-8"))
    assert saved["sources"]["chitalishta_register.csv"]["read"] == 3718


def test_directory_address_places_a_multi_municipality_row(orgs):
    # "Завет; Кубрат" in the municipality column; "ул. Лудогорие 19, 7330 Завет" as address
    mig = orgs[orgs["name"] == "СНЦ „МИГ Завет – Кубрат“"].iloc[0]
    assert (mig["settlement"], mig["precision"]) == ("Завет", "settlement")
    multi = orgs[orgs["name"] == "СНЦ „МИГ Ардино – Джебел“"].iloc[0]  # no address
    assert multi["precision"] == "municipality" and "Ардино" in multi["precision_note"]


def test_turkish_names_reach_the_centres_municipalities_and_provinces(built):
    from civic.i18n import place_names

    munis = store.load_municipalities().set_index("code")
    provinces = store.load_provinces().set_index("code")
    assert munis.at["KRZ21", "name_tr"] == "Mestanlı"  # Момчилград
    assert munis.at["RAZ26", "name_tr"] == "Hezargrad"  # Разград
    assert provinces.at["KRZ", "name_tr"] == "Kırcaali"
    assert (munis.loc[~munis.index.str.startswith(("KRZ", "RAZ")), "name_tr"] == "").all()
    assert place_names(provinces.loc[["KRZ"]].reset_index(), "tr") == ["Кърджали (Kırcaali)"]
