"""Proposals, moderation and the audit log (on the suite's store: SQLite or PostGIS)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import delete

import store
from intake import moderation
from intake.moderation import ProposalError, RateLimit
from store import audit


@pytest.fixture()
def clean(built):
    def wipe():
        with store.engine().begin() as conn:
            conn.execute(delete(store.proposals))
            conn.execute(delete(store.organisations).where(
                store.organisations.c.source == moderation.SUBMISSION_SOURCE))
    wipe()
    yield
    wipe()


NEW = {"name": "Сдружение „Ново начало“", "kind": "ngo", "legal_form": "association",
       "fields": ["youth", "volunteering"], "ekatte": "40909", "email": "novo@example.bg"}


def test_new_proposal_waits_then_appears_when_approved(clean):
    number = moderation.submit("new", NEW)
    assert moderation.pending()["id"].tolist() == [number]
    orgs = store.load_organisations()
    assert "Сдружение „Ново начало“" not in set(orgs["name"])
    org_id = moderation.approve(number, "librarian")
    row = store.load_organisations().set_index("id").loc[org_id]
    assert (row["name"], row["settlement"], row["fields"]) == (
        "Сдружение „Ново начало“", "Кърджали", "youth;volunteering")
    assert row["source"] == "submission" and row["status"] == "active"
    assert moderation.pending().empty
    entry = audit.entries(5)
    assert entry.iloc[0]["who"] == "librarian" and entry.iloc[0]["action"] == "approve_new"


def test_correction_changes_only_named_fields_and_audit_keeps_old_values(clean):
    orgs = store.load_organisations()
    target = orgs[(orgs["kind"] == "chitalishte") & orgs["email"].notna()].iloc[0]
    number = moderation.submit("correction", {"website": "https://nchitalishte.example.bg"},
                               target_id=target["id"])
    moderation.approve(number, "librarian")
    after = store.load_organisations().set_index("id").loc[target["id"]]
    assert after["website"] == "https://nchitalishte.example.bg"
    for col in ("name", "email", "phone", "address", "lon", "lat", "ekatte", "fields"):
        same = after[col] == target[col]
        both_missing = after[col] != after[col] and target[col] != target[col]  # NaN
        assert same or both_missing, col
    entry = audit.entries(1).iloc[0]
    assert entry["action"] == "approve_correction" and entry["target_id"] == target["id"]
    before = json.loads(entry["before"])
    assert "website" in before and before["website"] == (
        None if target["website"] != target["website"] else target["website"])
    assert json.loads(entry["after"])["website"] == "https://nchitalishte.example.bg"


def test_rejected_never_reaches_the_organisations(clean):
    number = moderation.submit("new", {**NEW, "name": "Сдружение „Отхвърлено“"})
    with pytest.raises(ProposalError, match="reason"):
        moderation.reject(number, "librarian", "  ")
    moderation.reject(number, "librarian", "duplicate of an existing entry")
    assert "Сдружение „Отхвърлено“" not in set(store.load_organisations()["name"])
    with pytest.raises(ProposalError, match="already rejected"):
        moderation.approve(number, "librarian")


def test_moderator_can_edit_before_approving(clean):
    number = moderation.submit("new", NEW)
    org_id = moderation.approve(number, "librarian",
                                edits={"name": "Сдружение „Ново начало“ – Кърджали"})
    assert store.load_organisations().set_index("id").loc[org_id, "name"].endswith("Кърджали")


def test_script_tags_and_formulas_are_stored_as_text(clean):
    hostile = {**NEW, "name": "<script>alert(1)</script>", "address": "=HYPERLINK(\"x\")"}
    org_id = moderation.approve(moderation.submit("new", hostile), "librarian")
    row = store.load_organisations().set_index("id").loc[org_id]
    assert row["name"] == "<script>alert(1)</script>" and row["address"] == "=HYPERLINK(\"x\")"


@pytest.mark.parametrize(("values", "message"), [
    ({**NEW, "email": "not-an-email"}, "e-mail"),
    ({**NEW, "website": "javascript:alert(1)"}, "http"),
    ({**NEW, "fields": ["pizza"]}, "unknown field"),
    ({k: v for k, v in NEW.items() if k != "ekatte"}, "missing: ekatte"),
    ({**NEW, "lon": 2.35, "lat": 48.85}, "outside Bulgaria"),
])
def test_bad_proposals_get_a_clear_message(clean, values, message):
    with pytest.raises(ProposalError, match=message):
        moderation.submit("new", values)
    assert moderation.pending().empty


def test_passwords():
    encoded = moderation.hash_password("correct horse")
    mods = {"librarian": encoded}
    assert moderation.check_login(mods, "librarian", "correct horse")
    assert not moderation.check_login(mods, "librarian", "wrong")
    assert not moderation.check_login(mods, "nobody", "correct horse")
    assert not moderation.check_login({}, "librarian", "correct horse")  # none configured


def test_no_moderators_without_configuration(monkeypatch):
    monkeypatch.delenv("CIVICMAP_MODERATORS", raising=False)
    assert moderation.moderators_from_env() == {}
    monkeypatch.setenv("CIVICMAP_MODERATORS", "ana=pbkdf2_sha256$1$AA==$AA==;broken")
    assert list(moderation.moderators_from_env()) == ["ana"]


def test_rate_limit_window():
    limit = RateLimit(3, 60)
    assert [limit.allow(now=t) for t in (0, 1, 2, 3)] == [True, True, True, False]
    assert limit.wait_seconds(now=3) == 58
    assert limit.allow(now=61)
