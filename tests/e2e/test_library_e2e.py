"""A library's hub view in Chromium, from a store with no profiles.

A librarian proposes what the regional library in Kardzhali offers on its own page; nothing
shows until a moderator approves it on the Data page; then the page and the library's popup
on the map show it in Bulgarian, English and Turkish, with "open now" from the hours. An NGO
names the library as its hub: after approval the library lists it and its popup says where
it is presented. Bad input (hours not in the OSM form, 0 seats) is refused in the page's
language and stores nothing.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

import store
from tests.e2e.harness import map_frame, open_page, private_store, serve_app, shot, wait_idle
from tests.e2e.test_actions_e2e import WORDS as ACTION_WORDS
from tests.e2e.test_actions_e2e import _publish
from tests.e2e.test_data_e2e import MODERATORS

pytestmark = pytest.mark.own_store  # its own SQLite store: runs once, in the SQLite pass

HOURS = "Mo-Su 00:00-24:00"  # open whenever the test runs
WORDS = {
    "bg": {"offers": "Какво предлага", "seats": "Зала за срещи (места)",
           "hours": "Работно време", "internet": "Интернет за посетителите",
           "send": "Изпрати предложение", "thanks": "Благодарим! Предложение",
           "open": "Отворено сега", "yes": "да", "unknown": "неизвестно",
           "propose": "Предложете промяна в това, което предлага",
           "hub": "НПО, представяна тук? Посочете тази библиотека за свой център",
           "ngo": "НПО", "presented": "Представяна в", "serves": "Кого обслужва",
           "bad_hours": "не е във формата opening_hours", "bad_seats": "местата в залата"},
    "en": {"offers": "What it offers", "seats": "Meeting room (seats)",
           "open": "Open now", "yes": "yes", "unknown": "unknown", "serves": "Whom it serves",
           "presented": "Presented at"},
    "tr": {"offers": "Sundukları", "seats": "Toplantı salonu (kişi)", "open": "Şu an açık",
           "yes": "evet", "unknown": "bilinmiyor", "serves": "Kime hizmet veriyor",
           "presented": "Tanıtıldığı yer"},
}

@pytest.fixture(scope="module")
def library_app(tmp_path_factory):
    env = private_store(tmp_path_factory.mktemp("library"))
    with serve_app({**env, "CIVICMAP_MODERATORS": MODERATORS,
                    "CIVICMAP_TILES_URL": "none"}) as url:
        yield url


@pytest.fixture(scope="module")
def regional(built):
    """The regional library in Kardzhali, and an NGO in Kardzhali province."""
    orgs = store.load_organisations()
    libs = orgs[(orgs["kind"] == "library") & (orgs["province_code"] == "KRZ")
                & (orgs["subtype"] == "regional")]
    ngos = orgs[(orgs["kind"] == "ngo") & (orgs["province_code"] == "KRZ")
                & (orgs["status"] == "active")].sort_values("name")
    return libs.iloc[0].to_dict(), ngos.iloc[0].to_dict()


def _field(page, label: str):
    return page.get_by_label(label, exact=True).locator("visible=true").first


def _approve(page, url: str, number: int) -> None:
    """The moderator approves proposal `number` on the Data page (as the actions test does)."""
    _publish(page, url, "bg", ACTION_WORDS["bg"], number)


def _submit(page, button, answer) -> None:
    """Click a form's `button` and wait until `answer` (a locator) shows.

    If the app has finished running and shows no answer, the click started no run: it is
    sent once more, as a person would, and said on stdout (CI once lost such a click on a
    loaded machine; a failing test's report shows what the page showed).
    """
    button.click()
    try:
        answer.first.wait_for(timeout=20000)
        return
    except PlaywrightTimeout:
        wait_idle(page)
    if not answer.count():
        print(f"no answer 20 s after the click on {button}; clicking again")
        button.click()
    answer.first.wait_for(timeout=30000)


def _send_profile(page, w: dict, seats: str, hours: str, answer) -> None:
    page.get_by_text(w["propose"]).click()
    _field(page, w["seats"]).fill(seats)
    _field(page, w["hours"]).fill(hours)
    _submit(page, page.get_by_role("button", name=w["send"]).first, answer)


def _thanks_shown(page, w: dict):
    return page.get_by_text(re.compile(re.escape(w["thanks"]) + r" \d+"))


def _thanks(page, w: dict) -> int:
    thanks = _thanks_shown(page, w)
    thanks.wait_for(timeout=30000)
    return int(re.search(r"\d+", thanks.inner_text()).group(0))


def _popup_text(page, url: str, lang: str, name: str) -> str:
    page.goto(f"{url}/?lang={lang}&provinces=KRZ&q={name}")
    frame = map_frame(page)
    return "\n".join(frame.evaluate("""() => window.civicMap.marks().map(m => {
        m.openPopup(); return m.getPopup().getElement().innerText; })"""))


def test_profile_proposed_approved_shown(library_app, browser, regional):
    lib, ngo = regional
    w = WORDS["bg"]
    page, log = open_page(browser, f"{library_app}/library?lang=bg&id={lib['id']}")
    page.get_by_text(w["serves"]).first.wait_for(timeout=60000)
    wait_idle(page)
    assert page.locator("body").inner_text().count(": " + w["unknown"]) == 6  # none known

    # bad hours: refused, in Bulgarian
    _send_profile(page, w, "40", "every day", page.get_by_text(re.compile(w["bad_hours"])))
    _field(page, w["hours"]).fill(HOURS)
    _field(page, w["seats"]).fill("0")
    _submit(page, page.get_by_role("button", name=w["send"]).first,
            page.get_by_text(re.compile(w["bad_seats"])))
    assert not page.get_by_text(re.compile(re.escape(w["thanks"]))).count()
    _field(page, w["seats"]).fill("40")
    _submit(page, page.get_by_role("button", name=w["send"]).first, _thanks_shown(page, w))
    number = _thanks(page, w)
    shot(page, "library-proposed-bg")

    page.goto(f"{library_app}/library?lang=bg&id={lib['id']}")
    page.get_by_text(w["serves"]).first.wait_for(timeout=60000)
    assert not page.get_by_text(w["open"]).count()  # pending: not shown

    _approve(page, library_app, number)

    page.goto(f"{library_app}/library?lang=bg&id={lib['id']}")
    page.get_by_text(w["hub"]).first.wait_for(timeout=60000)
    wait_idle(page)
    page.get_by_text(w["hub"]).first.click()
    chooser = page.get_by_role("combobox", name=w["ngo"], exact=True)
    option = page.get_by_role("option", name=re.compile(re.escape(ngo["name"][:20])))
    for _attempt in range(3):  # the list opens on a click; a rerun may close it again
        chooser.click()
        chooser.fill(ngo["name"][:20])
        try:
            option.first.wait_for(timeout=10000)
            break
        except Exception:
            page.keyboard.press("Escape")
    page.keyboard.press("Enter")  # the first match, the one waited for
    wait_idle(page)
    _submit(page, page.get_by_role("button", name=w["send"]).last, _thanks_shown(page, w))
    _approve(page, library_app, _thanks(page, w))

    for lang, words in WORDS.items():
        page.goto(f"{library_app}/library?lang={lang}&id={lib['id']}")
        page.get_by_text(words["open"]).first.wait_for(timeout=60000)
        page.get_by_text(words["serves"]).first.wait_for(timeout=30000)
        page.get_by_text(ngo["name"]).first.wait_for(timeout=30000)  # it presents the NGO
        wait_idle(page)
        shot(page, f"library-page-{lang}")
        popup = _popup_text(page, library_app, lang, lib["name"])
        assert words["offers"] in popup and "40" in popup and HOURS in popup, popup
        assert f"{words['seats']}\t40" in popup or f"{words['seats']}\n40" in popup \
            or words["seats"] in popup, popup
        shot(page, f"library-popup-{lang}")
        popup = _popup_text(page, library_app, lang, ngo["name"])
        assert words["presented"] in popup and lib["name"] in popup, popup
    assert not log.dialogs and not log.errors, (log.dialogs, log.errors)
