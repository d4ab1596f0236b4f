"""Civic actions: the record's checks, times and rules, and the moderated pipeline.

Unit tests on hand-made records; on the real build (integration): propose, publish,
change, cancel, join and its limits.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import delete

from civic import action as act
from civic.errors import ActionError, CivicError

GOOD = {"id": "action-test", "title": "Ден на доброволеца", "cause": "environment",
        "type": "volunteer_action", "start": "2026-12-05 10:00", "end": "2026-12-05 13:00",
        "host_id": "ngo-x", "source": "proposal", "ekatte": "40909"}


def make(**changes) -> act.Action:
    return act.Action(**{**GOOD, **changes})


def test_a_good_action_is_kept_in_local_time():
    a = make(rrule="FREQ=MONTHLY;BYDAY=1SA;COUNT=6")
    assert a.start == "2026-12-05T10:00" and a.last_end == "2027-05-01T13:00"
    starts = [s for s, _e in act.occurrences(a)]
    assert len(starts) == 6 and all(s.weekday() == 5 and s.day <= 7 for s in starts)


@pytest.mark.parametrize("changes, message", [
    ({"end": "2026-12-05 09:00"}, "ends before it starts"),
    ({"rrule": "FREQ=WEEKLY"}, "needs an end"),
    ({"rrule": "FREQ=DAILY;COUNT=501"}, "more than 500"),
    ({"rrule": "FREQ=NEVER;COUNT=2"}, "not valid"),
    ({"cause": "wrestling"}, "unknown cause"),
    ({"type": "party"}, "unknown type"),
    ({"ekatte": None}, "online"),
    ({"lon": 13.4, "lat": 52.5}, "outside Bulgaria"),
    ({"lon": 25.0}, "both longitude and latitude"),
    ({"title": "x" * 201}, "limit is 200"),
    ({"title": "  "}, "needs a title"),
    ({"volunteers_needed": 0}, "whole number"),
    ({"start": "5 декември"}, "not a date"),
])
def test_bad_actions_are_refused_with_a_reason(changes, message):
    with pytest.raises(ActionError, match=message):
        make(**changes)


def test_an_online_action_needs_no_settlement():
    assert make(ekatte=None, online=True).online


def test_more_than_two_years_ahead_is_refused():
    far = (act.now_local() + timedelta(days=800)).strftime(act.TIME_FORMAT)
    later = (act.now_local() + timedelta(days=800, hours=2)).strftime(act.TIME_FORMAT)
    with pytest.raises(ActionError, match="2 years"):
        act.check_ahead(make(start=far, end=later))
    act.check_ahead(make(start="2026-12-05 10:00"), today=datetime(2026, 12, 3).date())


def test_markup_is_kept_as_text_in_the_record():
    assert make(title="<script>alert(1)</script>").title == "<script>alert(1)</script>"


def test_simple_rules_from_the_form():
    saturday = datetime(2026, 12, 5, 10)
    assert act.simple_rule("monthly_weekday", saturday, 6) == "FREQ=MONTHLY;BYDAY=1SA;COUNT=6"
    assert act.simple_rule("weekly", saturday, 3) == "FREQ=WEEKLY;COUNT=3"
    assert act.simple_rule("none", saturday, 3) is None


def test_windows_and_volunteer_day():
    now = datetime(2026, 12, 3, 9, 0)  # a Thursday
    assert act.window("week", now) == (now, datetime(2026, 12, 7))
    assert act.window("month", now) == (now, datetime(2027, 1, 1))
    assert act.window("volunteer_day", now) == (datetime(2026, 12, 5), datetime(2026, 12, 6))
    assert act.window("volunteer_day", datetime(2026, 12, 6, 1))[0] == datetime(2027, 12, 5)


def test_agenda_lists_published_occurrences_soonest_first():
    rows = pd.DataFrame([
        make(id="a", title="B", rrule="FREQ=WEEKLY;COUNT=3").row(),
        make(id="b", title="A", start="2026-12-06 10:00", end="2026-12-06 11:00").row(),
        make(id="c", title="C", status="cancelled").row(),
    ])
    after, before = datetime(2026, 12, 1), datetime(2027, 1, 1)
    agenda = act.agenda(rows, after, before)
    assert list(agenda["id"]) == ["a", "b"]  # cancelled left out, one row per action
    every = act.agenda(rows, after, before, every=True)
    assert list(every["id"]) == ["a", "b", "a", "a"]
    assert act.agenda(rows.iloc[0:0], after, before).empty


def test_past_and_full():
    row = make(volunteers_needed=2, joined=2).row()
    assert act.is_full(row) and not act.is_full(make().row())
    assert act.effective_status(row, datetime(2027, 1, 1)) == "past"
    assert act.effective_status(row, datetime(2026, 12, 1)) == "published"


# -- the pipeline on the real build ------------------------------------------------------------

@pytest.fixture
def clean_actions(built):
    import store
    from store.schema import actions, proposals, rate_events

    def wipe():
        with store.writing() as conn:
            conn.execute(delete(actions))
            conn.execute(delete(proposals).where(proposals.c.action.like("action_%")))
            conn.execute(delete(rate_events))

    wipe()
    yield
    wipe()


def _host(kind: str = "library") -> str:
    import store

    orgs = store.load_organisations()
    chosen = orgs[(orgs["kind"] == kind) & (orgs["province_code"] == "KRZ")
                  & ~orgs["presumed"].astype(bool)]
    return str(chosen["id"].iloc[0])


def _values(**changes) -> dict:
    start = (act.now_local() + timedelta(days=10)).replace(hour=10, minute=0)
    return {"title": "Изложба на НПО в библиотеката", "cause": "civic_participation",
            "type": "exhibition", "start": start.strftime(act.TIME_FORMAT),
            "end": (start + timedelta(hours=6)).strftime(act.TIME_FORMAT),
            "ekatte": "40909", "host_id": _host(), "volunteers_needed": 2, **changes}


def test_propose_publish_change_cancel(clean_actions):
    from intake import actions, moderation
    from store import actions as stored
    from store import audit

    number = actions.propose(_values())
    assert stored.load_actions().empty  # waiting: nothing published
    action_id = moderation.approve(number, "librarian")
    row = stored.action(action_id)
    assert row["status"] == "published" and row["settlement"] == "Кърджали"
    assert row["municipality_code"] == "KRZ16" and row["lon"] is not None

    change = actions.propose_change(action_id, {"address": "ул. Републиканска 1"})
    moderation.approve(change, "librarian")
    assert stored.action(action_id)["address"] == "ул. Републиканска 1"

    cancel = actions.propose_cancel(action_id, "Лошо време")
    moderation.approve(cancel, "librarian")
    assert stored.action(action_id)["status"] == "cancelled"
    logged = set(audit.entries(20)["action"])
    assert {"approve_action_new", "approve_action_change", "propose_action_cancel"} <= logged


def test_bad_proposals_change_nothing(clean_actions):
    from intake import actions
    from store import changes

    before = len(changes.pending_proposals())
    for bad in ({"host_id": "ngo-nobody"}, {"ekatte": "99999"}, {"end": "2020-01-01T10:00"},
                {"contact_email": "not an address"}, {"url": "javascript:alert(1)"},
                {"rrule": "FREQ=DAILY"}):
        with pytest.raises(CivicError):
            actions.propose(_values(**bad))
    assert len(changes.pending_proposals()) == before


def test_a_rejected_action_is_not_published(clean_actions):
    from intake import actions, moderation
    from store import actions as stored

    number = actions.propose(_values())
    moderation.reject(number, "librarian", "duplicate")
    assert stored.load_actions().empty


def test_join_counts_once_per_address_and_stops_when_full(clean_actions):
    from intake import actions, moderation
    from store import actions as stored

    action_id = moderation.approve(actions.propose(_values()), "librarian")
    assert actions.join(action_id, "10.0.0.1") == (1, 0.0)
    assert actions.join(action_id, "10.0.0.1") == (1, 0.0)  # the same address: counted once
    assert actions.join(action_id, "10.0.0.2") == (2, 0.0)
    assert actions.join(action_id, "10.0.0.3") == (None, 0.0)  # full
    assert stored.action(action_id)["joined"] == 2


def test_join_hammered_from_one_address_is_refused(clean_actions):
    from intake import actions
    from store import actions as stored

    records = [actions.build(actions.clean(_values(title=f"Акция {n}", volunteers_needed=None)),
                             None, "published", "import") for n in range(12)]
    stored.write_import(records, "test")
    clock = iter(range(1_000, 2_000))
    answers = [actions.join(r.id, "one-address", lambda: next(clock)) for r in records]
    assert [a[0] for a in answers[:10]] == [1] * 10
    assert answers[10][0] is None and answers[10][1] > 0  # refused, with the wait
    assert stored.action(records[10].id)["joined"] == 0  # nothing counted
