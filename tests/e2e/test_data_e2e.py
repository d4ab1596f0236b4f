"""Submissions in Chromium: a visitor proposes an NGO, a moderator approves it.

It is not on the map until a moderator logs in and approves it; then it is, with the
submitted data.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.harness import map_frame, open_page, private_store, serve_app, shot, wait_idle

# FIXTURE: a moderator for this test only; the hash is of "e2e-librarian-pass".
MODERATORS = ("librarian=pbkdf2_sha256$600000$Zml4dHVyZS1zYWx0LTAwMA==$"
              "PeMJcAr6D1FfhT/7M9Wzb9xzdfIxlHSRO3gszW81jSU=")
NAME = "Сдружение „Проба за модериране“"


@pytest.fixture(scope="module")
def data_url(tmp_path_factory):
    env = private_store(tmp_path_factory.mktemp("moderation"))
    with serve_app({**env, "CIVICMAP_MODERATORS": MODERATORS}) as url:
        yield url


def _ngo_count(page) -> int:
    line = page.locator(".civic-counts").first
    line.wait_for(timeout=30000)
    return int(re.search(r"НПО\s*(\d+)", line.inner_text()).group(1))


def _field(page, label: str):
    return page.get_by_label(label, exact=True).locator("visible=true").first


@pytest.mark.own_store
def test_visitor_proposes_moderator_approves(data_url, browser):
    page, log = open_page(browser, data_url + "/data")
    page.get_by_text("Предложете организация").first.wait_for(timeout=30000)
    wait_idle(page)
    _field(page, "Име").fill(NAME)
    _field(page, "Населено място").fill("Момчилград")
    _field(page, "Имейл").fill("proba@example.bg")
    page.get_by_role("button", name="Изпрати предложение").click()
    page.get_by_text(re.compile("Благодарим! Предложение \\d+")).wait_for(timeout=30000)
    shot(page, "data-proposed")

    page.goto(data_url + "/?q=Проба&kinds=ngo")
    assert _ngo_count(page) == 0  # pending: not on the map

    page.goto(data_url + "/data")
    page.get_by_role("tab", name="Модериране").click()
    _field(page, "Модератор").fill("librarian")
    _field(page, "Парола").fill("wrong password")
    page.get_by_role("button", name="Вход").click()
    page.get_by_text("Грешно име или парола.").wait_for(timeout=30000)
    _field(page, "Парола").fill("e2e-librarian-pass")
    page.get_by_role("button", name="Вход").click()
    page.get_by_text("Влезли сте като librarian").wait_for(timeout=30000)
    page.get_by_role("button", name="Одобряване").click()
    page.get_by_text("Одобрено: промяната е на картата.").wait_for(timeout=30000)
    shot(page, "data-approved")

    page.goto(data_url + "/?q=Проба&kinds=ngo")
    assert _ngo_count(page) == 1
    frame = map_frame(page)
    popup = frame.evaluate("""() => { let html = null; map.eachLayer(l => {
        if (!html && l.feature && l.feature.properties.k === 'ngo') {
            l.openPopup(); html = l.getPopup().getElement().innerText; } });
        return html; }""")
    assert "Проба за модериране" in popup and "proba@example.bg" in popup
    assert not log.dialogs and not log.errors, (log.dialogs, log.errors)


def test_moderation_unavailable_without_passwords(app_url, browser):
    page, log = open_page(browser, app_url + "/data")
    page.get_by_role("tab", name="Модериране").click()
    page.get_by_text("Модерирането не е настроено").wait_for(timeout=30000)
    assert not log.errors, log.errors


def test_popup_link_opens_the_correction_form(app_url, browser):
    page, log = open_page(browser, app_url + "/data?correct=chitalishte-316")
    form_name = page.get_by_label("Име", exact=True).locator("visible=true").first
    form_name.wait_for(timeout=30000)
    assert "Кирил и Методий" in form_name.input_value()
    assert not log.errors, log.errors
