"""Civic actions in Chromium, in Bulgarian and in English, from an empty store of actions.

A visitor proposes an action on the Actions page; it is nowhere until a moderator
publishes it on the Data page; then it is on the Actions page (list and its own page, where
"I'll join" counts one more and gives an .ics file), in Nearby, on the Map's actions layer,
in the province's iCalendar feed (parsed back with `icalendar`) and in the Compass.
"""

from __future__ import annotations

import re
import urllib.request
from datetime import timedelta

import pytest

from tests.e2e.harness import map_frame, open_page, private_store, serve_app, shot, wait_idle
from tests.e2e.test_data_e2e import MODERATORS

pytestmark = pytest.mark.own_store  # its own SQLite store: runs once, in the SQLite pass

WORDS = {
    "bg": {"empty": "Все още няма публикувани инициативи", "title": "Заглавие",
           "settlement": "Населено място", "host": "Организация домакин",
           "volunteers": "Нужни доброволци (0: не се търсят)", "send": "Изпрати предложение",
           "thanks": "Благодарим! Предложение", "moderation": "Модериране",
           "moderator": "Модератор", "password": "Парола", "login": "Вход",
           "approve": "Одобряване", "proposal": "Предложение", "approved": "Одобрено",
           "join": "Ще се включа",
           "joined": "Благодарим! Домакинът вече ви брои", "count": "**1** от 2",
           "ics": "Добави в моя календар (.ics)", "nearby": "предстоящи публикувани"},
    "en": {"empty": "No actions have been published yet", "title": "Title",
           "settlement": "Settlement", "host": "Host organisation",
           "volunteers": "Volunteers needed (0: none asked for)", "send": "Send proposal",
           "thanks": "Thank you! Proposal", "moderation": "Moderation",
           "moderator": "Moderator", "password": "Password", "login": "Log in",
           "approve": "Approve", "proposal": "Proposal", "approved": "Approved",
           "join": "I'll join",
           "joined": "Thank you! The host now counts you in", "count": "1 of 2",
           "ics": "Add to my calendar (.ics)", "nearby": "upcoming published actions"},
}
TITLES = {"bg": "Изложба на НПО <b>в библиотеката</b>", "en": "NGO exhibition in the library"}


@pytest.fixture(scope="module")
def actions_env(tmp_path_factory):
    return private_store(tmp_path_factory.mktemp("actions"))


@pytest.fixture(scope="module")
def actions_url(actions_env):
    with serve_app({**actions_env, "CIVICMAP_MODERATORS": MODERATORS,
                    "CIVICMAP_TILES_URL": "none"}) as url:
        yield url


def _feed_path(env: dict[str, str], name: str) -> str:
    """Where the app on the build `env` names serves a feed (a folder of its own build)."""
    from ui.feeds import feeds_url

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CIVICMAP_BUILD_DIR", env["CIVICMAP_BUILD_DIR"])
        return feeds_url(name)


def _field(page, label: str):
    return page.get_by_label(label, exact=True).locator("visible=true").first


def _propose(page, url: str, lang: str, w: dict) -> int:
    page.goto(f"{url}/actions?lang={lang}")
    page.get_by_text(w["title"], exact=True).first.wait_for(timeout=60000)
    wait_idle(page)
    _field(page, w["title"]).fill(TITLES[lang])
    _field(page, w["settlement"]).fill("Кърджали")
    host = page.get_by_role("combobox", name=w["host"], exact=True)
    host.click()
    host.fill("Вапцаров")
    page.keyboard.press("Enter")
    _field(page, w["volunteers"]).fill("2")
    page.get_by_role("button", name=w["send"]).click()
    thanks = page.get_by_text(re.compile(re.escape(w["thanks"]) + r" \d+"))
    thanks.wait_for(timeout=30000)
    return int(re.search(r"\d+", thanks.inner_text()).group(0))


def _publish(page, url: str, lang: str, w: dict, number: int) -> None:
    page.goto(f"{url}/data?lang={lang}")
    page.get_by_role("tab", name=w["moderation"]).click()
    _field(page, w["moderator"]).fill("librarian")  # a new page load: a new session
    _field(page, w["password"]).fill("e2e-librarian-pass")
    page.get_by_role("button", name=w["login"]).click()
    chooser = page.get_by_role("combobox", name=w["proposal"], exact=True)
    chooser.wait_for(timeout=30000)
    chooser.click()
    chooser.fill(f"#{number} ")
    page.keyboard.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name=w["approve"]).click()
    page.get_by_text(w["approved"]).first.wait_for(timeout=30000)


