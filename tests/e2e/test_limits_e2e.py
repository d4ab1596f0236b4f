"""Server-side limits in Chromium: the login throttle and the proposal limit hold.

Each attempt runs in a new browser session (a reload), then after a server restart.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.harness import open_page, private_store, serve_app, shot, wait_idle
from tests.e2e.test_data_e2e import MODERATORS

pytestmark = pytest.mark.own_store  # its own SQLite store: runs once, in the SQLite pass

TOO_MANY_LOGINS = re.compile("Твърде много опити")
TOO_MANY_PROPOSALS = re.compile("Твърде много предложения от този адрес")


@pytest.fixture(scope="module")
def limits_env(tmp_path_factory):
    env = private_store(tmp_path_factory.mktemp("limits"))
    return {**env, "CIVICMAP_MODERATORS": MODERATORS}


def _field(page, label: str):
    return page.get_by_label(label, exact=True).locator("visible=true").first


def _attempt(browser, url: str, n: int, proposed: re.Pattern, logged: re.Pattern) -> None:
    """One proposal, then one login with a wrong password, in a fresh browser context.

    A new context is a new session: what refuses the sixth attempt is the server's count.
    """
    page, log = open_page(browser, url + "/data")
    page.get_by_text("Предложете организация").first.wait_for(timeout=30000)
    wait_idle(page)
    _field(page, "Име").fill(f"Сдружение „Лимит {n}“")
    _field(page, "Населено място").fill("Момчилград")
    page.get_by_role("button", name="Изпрати предложение").click()
    page.get_by_text(proposed).wait_for(timeout=30000)
    if proposed is TOO_MANY_PROPOSALS:
        shot(page, "limits-proposal-refused")
    page.get_by_role("tab", name="Модериране").click()
    _field(page, "Модератор").fill("librarian")
    _field(page, "Парола").fill("a wrong guess")
    page.get_by_role("button", name="Вход").click()
    page.get_by_text(logged).wait_for(timeout=30000)
    assert not log.errors, log.errors
    page.context.close()


def test_limits_survive_reloads_and_a_restart(limits_env, browser):
    """Five proposals and five wrong logins pass; the sixth of each is refused, then too.

    Each pair in a new session, all from one address; "then": after a server restart.
    """
    with serve_app(limits_env) as url:
        for n in range(5):
            _attempt(browser, url, n, re.compile(r"Благодарим! Предложение \d+"),
                     re.compile("Грешно име или парола"))
        _attempt(browser, url, 5, TOO_MANY_PROPOSALS, TOO_MANY_LOGINS)
    with serve_app(limits_env) as url:  # a restart: the limits are in the store
        _attempt(browser, url, 6, TOO_MANY_PROPOSALS, TOO_MANY_LOGINS)
