"""Civic actions out: iCalendar feeds, schema.org JSON-LD, public exports (hand-made rows)."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime, timedelta

import icalendar
import openpyxl
import pandas as pd
import recurring_ical_events

from civic.action import occurrences
from reports import export, ical, jsonld
from ui import feeds

HOSTS = {"ngo-1": "Сдружение „Зелени Родопи“", "lib-2": "Библиотека"}


def action(**over) -> dict:
    """One stored action row (all the store's columns), changed by `over`."""
    row = {"id": "action-1", "title": "Почистване", "description": None,
           "cause": "environment", "type": "volunteer_action", "start": "2026-10-24T10:00",
           "end": "2026-10-24T12:00", "host_id": "ngo-1", "source": "import", "rrule": None,
           "online": False, "ekatte": "40909", "settlement": "Кърджали",
           "municipality_code": "KRZ16", "province_code": "KRZ", "address": "ул. „Х“ 1",
           "lon": 25.37, "lat": 41.64, "partner_ids": None, "volunteers_needed": None,
           "skills": None, "items": None, "contact_phone": None, "contact_email": None,
           "url": None, "status": "published", "cancel_reason": None, "joined": 0,
           "last_end": "2026-10-24T12:00", "created_at": pd.Timestamp("2026-10-01 09:00"),
           "updated_at": pd.Timestamp("2026-10-02 09:00")}
    row.update(over)
    if "rrule" in over and over["rrule"] and "last_end" not in over:
        row["last_end"] = occurrences(row)[-1][1].strftime("%Y-%m-%dT%H:%M")
    return row


def frame(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def events_of(data: bytes) -> list:
    return icalendar.Calendar.from_ical(data).walk("VEVENT")


def expand(data: bytes) -> list:
    cal = icalendar.Calendar.from_ical(data)
    return recurring_ical_events.of(cal).between(datetime(2026, 1, 1), datetime(2029, 1, 1))


# -- iCalendar ------------------------------------------------------------------------------

def test_calendar_has_sofia_timezone_and_tz_aware_times():
    data = ical.calendar(frame(action()), HOSTS, "Feed")
    cal = icalendar.Calendar.from_ical(data)
    assert str(cal["X-WR-TIMEZONE"]) == "Europe/Sofia" and str(cal["VERSION"]) == "2.0"
    assert str(cal["X-WR-CALNAME"]) == "Feed" and cal.get("PRODID")
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Sofia"]
    event = cal.walk("VEVENT")[0]
    assert event["DTSTART"].params["TZID"] == "Europe/Sofia"
    assert event["DTSTART"].dt.utcoffset() == timedelta(hours=3)  # summer time, 24 Oct
    assert event["DTEND"].dt.hour == 12 and str(event["UID"]) == "action-1@civicmap"
    assert event["DTSTAMP"].dt.tzinfo is not None and str(event["STATUS"]) == "CONFIRMED"


def test_a_calendar_without_actions_is_still_a_valid_calendar():
    cal = icalendar.Calendar.from_ical(ical.calendar(frame(action()).iloc[0:0], HOSTS, "F"))
    assert [c.name for c in cal.subcomponents] == ["VTIMEZONE"]


def test_weekly_rule_expands_to_its_count_across_the_clock_change():
    row = action(rrule="FREQ=WEEKLY;COUNT=4")
    found = expand(ical.calendar(frame(row), HOSTS, "Feed"))
    assert len(found) == 4 == len(occurrences(row))
    assert [e["DTSTART"].dt.hour for e in found] == [10, 10, 10, 10]  # wall clock kept
    assert [e["DTSTART"].dt.utcoffset().seconds // 3600 for e in found] == [3, 2, 2, 2]


def test_until_means_what_the_app_means():
    # The app reads UNTIL=20261107 as midnight starting 7 November: two Saturdays, not three.
    row = action(rrule="FREQ=WEEKLY;UNTIL=20261107")
    data = ical.calendar(frame(row), HOSTS, "Feed")
    assert "UNTIL=20261106T220000Z" in data.decode()
    assert len(expand(data)) == len(occurrences(row)) == 2


def test_start_off_the_rule_starts_at_the_first_date_the_app_lists():
    row = action(start="2026-10-23T10:00", end="2026-10-23T12:00",  # a Friday
                 rrule="FREQ=WEEKLY;BYDAY=SA;COUNT=2")
    found = expand(ical.calendar(frame(row), HOSTS, "Feed"))
    assert [e["DTSTART"].dt.date() for e in found] == [s.date() for s, _ in occurrences(row)]


def test_cancelled_is_cancelled_and_proposed_is_left_out():
    rows = frame(action(id="a-c", status="cancelled", cancel_reason="дъжд"),
                 action(id="a-p", status="proposed"))
    events = events_of(ical.calendar(rows, HOSTS, "Feed", lang="en"))
    assert [str(e["UID"]) for e in events] == ["a-c@civicmap"]
    assert str(events[0]["STATUS"]) == "CANCELLED"
    assert "дъжд" in str(events[0]["DESCRIPTION"])


def test_markup_and_separators_survive_as_plain_text():
    title = '<b>Чисто</b>, река; "днес"\\'
    row = action(title=title, description="Ред 1\nРед 2\x07 <script>x</script>",
                 url="javascript:alert(1)")
    data = ical.calendar(frame(row), HOSTS, "Feed", base_url="https://civic.example", lang="en")
    assert b"SUMMARY:<b>\xd0\xa7\xd0\xb8\xd1\x81\xd1\x82\xd0\xbe</b>\\, " in data  # escaped
    event = events_of(data)[0]
    assert str(event["SUMMARY"]) == title
    text = str(event["DESCRIPTION"])
    assert text.startswith("Ред 1\nРед 2 <script>x</script>") and "\x07" not in text
    assert "Host: Сдружение „Зелени Родопи“" in text
    assert "https://civic.example/actions?action=action-1" in text
    assert str(event["URL"]) == "https://civic.example/actions?action=action-1"


def test_description_lists_what_is_needed_and_whom_to_ask():
    row = action(volunteers_needed=12, skills="готвене", items="ръкавици;чували",
                 contact_phone="+359 888 000 000", contact_email="info@example.org",
                 url="https://example.org/x")
    event = events_of(ical.single_event(row, HOSTS["ngo-1"], "", lang="en"))[0]
    text = str(event["DESCRIPTION"])
    for part in ("Volunteers needed: 12", "Skills: готвене", "Items needed: ръкавици;чували",
                 "Contact: +359 888 000 000 · info@example.org"):
        assert part in text
    assert "How to join" not in text  # no base URL, no page link
    assert str(event["URL"]) == "https://example.org/x"
    assert str(event["LOCATION"]) == "ул. „Х“ 1, Кърджали"
    assert (event["GEO"].latitude, event["GEO"].longitude) == (41.64, 25.37)
    assert [str(c) for c in event["CATEGORIES"].cats] == ["environment", "volunteer_action"]


def test_online_action_has_no_place():
    row = action(online=True, ekatte=None, settlement=None, address=None, lon=None, lat=None)
    event = events_of(ical.single_event(row, "X", "", lang="en"))[0]
    assert str(event["LOCATION"]) == "Online" and "GEO" not in event


def test_single_event_is_one_calendar_with_one_event():
    data = ical.single_event(action(title="Изложба"), "X", "https://c.example")
    cal = icalendar.Calendar.from_ical(data)
    assert len(cal.walk("VEVENT")) == 1 and str(cal["X-WR-CALNAME"]) == "Изложба"


def test_select_by_place_cause_and_organisation():
    rows = frame(action(id="a1"),
                 action(id="a2", province_code="RAZ", municipality_code="RAZ26",
                        cause="culture", host_id="lib-2", partner_ids="ngo-1; other"),
                 action(id="a3", cause="culture", host_id="lib-2"))
    assert list(ical.select(rows, province="KRZ")["id"]) == ["a1", "a3"]
    assert list(ical.select(rows, municipality="RAZ26")["id"]) == ["a2"]
    assert list(ical.select(rows, cause="culture", province="KRZ")["id"]) == ["a3"]
    assert list(ical.select(rows, host="ngo-1")["id"]) == ["a1", "a2"]  # host or partner
    assert list(ical.select(rows)["id"]) == ["a1", "a2", "a3"]


def test_feed_files_have_stable_safe_names():
    rows = frame(action(id="a1"), action(id="a2", host_id="bad id/..", cause="culture"),
                 action(id="a3", province_code="VRC", municipality_code="VRC08",
                        status="proposed"))
    files = ical.feed_files(rows, HOSTS, "https://c.example")
    assert set(files) == {"all.ics", "province-KRZ.ics", "municipality-KRZ16.ics",
                          "cause-environment.ics", "cause-culture.ics",
                          "organisation-ngo-1.ics"}
    assert len(events_of(files["all.ics"])) == 2
    assert [str(e["UID"]) for e in events_of(files["cause-culture.ics"])] == ["a2@civicmap"]
    assert all(re.fullmatch(r"[a-z]+(-[A-Za-z0-9_-]+)?\.ics", name) for name in files)


# -- JSON-LD --------------------------------------------------------------------------------

def test_jsonld_event_with_offsets_place_and_status():
    row = action(start="2026-12-05T10:00", end="2026-12-05T12:00", description="<i>x</i>")
    data = jsonld.event_jsonld(row, HOSTS["ngo-1"], "https://c.example/actions?action=a",
                               host_url="https://ngo.example")
    assert data["@type"] == "Event" and data["name"] == "Почистване"
    assert data["startDate"] == "2026-12-05T10:00:00+02:00"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert data["location"]["address"]["addressLocality"] == "Кърджали"
    assert data["location"]["geo"]["latitude"] == 41.64
    assert data["organizer"] == {"@type": "Organization", "name": HOSTS["ngo-1"],
                                 "url": "https://ngo.example"}
    summer = jsonld.event_jsonld(action(), "X", "")
    assert summer["startDate"] == "2026-10-24T10:00:00+03:00" and "url" not in summer


def test_jsonld_cancelled_online_and_recurring():
    row = action(status="cancelled", online=True, url="https://meet.example/x",
                 start="2026-12-05T10:00", end="2026-12-05T12:00",
                 rrule="FREQ=WEEKLY;BYDAY=SA;COUNT=3")
    data = jsonld.event_jsonld(row, "X", "", now=datetime(2026, 12, 6))
    assert data["eventStatus"] == "https://schema.org/EventCancelled"
    assert data["location"] == {"@type": "VirtualLocation", "url": "https://meet.example/x"}
    assert data["startDate"] == "2026-12-12T10:00:00+02:00"  # the next occurrence
    schedule = data["eventSchedule"]
    assert schedule["repeatFrequency"] == "P1W" and schedule["repeatCount"] == 3
    assert schedule["byDay"] == ["https://schema.org/Saturday"]
    assert schedule["startTime"] == "10:00" and schedule["endDate"] == "2026-12-19"


def test_jsonld_script_cannot_be_closed_by_text():
    data = jsonld.event_jsonld(action(title="</script><script>alert(1)</script> & co"),
                               "X", "")
    script = jsonld.jsonld_script(data)
    inner = script.removeprefix('<script type="application/ld+json">').removesuffix(
        "</script>")
    assert "<" not in inner and ">" not in inner and "&" not in inner
    assert json.loads(inner) == data


# -- exports --------------------------------------------------------------------------------

def test_public_table_columns_status_and_no_proposed():
    rows = frame(action(id="a1", start="2020-01-01T10:00", end="2020-01-01T12:00",
                        last_end="2020-01-01T12:00"),
                 action(id="a2", status="proposed"), action(id="a3", volunteers_needed=5))
    table = export.actions_public_table(rows, HOSTS, now=datetime(2026, 1, 1))
    assert list(table.columns) == export.ACTION_PUBLIC_COLUMNS
    assert list(table["id"]) == ["a1", "a3"] and list(table["status"]) == ["past", "published"]
    assert list(table["host_name"]) == [HOSTS["ngo-1"]] * 2
    assert list(table["volunteers_needed"]) == [None, 5]
    assert set(table["source"]) == {"import"} and set(table["source_date"]) == {"2026-10-02"}
    assert set(table["licence"]) == {export.ACTIONS_LICENCE}


def test_csv_and_xlsx_neutralise_formulas():
    rows = frame(action(title='=HYPERLINK("http://evil.example","x")', skills="@SUM(1)"))
    text = export.actions_csv(rows, HOSTS)
    assert "'=HYPERLINK" in text and "'@SUM(1)" in text
    book = openpyxl.load_workbook(io.BytesIO(export.actions_xlsx(rows, HOSTS, [])))
    sheet = book["actions"]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(2, header.index("title") + 1).value.startswith("'=HYPERLINK")
    assert export.ACTIONS_NOTE in [c.value for c in book["about"]["A"]]


def test_geojson_points_and_online_nulls():
    rows = frame(action(id="a1"), action(id="a2", online=True, ekatte=None, settlement=None,
                                         lon=None, lat=None))
    doc = json.loads(export.actions_geojson(rows, HOSTS, []))
    assert [f["geometry"] for f in doc["features"]] == [
        {"type": "Point", "coordinates": [25.37, 41.64]}, None]
    assert doc["features"][0]["properties"]["host_name"] == HOSTS["ngo-1"]
    assert doc["metadata"]["licence"] == export.ACTIONS_LICENCE


# -- feed files on disk ---------------------------------------------------------------------

def test_feeds_url_is_the_projects_and_another_builds_has_a_folder_of_its_own(monkeypatch,
                                                                            tmp_path):
    monkeypatch.delenv("CIVICMAP_BUILD_DIR", raising=False)
    assert feeds.feeds_url("all.ics") == "/app/static/generated/feeds/all.ics"
    monkeypatch.setenv("CIVICMAP_BUILD_DIR", str(tmp_path))  # a test's or a second app's
    other = feeds.feeds_url("all.ics")
    assert other.startswith("/app/static/generated/feeds/build-") and other.endswith("/all.ics")
    assert feeds.feeds_dir().name == other.split("/")[-2]


def test_ensure_feeds_writes_only_when_the_actions_change(tmp_path):
    orgs = pd.DataFrame({"id": list(HOSTS), "name": list(HOSTS.values())})
    rows = frame(action(id="a1"), action(id="a2", province_code="RAZ",
                                         municipality_code="RAZ26"))
    assert feeds.ensure_feeds(rows, orgs, folder=tmp_path) is True
    assert (tmp_path / "province-RAZ.ics").exists() and (tmp_path / ".fingerprint").exists()
    assert feeds.ensure_feeds(rows, orgs, folder=tmp_path) is False
    joined = rows.assign(joined=[3, 4])  # a join count is not in the feeds
    assert feeds.ensure_feeds(joined, orgs, folder=tmp_path) is False
    feeds._written.clear()  # a new process: the file's fingerprint still counts
    assert feeds.ensure_feeds(rows, orgs, folder=tmp_path) is False
    (tmp_path / ".fingerprint").write_text("other")  # this process remembers what it wrote
    assert feeds.ensure_feeds(rows, orgs, folder=tmp_path) is False
    assert feeds.ensure_feeds(rows.iloc[:1], orgs, folder=tmp_path) is True
    assert not (tmp_path / "province-RAZ.ics").exists()  # a feed no longer needed goes
    assert len(events_of((tmp_path / "all.ics").read_bytes())) == 1
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".all.ics")]  # no temp


def test_ensure_feeds_where_it_cannot_write_leaves_the_page_working(tmp_path):
    blocked = tmp_path / "feeds"
    blocked.write_text("a file where the folder should be")
    orgs = pd.DataFrame({"id": list(HOSTS), "name": list(HOSTS.values())})
    assert feeds.ensure_feeds(frame(action()), orgs, folder=blocked) is False