@pytest.mark.parametrize("lang", ["bg", "en"])
def test_propose_publish_find_join(actions_url, actions_env, browser, lang):
    w, title = WORDS[lang], TITLES[lang]
    page, log = open_page(browser, f"{actions_url}/actions?lang={lang}")
    if lang == "bg":  # the first run: the store starts empty of actions and says so
        page.get_by_text(w["empty"]).first.wait_for(timeout=60000)
    number = _propose(page, actions_url, lang, w)
    shot(page, f"actions-proposed-{lang}")
    page.goto(f"{actions_url}/actions?lang={lang}")
    wait_idle(page)
    assert not page.get_by_text(title).count()  # pending: not published

    _publish(page, actions_url, lang, w, number)
    page.goto(f"{actions_url}/actions?lang={lang}")
    card = page.get_by_role("link", name=title)
    card.wait_for(timeout=30000)  # the markup in the title is text, not bold
    shot(page, f"actions-list-{lang}")
    card.click()
    page.get_by_role("button", name=w["join"]).click()
    page.get_by_text(w["joined"]).wait_for(timeout=30000)
    assert page.get_by_text(re.compile(re.escape(w["count"].replace("*", "")))).count()
    wait_idle(page)  # the join's rerun redraws the button: click the settled one
    with page.expect_download(timeout=90000) as download:
        page.get_by_role("button", name=w["ics"]).click()
    ics = download.value.path().read_bytes()
    _check_calendar(ics, title)
    assert "ld+json" in page.content()
    shot(page, f"actions-joined-{lang}")

    page.goto(f"{actions_url}/nearby?lang={lang}&q=Кърджали")
    page.get_by_text(w["nearby"]).first.wait_for(timeout=60000)
    page.get_by_role("link", name=title).first.wait_for(timeout=30000)

    page.goto(f"{actions_url}/?lang={lang}&provinces=KRZ")
    frame = map_frame(page)
    frame.wait_for_function("window.civicActionLayer && window.civicActionLayer.shown() >= 1",
                            timeout=30000)
    popups = frame.evaluate("""() => window.civicActionLayer.marks().map(m => {
        m.openPopup(); return m.getPopup().getElement().innerText; })""")
    assert any(title in p for p in popups), popups
    shot(page, f"actions-map-{lang}")
    # Razgrad instead of Kardzhali in the panel: the KRZ action goes, in the browser
    wait_idle(page)
    provinces = _province_labels(lang)
    page.locator(".cfp-provinces summary").click()
    page.get_by_role("checkbox", name=provinces["RAZ"], exact=True).check()
    page.get_by_role("checkbox", name=provinces["KRZ"], exact=True).uncheck()
    frame.wait_for_function("""title => window.civicActionLayer.marks().every(m => {
        m.openPopup(); const shown = m.getPopup().getElement().innerText;
        m.closePopup(); return !shown.includes(title); })""", arg=title, timeout=30000)
    page.get_by_role("checkbox", name=provinces["KRZ"], exact=True).check()
    frame.wait_for_function("window.civicActionLayer.shown() >= 1", timeout=30000)

    feed = urllib.request.urlopen(actions_url + _feed_path(actions_env, "province-KRZ.ics"),
                                  timeout=30).read()
    _check_calendar(feed, title)
    if lang == "bg":  # the Compass once (printing a PDF takes a while)
        _check_compass(page, actions_url, title)
    assert not log.dialogs and not log.errors, (log.dialogs, log.errors)


def _province_labels(lang: str) -> dict[str, str]:
    import store
    from civic.i18n import place_names

    provinces = store.load_provinces()
    return dict(zip(provinces["code"], place_names(provinces, lang)))


def _check_compass(page, url: str, title: str) -> None:
    from io import BytesIO

    from pypdf import PdfReader

    page.goto(f"{url}/regions")
    page.get_by_role("button", name="Подготви PDF").click()
    with page.expect_download(timeout=120000) as download:
        page.get_by_role("button", name="Изтегляне PDF").click(timeout=120000)
    text = " ".join(p.extract_text() for p in PdfReader(
        BytesIO(download.value.path().read_bytes())).pages)
    text = " ".join(text.split())
    assert "Граждански инициативи" in text and title.split(" <")[0] in text


def _check_calendar(data: bytes, title: str) -> None:
    import icalendar

    cal = icalendar.Calendar.from_ical(data)
    events = [e for e in cal.walk("VEVENT") if str(e.get("SUMMARY")) == title]
    assert events, [str(e.get("SUMMARY")) for e in cal.walk("VEVENT")]
    start = events[0].decoded("DTSTART")
    assert str(start.tzinfo) == "Europe/Sofia" and start.hour == 10
    assert start.utcoffset() in (timedelta(hours=2), timedelta(hours=3))
    assert [str(t["TZID"]) for t in cal.walk("VTIMEZONE")] == ["Europe/Sofia"]
