"""The map's actions layer on tiny hand-made frames: records, packing, filter state, URL."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from civic.action import ACTION_COLUMNS
from civic.vocabularies import ACTION_TYPES, CAUSES
from geo import filters
from layers.actions import (
    ActionLayer,
    Hosts,
    action_filter,
    action_records,
    action_words,
    actions_state,
    pack,
    shown,
    unpack,
)

NOW = datetime(2026, 11, 30, 9, 0)  # a Monday; 5 December is that Saturday


def _action(n: int, **values) -> dict:
    row = dict.fromkeys(ACTION_COLUMNS)
    row.update({"id": f"action-{n:012x}", "title": f"Акция {n}", "cause": "youth",
                "type": "volunteer_action", "start": "2026-12-05T10:00",
                "end": "2026-12-05T13:00", "host_id": "ngo-1", "source": "import",
                "online": False, "ekatte": "40909", "settlement": "Кърджали",
                "municipality_code": "KRZ16", "province_code": "KRZ", "lon": 25.37,
                "lat": 41.64, "status": "published", "joined": 0,
                "last_end": "2026-12-05T13:00"})
    row.update(values)
    return row


def _frame(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(ACTION_COLUMNS))


def test_records_hold_only_upcoming_published_actions_with_a_place():
    frame = _frame(
        _action(1),
        _action(2, status="cancelled", title="Отменена"),
        _action(3, status="proposed", title="Предложена"),
        _action(4, online=True, ekatte=None, lon=None, lat=None, title="Онлайн"),
        _action(5, start="2026-11-01T10:00", end="2026-11-01T12:00", title="Минала",
                last_end="2026-11-01T12:00"),
        _action(6, start="2028-01-10T10:00", end="2028-01-10T12:00", title="Далечна"),
    )
    records = action_records(frame, "bg", {"ngo-1": "Сдружение „Младост“"}, now=NOW)
    assert records["n"] == ["Акция 1"]
    assert records["id"] == ["action-000000000001"]
    assert records["base"] == "2026-11-30" and records["d"] == [5]
    assert records["hosts"] == ["Сдружение „Младост“"] and records["h"] == [-1]
    assert records["link"].format(id=records["id"][0]) == "/actions?action=action-000000000001"


def test_a_recurring_action_lists_its_upcoming_days():
    frame = _frame(_action(1, start="2026-11-23T18:00", end="2026-11-23T19:30",
                           rrule="FREQ=WEEKLY;COUNT=4", last_end="2026-12-14T19:30"))
    records = action_records(frame, "bg", {}, now=NOW)
    # 23 Nov has passed; 30 Nov (day 0), 7 and 14 December are upcoming
    assert records["d"] == [0] and records["r"] == {"0": [7, 7]}
    assert records["times"] == ["18:00–19:30"]
    state = action_filter("k", records["base"], "week", now=NOW)
    assert shown(records, state) == [0]


def test_markup_in_a_title_stays_text():
    hostile = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    frame = _frame(_action(1, title=hostile, url="javascript:alert(3)",
                           contact_email="a@b.bg<script>", contact_phone="0888 123 456"))
    records = action_records(frame, "bg", {}, now=NOW)
    assert unpack(pack(records))["n"] == [hostile]  # kept verbatim, set with textContent
    assert records["u"] == {}  # javascript: never becomes a link
    assert records["contacts"] == [["0888 123 456", ""]]
    layer = ActionLayer(records, action_words("bg"))
    for text in (layer.data, layer.script):
        assert "<script" not in text.lower() and "</" not in text
        assert "{{" not in text and "{%" not in text and "{#" not in text  # Jinja-safe


def test_pack_round_trips_ids_and_cyrillic():
    frame = _frame(_action(1), _action(2, title="Изложба „Занаяти“ ^ 2", id="my-own-id",
                                       skills="готвене", items="ръкавици"))
    records = action_records(frame, "en", {}, now=NOW)
    back = unpack(pack(records))
    assert back == records
    assert {records["needs"][int(k)] for k in records["sk"] + records["it"]} == {
        "", "готвене", "ръкавици"}
    binary = action_records(_frame(_action(1), _action(2)), "bg", {}, now=NOW)
    assert unpack(pack(binary))["id"] == ["action-000000000001", "action-000000000002"]


def test_hosts_on_the_organisation_layer_are_referenced():
    layer = pd.DataFrame({"id": ["ngo-0", "ngo-1"], "name": ["А", "Б"],
                          "phone": [None, "0361 22 333"], "email": [None, "b@b.bg"],
                          "address": [None, "ул. Първа 1"]})
    hosts = Hosts.of(layer, layer)
    same = _action(1, contact_phone="0361 22 333", contact_email="b@b.bg", address="ул. Първа 1")
    other = _action(2, host_id="ngo-9", contact_email="x@y.bg", address="пл. Втори")
    records = action_records(_frame(same, other), "bg", hosts, now=NOW)
    by_id = dict(zip(records["id"], range(2)))
    one, two = by_id["action-000000000001"], by_id["action-000000000002"]
    assert records["h"][one] == 1 and records["ct"][one] == "0" and records["a"][one] == 0
    assert records["h"][two] == -1 and records["hosts"] == [""]
    assert records["a"][two] == "пл. Втори"


def test_state_for_each_window():
    base = "2026-11-30"
    up = action_filter("k", base, "upcoming", now=NOW)
    assert (up["from"], up["to"]) == (0, 366) and up["c"] is None and up["on"] is True
    week = action_filter("k", base, "week", now=NOW)
    assert (week["from"], week["to"]) == (0, 7)  # Monday to Sunday
    month = action_filter("k", base, "month", now=NOW)
    assert (month["from"], month["to"]) == (0, 1)  # the rest of November: today only
    day = action_filter("k", base, "volunteer_day", ["youth", "nonsense"], ["training"],
                        on=False, now=NOW)
    assert (day["from"], day["to"]) == (5, 6)
    assert day["c"] == [CAUSES.index("youth")]
    assert day["t"] == [ACTION_TYPES.index("training")] and day["on"] is False
    text = actions_state("k", base, "week", now=NOW)
    assert text == '{"key":"k","from":0,"to":7,"c":null,"t":null,"on":true}'


def test_filters_keep_the_right_actions():
    frame = _frame(_action(1), _action(2, cause="sport", type="training",
                                       start="2027-03-01T10:00", end="2027-03-01T12:00",
                                       last_end="2027-03-01T12:00"),
                   _action(3, start="2026-11-29T10:00", end="2026-12-02T12:00",
                           last_end="2026-12-02T12:00"))  # began yesterday, still on
    records = action_records(frame, "bg", {}, now=NOW)
    title = dict(enumerate(records["n"]))

    def titles(when, causes=(), types=(), on=True):
        state = action_filter("k", records["base"], when, causes, types, on, now=NOW)
        return sorted(title[i] for i in shown(records, state))

    assert titles("upcoming") == ["Акция 1", "Акция 2", "Акция 3"]
    assert titles("week") == ["Акция 1", "Акция 3"]
    assert titles("volunteer_day") == ["Акция 1"]
    assert titles("upcoming", causes=("sport",)) == ["Акция 2"]
    assert titles("upcoming", types=("volunteer_action",)) == ["Акция 1", "Акция 3"]
    assert titles("upcoming", on=False) == []


def test_the_province_set_keeps_its_provinces_actions():
    frame = _frame(_action(1), _action(2, province_code="RAZ", title="Разград"),
                   _action(3, province_code="VAR", title="Варна"))
    records = action_records(frame, "bg", {}, now=NOW)
    assert len(records["pv"]) == 3 * len(records["n"])
    title = dict(enumerate(records["n"]))

    def titles(provinces):
        state = action_filter("k", records["base"], "upcoming", now=NOW, provinces=provinces)
        return sorted(title[i] for i in shown(records, state))

    assert titles(None) == ["Акция 1", "Варна", "Разград"]
    assert titles(["KRZ", "VAR"]) == ["Акция 1", "Варна"]
    assert titles([]) == []


def test_url_round_trip_of_the_actions_filters():
    f = filters.Filters(show_actions=False, action_when="volunteer_day",
                        action_causes=("youth", "reading"), action_types=("training",))
    query = filters.to_query(f)
    assert query == {"a_show": "0", "a_when": "volunteer_day", "a_cause": "youth,reading",
                     "a_type": "training"}
    assert filters.from_query(query) == f
    assert filters.to_query(filters.Filters()) == {}
    odd = filters.from_query({"a_when": "forever", "a_cause": "youth,<script>",
                              "a_type": "party", "a_show": "1"})
    assert odd.action_when == "upcoming" and odd.action_causes == ("youth",)
    assert odd.action_types == () and odd.show_actions is True


def test_the_legend_names_the_action_marks_only_where_the_map_has_some():
    from layers.basemap import legend_html

    with_actions, without = legend_html("bg", actions=True), legend_html("bg")
    assert "гражданска инициатива" in with_actions and "rotate(45deg)" in with_actions
    assert "гражданска инициатива" not in without and "rotate(45deg)" not in without
    assert "civic action" in legend_html("en", actions=True)
