"""Proposals, moderation and the audit log (on the suite's store: SQLite or PostGIS)."""

from __future__ import annotations

import json
import os
from contextlib import contextmanager

import pytest
from sqlalchemy import delete

import store
from civic import settings
from intake import moderation, passwords
from intake.moderation import ProposalError
from store import audit
from store.schema import rate_events


@pytest.fixture()
def clean(built):
    def wipe():
        with store.engine().begin() as conn:
            conn.execute(delete(store.proposals))
            conn.execute(delete(rate_events))
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
    assert settings.moderators() == {}
    monkeypatch.setenv("CIVICMAP_MODERATORS", "ana=pbkdf2_sha256$1$AA==$AA==;broken")
    assert list(settings.moderators()) == ["ana"]


class Clock:
    """A clock the test moves by hand (no real waiting)."""

    def __init__(self, start: float = 1_000_000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now


def test_proposal_limit_is_in_the_store_and_slides(clean):
    clock = Clock()
    assert [moderation.proposal_wait("203.0.113.9", clock) for _ in range(5)] == [0.0] * 5
    clock.now += 10
    assert moderation.proposal_wait("203.0.113.9", clock) == 590  # the oldest ages out
    assert moderation.proposal_wait("198.51.100.1", clock) == 0  # another address
    store.engine().dispose()  # a new process (a restart) sees the same events
    assert moderation.proposal_wait("203.0.113.9", clock) > 0
    clock.now += 591
    assert moderation.proposal_wait("203.0.113.9", clock) == 0
    with store.engine().connect() as conn:  # addresses are never stored as such
        keys = {row.key for row in conn.execute(rate_events.select())}
    assert "203.0.113.9" not in keys and len(next(iter(keys))) == 32


def test_login_throttle_refuses_before_hashing(clean, monkeypatch):
    clock = Clock()
    mods = {"librarian": passwords.hash_password("correct horse")}
    hashed = []
    real = passwords.verify_password
    monkeypatch.setattr(passwords, "verify_password",
                        lambda p, e: hashed.append(1) or real(p, e))
    results = [passwords.login(mods, "librarian", "guess", "192.0.2.7", clock)
               for _ in range(7)]
    assert [ok for ok, _ in results] == [False] * 7
    assert [wait > 0 for _, wait in results] == [False] * 5 + [True] * 2
    assert len(hashed) == 5  # the refused attempts cost no PBKDF2
    other = [passwords.login(mods, "librarian", "guess", f"192.0.2.{i}", clock)[1]
             for i in range(10, 16)]
    assert other[-1] > 0  # the account itself is throttled (10 per 5 min) from any address
    clock.now += 301
    assert passwords.login(mods, "librarian", "correct horse", "192.0.2.7", clock) == (True, 0)


def test_a_200000_character_name_is_refused_with_the_limit(clean):
    with pytest.raises(ProposalError) as caught:
        moderation.submit("new", {**NEW, "name": "Я" * 200_000})
    assert "300" in caught.value.text("en") and "200000" in caught.value.text("en")
    assert "300" in caught.value.text("bg") and caught.value.text("bg") != \
        caught.value.text("en")
    assert moderation.pending().empty


def test_proposal_messages_are_translated(clean):
    with pytest.raises(ProposalError) as caught:
        moderation.submit("new", {**NEW, "fields": ["pizza"]})
    assert caught.value.text("en") == "unknown field(s): pizza"
    for lang in ("bg", "tr"):
        assert "pizza" in caught.value.text(lang)
        assert caught.value.text(lang) != caught.value.text("en")


def test_read_only_store_gives_a_message_without_sql(clean, tmp_path, monkeypatch):
    import shutil
    import stat

    from civic.errors import StoreError

    if store.is_postgis():
        pytest.skip("file permissions: SQLite only")
    copy = tmp_path / "ro.sqlite"
    shutil.copy(store.engine().url.database or _sqlite_path(), copy)
    copy.chmod(stat.S_IRUSR)
    monkeypatch.setenv("CIVICMAP_DATABASE_URL", f"sqlite:///{copy}")
    if os.geteuid() == 0:
        monkeypatch.setattr(store.changes, "writing", _read_only_writing)
    with pytest.raises(StoreError) as caught:
        moderation.submit("new", NEW)
    for lang in ("en", "bg"):
        text = caught.value.text(lang)
        assert "INSERT" not in text and "sqlite" not in text.lower() and str(copy) not in text
    assert "read-only" in caught.value.text("en")


def test_missing_store_is_not_created(tmp_path, monkeypatch):
    from civic.errors import NotBuiltError

    missing = tmp_path / "nothing.sqlite"
    monkeypatch.setenv("CIVICMAP_DATABASE_URL", f"sqlite:///{missing}")
    with pytest.raises(NotBuiltError):
        moderation.submit("new", NEW)
    assert not missing.exists()
    assert not store.is_built()


def _sqlite_path() -> str:
    from civic import settings

    return settings.database_url().removeprefix("sqlite:///")


@contextmanager
def _read_only_writing():
    """Root ignores file modes: open the copy read-only through SQLite itself."""
    import sqlite3

    from sqlalchemy import create_engine
    from sqlalchemy.exc import SQLAlchemyError

    from civic import settings
    from store.db import loud

    path = settings.database_url().removeprefix("sqlite:///")
    eng = create_engine("sqlite://", creator=lambda: sqlite3.connect(
        f"file:{path}?mode=ro", uri=True))
    try:
        with eng.begin() as conn:
            yield conn
    except SQLAlchemyError as exc:
        raise loud(exc) from exc
