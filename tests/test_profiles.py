"""Library profiles and NGO hubs/needs: the rules (tiny inputs), the store, proposals, imports."""

from __future__ import annotations

from datetime import datetime

import pytest

from civic.errors import ProfileError
from civic.profile import check_profile, need_title, next_change, open_state
from civic.vocabularies import NEEDS

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
