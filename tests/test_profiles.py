"""Library profiles and NGO hubs/needs: the rules (tiny inputs), the store, proposals, imports."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import SQLAlchemyError

import store
from civic.errors import ProfileError, ProposalError, StoreError
from civic.profile import check_profile, need_title, next_change, open_state
from civic.vocabularies import NEEDS
from intake import moderation
from intake import profiles as intake_profiles
from store import audit
from store.schema import profiles, rate_events

HUBS = {"library-a": "library", "chitalishte-b": "chitalishte"}
WEEKDAYS = "Mo-Fr 09:00-18:00"
FRIDAY_10 = datetime(2026, 12, 4, 10, 0)  # a Friday
SATURDAY_10 = datetime(2026, 12, 5, 10, 0)


# -- the rules ------------------------------------------------------------------------------

def test_a_library_profile_is_cleaned_and_typed():
    got = check_profile({"seats": "12", "computers": "0", "internet": "да", "step_free": "",
                         "exhibition_space": "evet", "opening_hours": f" {WEEKDAYS} ",
                         "name": "ignored"}, "library")
    assert got == {"seats": 12, "computers": 0, "internet": True, "exhibition_space": True,
                   "opening_hours": WEEKDAYS}


@pytest.mark.parametrize(("word", "value"), [
    (True, True), (False, False), ("yes", True), ("no", False), ("да", True), ("не", False),
    ("1", True), ("0", False), ("true", True), ("false", False), ("evet", True),
    ("hayır", False), ("Hayır", False), ("ДА", True)])
def test_yes_and_no_in_three_languages(word, value):
    assert check_profile({"internet": word}, "chitalishte") == {"internet": value}


@pytest.mark.parametrize("unknown", [None, "", "  "])
def test_unknown_is_left_out_never_no(unknown):
    got = check_profile({"step_free": unknown, "seats": 5}, "library")
    assert got == {"seats": 5} and "step_free" not in got


@pytest.mark.parametrize(("values", "message"), [
    ({"seats": "0"}, "seats must be a whole number from 1 to 2000"),
    ({"seats": "-3"}, "seats must be a whole number from 1 to 2000"),
    ({"seats": "5000"}, "seats must be a whole number from 1 to 2000"),
    ({"seats": 2001}, "seats must be a whole number from 1 to 2000"),
    ({"seats": "abc"}, "seats must be a whole number from 1 to 2000"),
    ({"seats": "12.5"}, "seats must be a whole number from 1 to 2000"),
    ({"seats": True}, "seats must be a whole number from 1 to 2000"),
    ({"computers": "-1"}, "computers must be a whole number from 0 to 500"),
    ({"computers": "501"}, "computers must be a whole number from 0 to 500"),
    ({"internet": "maybe"}, "public internet: answer yes or no"),
    ({"step_free": "2"}, "step-free access: answer yes or no"),
    ({"exhibition_space": "perhaps"}, "exhibition space: answer yes or no"),
    ({"opening_hours": "Mo-Fr 9-18h"}, "not in the OSM opening_hours form"),
    ({"opening_hours": "open every day"}, "not in the OSM opening_hours form"),
    ({"opening_hours": "Mo-Fr 09:00-18:00;" * 20}, "longer than 255 characters"),
    ({"hub_id": "library-a"}, "hub_id cannot be set for this kind of organisation"),
    ({"needs": "legal"}, "needs cannot be set for this kind of organisation"),
    ({}, "nothing to change"),
    ({"name": "only unknown keys", "seats": ""}, "nothing to change"),
])
def test_bad_library_values_are_refused(values, message):
    with pytest.raises(ProfileError, match=message):
        check_profile(values, "library", HUBS)


@pytest.mark.parametrize(("values", "message"), [
    ({"needs": "advocacy;cooking"}, "unknown need\\(s\\): cooking"),
    ({"needs": ["teleport", "legal", "x"]}, "unknown need\\(s\\): teleport, x"),
    ({"hub_id": "library-zzz"}, "the library library-zzz was not found"),
    ({"hub_id": "ngo-c"}, "the library ngo-c was not found"),
    ({"seats": 10}, "seats cannot be set for this kind of organisation"),
    ({"opening_hours": WEEKDAYS}, "opening_hours cannot be set"),
    ({"needs": ";"}, "nothing to change"),
])
def test_bad_ngo_values_are_refused(values, message):
    with pytest.raises(ProfileError, match=message):
        check_profile(values, "ngo", HUBS)


def test_an_ngo_hub_is_refused_without_the_hubs():
    with pytest.raises(ProfileError, match="was not found"):
        check_profile({"hub_id": "library-a"}, "ngo")


def test_an_unknown_kind_is_refused():
    with pytest.raises(ProfileError, match="unknown kind"):
        check_profile({"seats": 3}, "museum")


def test_an_ngo_names_its_hub_and_needs():
    got = check_profile({"hub_id": " chitalishte-b ", "needs": "Legal; media;legal"}, "ngo", HUBS)
    assert got == {"hub_id": "chitalishte-b", "needs": ["legal", "media"]}
    assert check_profile({"needs": list(NEEDS)}, "ngo")["needs"] == list(NEEDS)


def test_a_spreadsheet_number_is_a_whole_number():
    assert check_profile({"seats": "40.0", "computers": 3}, "library") == {
        "seats": 40, "computers": 3}


def test_need_titles_are_words():
    assert need_title("project_writing", "en") == "Project writing"
    assert set(NEEDS) == {"advocacy", "media", "fundraising", "volunteers", "premises",
                          "legal", "digital", "project_writing"}


# -- open now -------------------------------------------------------------------------------

@pytest.mark.parametrize(("hours", "when", "state"), [
    (WEEKDAYS, FRIDAY_10, "open"),
    (WEEKDAYS, SATURDAY_10, "closed"),
    (WEEKDAYS, datetime(2026, 12, 4, 18, 30), "closed"),
    ("24/7", SATURDAY_10, "open"),
    ("Mo-Fr 09:00-18:00; PH off", datetime(2026, 12, 24, 10), "closed"),  # Christmas Eve
    ("Mo-Fr 09:00-18:00 unknown", FRIDAY_10, "unknown"),
    (None, FRIDAY_10, "unknown"),
    ("", FRIDAY_10, "unknown"),
    ("whenever", FRIDAY_10, "unknown"),
])
def test_open_state(hours, when, state):
    assert open_state(hours, when) == state


def test_next_change():
    assert next_change(WEEKDAYS, FRIDAY_10) == datetime(2026, 12, 4, 18, 0)
    assert next_change(WEEKDAYS, SATURDAY_10) == datetime(2026, 12, 7, 9, 0)
    assert next_change("24/7", FRIDAY_10) is None
    assert next_change("nonsense", FRIDAY_10) is None
    assert next_change(None, FRIDAY_10) is None


# -- the store, proposals and moderation (real build) ---------------------------------------

KRZ_REGIONAL = "library-21e546f4ae0a"  # Регионална библиотека „Н. Й. Вапцаров“, Кърджали
KRZ_BALKAN = "library-df77bb86c971"  # Балканска библиотека „Иляз Ходжа“, Момчилград
TEMPLATE = Path(__file__).resolve().parents[1] / "docs" / "library_template.csv"


@pytest.fixture()
def clean(built):
    def wipe():
        with store.engine().begin() as conn:
            conn.execute(delete(store.proposals))
            conn.execute(delete(profiles))
            conn.execute(delete(rate_events))
    wipe()
    yield
    wipe()


@pytest.fixture()
def ngo(orgs):
    return orgs[(orgs["kind"] == "ngo") & (orgs["province_code"] == "KRZ")].iloc[0]["id"]


def _count() -> int:
    with store.engine().connect() as conn:
        return int(conn.execute(select(func.count()).select_from(store.proposals)).scalar())


def _profile_entries(after: int = 0) -> pd.DataFrame:
    """The profile entries of the audit log, newest first (those after entry `after`)."""
    log = audit.entries(50)
    return log[(log["action"] == "profile") & (log["id"] > after)]


def _last_entry() -> int:
    log = audit.entries(1)
    return int(log["id"].iloc[0]) if len(log) else 0


def test_the_template_names_real_kardzhali_libraries(orgs):
    ids = pd.read_csv(TEMPLATE)["id"].tolist()
    found = orgs.set_index("id").loc[ids]
    assert ids == [KRZ_REGIONAL, KRZ_BALKAN]
    assert set(found["kind"]) == {"library"} and set(found["province_code"]) == {"KRZ"}


def test_a_profile_proposed_then_approved_is_stored_and_audited(clean):
    number = intake_profiles.submit_profile(KRZ_REGIONAL, {
        "seats": "40", "internet": "да", "step_free": "", "opening_hours": "Mo-Fr 09:00-18:00"})
    assert store.profile(KRZ_REGIONAL) is None  # waits for a moderator
    assert moderation.pending()["action"].tolist() == ["profile"]
    assert moderation.approve(number, "librarian") == KRZ_REGIONAL
    got = store.profile(KRZ_REGIONAL)
    assert (got["seats"], got["internet"], got["opening_hours"]) == (
        40, True, "Mo-Fr 09:00-18:00")
    assert got["step_free"] is None and got["computers"] is None  # unknown, not "no"
    assert got["needs"] == [] and got["updated_by"] == "librarian"
    assert moderation.proposal(number)["status"] == "approved"
    entry = _profile_entries().iloc[0]
    assert (entry["who"], entry["target_id"]) == ("librarian", KRZ_REGIONAL)
    assert entry["before"] is None and json.loads(entry["after"])["seats"] == 40
    assert store.load_profiles().loc[KRZ_REGIONAL, "seats"] == 40


def test_a_second_profile_merges_and_the_audit_keeps_the_old_values(clean):
    moderation.approve(intake_profiles.submit_profile(
        KRZ_REGIONAL, {"seats": 40, "computers": 3}), "librarian")
    moderation.approve(intake_profiles.submit_profile(KRZ_REGIONAL, {"seats": 55}), "moderator")
    got = store.profile(KRZ_REGIONAL)
    assert (got["seats"], got["computers"]) == (55, 3)
    entry = _profile_entries().iloc[0]
    assert json.loads(entry["before"]) == {"seats": 40}
    assert json.loads(entry["after"]) == {"seats": 55}


def test_an_ngo_hub_proposal_is_presented_at_the_hub(clean, ngo):
    number = intake_profiles.submit_profile(ngo, {"hub_id": KRZ_BALKAN,
                                                  "needs": ["legal", "project_writing"]})
    moderation.approve(number, "librarian")
    assert store.profile(ngo)["needs"] == ["legal", "project_writing"]
    assert store.load_profiles().loc[ngo, "needs"] == "legal;project_writing"
    assert store.presented_at(KRZ_BALKAN) == [ngo]
    assert store.presented_at(KRZ_REGIONAL) == []


@pytest.mark.parametrize(("target", "values", "message"), [
    (KRZ_REGIONAL, {"opening_hours": "Mo-Fr 9-18"}, "not in the OSM opening_hours form"),
    (KRZ_REGIONAL, {"seats": "0"}, "seats must be a whole number"),
    (KRZ_REGIONAL, {"seats": "5000"}, "seats must be a whole number"),
    ("library-000000000000", {"seats": "10"}, "the organisation was not found"),
    ("", {"seats": "10"}, "the organisation was not found"),
    ("ngo", {"hub_id": "library-000000000000"}, "was not found"),
    ("ngo", {"hub_id": "ngo"}, "was not found"),  # an NGO is no hub
    ("ngo", {"hub_id": "presumed"}, "was not found"),  # nor a chitalishte's presumed library
    ("ngo", {"needs": "legal;cooking"}, "unknown need"),
    ("ngo", {"seats": "10"}, "cannot be set for this kind"),
    (KRZ_REGIONAL, {"needs": "legal"}, "cannot be set for this kind"),
    (KRZ_REGIONAL, {"step_free": ""}, "nothing to change"),
])
def test_bad_profiles_are_refused_and_nothing_is_stored(clean, orgs, ngo, target, values,
                                                        message):
    presumed = orgs[orgs["presumed"].astype(bool)].iloc[0]["id"]
    names = {"ngo": ngo, "presumed": presumed}
    target = names.get(target, target)
    values = {k: names.get(v, v) for k, v in values.items()}
    before = _count()
    with pytest.raises(ProfileError, match=message):
        intake_profiles.submit_profile(target, values)
    assert _count() == before and store.load_profiles().empty


def test_the_same_values_again_are_nothing_to_change(clean):
    moderation.approve(intake_profiles.submit_profile(KRZ_REGIONAL, {"seats": 40}), "m")
    with pytest.raises(ProfileError, match="nothing to change"):
        intake_profiles.submit_profile(KRZ_REGIONAL, {"seats": "40"})


def test_a_bad_moderator_edit_writes_nothing(clean):
    number = intake_profiles.submit_profile(KRZ_REGIONAL, {"seats": 40})
    last = _last_entry()
    with pytest.raises(ProfileError, match="seats must be"):
        moderation.approve(number, "librarian", {"seats": 0})
    assert store.profile(KRZ_REGIONAL) is None
    assert moderation.proposal(number)["status"] == "pending" and _last_entry() == last
    moderation.approve(number, "librarian", {"seats": 45})
    assert store.profile(KRZ_REGIONAL)["seats"] == 45


def test_a_failure_midway_leaves_the_proposal_pending_and_no_profile(clean, monkeypatch):
    number = intake_profiles.submit_profile(KRZ_REGIONAL, {"seats": 40})

    def broken(*_args):
        raise SQLAlchemyError("disk full")

    monkeypatch.setattr(audit, "record", broken)  # after the approval and the profile row
    with pytest.raises(StoreError):
        moderation.approve(number, "librarian")
    monkeypatch.undo()
    assert moderation.proposal(number)["status"] == "pending"
    assert store.profile(KRZ_REGIONAL) is None


def test_a_rejected_profile_is_never_stored(clean):
    number = intake_profiles.submit_profile(KRZ_REGIONAL, {"seats": 40})
    moderation.reject(number, "librarian", "not the library's own numbers")
    assert moderation.proposal(number)["status"] == "rejected"
    assert store.profile(KRZ_REGIONAL) is None
    with pytest.raises(ProposalError, match="already rejected"):
        moderation.approve(number, "librarian")


def test_profiles_survive_a_rebuild(clean):
    from sources.build import build

    store.upsert_profile(KRZ_REGIONAL, {"seats": 30, "needs": None}, "test")
    build()
    assert store.profile(KRZ_REGIONAL)["seats"] == 30
    assert KRZ_REGIONAL in set(store.load_organisations()["id"])


# -- bulk import ----------------------------------------------------------------------------

def _csv(tmp_path, text: str) -> Path:
    path = tmp_path / "profiles.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_template_imports(clean):
    last = _last_entry()
    report = intake_profiles.import_profiles(TEMPLATE, "library")
    assert report.written and report.updated == 2 and not report.rejected
    regional, balkan = store.profile(KRZ_REGIONAL), store.profile(KRZ_BALKAN)
    assert (regional["seats"], regional["computers"], regional["step_free"]) == (60, 12, True)
    assert regional["opening_hours"] == "Mo-Fr 08:30-18:00; Sa 09:00-13:00; PH off"
    assert (balkan["internet"], balkan["exhibition_space"], balkan["step_free"]) == (
        True, False, None)  # "не" is no, an empty cell unknown
    assert _profile_entries(last)["who"].tolist() == ["import", "import"]


@pytest.mark.parametrize(("row", "reason"), [
    (f"{KRZ_BALKAN},0,,", "seats must be a whole number"),
    (f"{KRZ_BALKAN},-3,,", "seats must be a whole number"),
    (f"{KRZ_BALKAN},10,,Mo-Fr 9-18", "not in the OSM opening_hours form"),
    ("library-000000000000,10,,", "the organisation was not found"),
    (f"{KRZ_BALKAN},10,maybe,", "public internet: answer yes or no"),
    (f"{KRZ_BALKAN},,,", "nothing to change"),
    (f"{KRZ_REGIONAL},10,,", "the same organisation as row 2"),
])
def test_a_bad_row_is_rejected_and_nothing_is_written(clean, tmp_path, row, reason):
    path = _csv(tmp_path, f"id,seats,internet,opening_hours\n{KRZ_REGIONAL},25,yes,24/7\n"
                          f"{row}\n")
    last = _last_entry()
    report = intake_profiles.import_profiles(path, "library")
    assert [r["row"] for r in report.rejected] == [3]
    assert reason in report.rejected[0]["reason"]
    assert not report.written and store.load_profiles().empty and _last_entry() == last


def test_accept_valid_and_dry_run(clean, tmp_path):
    path = _csv(tmp_path, f"id,seats\n{KRZ_REGIONAL},25\n{KRZ_BALKAN},0\n")
    assert not intake_profiles.import_profiles(path, "library", dry_run=True,
                                               accept_valid=True).written
    assert store.load_profiles().empty
    report = intake_profiles.import_profiles(path, "library", accept_valid=True)
    assert report.written and report.updated == 1 and len(report.rejected) == 1
    assert store.profile(KRZ_REGIONAL)["seats"] == 25 and store.profile(KRZ_BALKAN) is None


def test_an_ngo_import_sets_hubs_and_refuses_a_library_row(clean, tmp_path, ngo):
    good = _csv(tmp_path, f"id,hub_id,needs\n{ngo},{KRZ_BALKAN},media;digital\n")
    assert intake_profiles.import_profiles(good, "ngo").written
    assert store.presented_at(KRZ_BALKAN) == [ngo]
    bad = _csv(tmp_path, f"id,hub_id,needs\n{KRZ_REGIONAL},,legal\n")
    report = intake_profiles.import_profiles(bad, "ngo")
    assert "not of the kind being imported (ngo)" in report.rejected[0]["reason"]
    assert not report.written


def test_the_cli_imports_profiles(clean, tmp_path, capsys):
    from cli import main

    bad = _csv(tmp_path, f"id,seats\n{KRZ_REGIONAL},0\n")
    assert main(["import", str(bad), "--kind", "library", "--profiles"]) == 1
    out = capsys.readouterr()
    assert f"row 2: {KRZ_REGIONAL} — the meeting room's seats" in out.out
    assert "nothing written" in out.err and store.load_profiles().empty
    assert main(["import", str(TEMPLATE), "--kind", "library", "--profiles"]) == 0
    assert "profiles updated 2" in capsys.readouterr().err
    assert store.profile(KRZ_BALKAN)["seats"] == 20


def test_an_xlsx_with_numbers_and_booleans_imports(clean, tmp_path):
    path = tmp_path / "profiles.xlsx"
    pd.DataFrame({"ID": [KRZ_REGIONAL, KRZ_BALKAN], "Seats": [60, 20.0],
                  "internet": [True, False], "opening_hours": ["24/7", None]}
                 ).to_excel(path, index=False)
    report = intake_profiles.import_profiles(path, "library")
    assert report.written and not report.rejected
    assert (store.profile(KRZ_REGIONAL)["seats"], store.profile(KRZ_BALKAN)["seats"]) == (60, 20)
    assert store.profile(KRZ_BALKAN)["internet"] is False
    assert store.profile(KRZ_BALKAN)["opening_hours"] is None
