"""Map speed in Chromium, three provinces and the whole country, every layer on; prints JSON.

payload_bytes / national_payload_bytes: everything the app sends the browser over its
websocket for the default three-province view in English / for `?provinces=` all 28 in
the language where it is largest (the page, the map script and its data);
national_payload_bytes_by_lang: the national view in each language (bg, en, tr), and
national_organisations_shown the marks it shows, to check all 28 were asked for.
Streamlit's own frontend, the component and Leaflet come over plain HTTP and are cached by
browsers; they are not counted.
bytes_per_organisation: payload_bytes divided by the organisations the map shows.
first_map_ms / national_first_map_ms: navigation start to the organisation marks drawn
(the national one in the language of the largest payload).
filter_update_ms_median: a municipality filter change (the click on its checkbox in the
filter panel, another municipality's click off in the same step) to the map showing the
new count;
filter_update_bytes_median: websocket bytes received for that change.
province_update_ms_median / province_update_bytes_median: the same for a change of the
province set in the panel (one province ticked, or one ticked and another unticked in the
same step), which runs in the browser like every other filter (no rerun: the map element
holds every province).
Run after `make test` has built the data: `.venv/bin/python benchmarks/map.py`.

The actions case (`benchmarks/map.py actions` runs only it) generates 1,000 upcoming
actions of organisations in KRZ, RAZ and VRC (titles of 40-60 Cyrillic characters) and
writes them into a temporary copy of the build, never the real store:
actions_layer_bytes: how much longer the KRZ,RAZ,VRC map element's HTML is with the
actions layer than without it (the records and `actions.js`);
actions_state_ms_median: server side, the time to compute a date window's filter state
and its count; actions_window_ms_median / actions_window_bytes_median: in Chromium, a
change of the date window (the choice in the panel's list) to the map showing the new
number of action marks, and the
websocket bytes that change received.
"""

from __future__ import annotations

import json
import random
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from civic.i18n import LANGUAGES as LANGS  # noqa: E402
from tests.e2e.harness import COUNT_MARKERS, chromium, map_frame, serve_app, wait_idle  # noqa: E402

MUNICIPALITIES = ["KRZ14", "RAZ26", "VRC10", "KRZ16", "RAZ14", "VRC08"]
# Organisations the map shows: the map's own count when it has one, else drawn points.
SHOWN = f"(window.civicMap ? window.civicMap.shown() : {COUNT_MARKERS})"


class WsMeter:
    """Bytes received over the page's websockets."""

    def __init__(self, page) -> None:
        """Start counting on `page`."""
        self.total = 0
        page.on("websocket", self._on_ws)

    def _on_ws(self, ws) -> None:
        ws.on("framereceived", self._on_frame)

    def _on_frame(self, payload) -> None:
        self.total += len(payload if isinstance(payload, bytes) else payload.encode())


def _first_load(browser, url: str, provinces: str = "", lang: str = "en"
                ) -> tuple[int, float, int]:
    """(websocket bytes, ms to the first map, organisations shown) for one fresh visit.

    `provinces` (codes, comma-separated) as in the page's URL; empty: the default view.
    """
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    meter = WsMeter(page)
    started = time.perf_counter()
    query = {"lang": lang} | ({"provinces": provinces} if provinces else {})
    page.goto(url + "/?" + urllib.parse.urlencode(query, safe=","))
    frame = map_frame(page, timeout_ms=120000)
    first_ms = (time.perf_counter() - started) * 1000
    wait_idle(page)
    shown = frame.evaluate(SHOWN)
    context.close()
    return meter.total, first_ms, shown


def _wait_shown_change(page, before: int, timeout_s: float = 20) -> None:
    """Until the map shows another count than `before` (the frame may be replaced)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if map_frame(page, timeout_ms=20000).evaluate(SHOWN) != before:
                return
        except Exception:  # the frame was replaced while we asked
            pass
        page.wait_for_timeout(10)
    raise AssertionError("the map did not change")


def _filter_updates(browser, url: str) -> tuple[list[float], list[int]]:
    """Milliseconds and websocket bytes per municipality change."""
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    meter = WsMeter(page)
    page.goto(url)
    map_frame(page, timeout_ms=60000)
    wait_idle(page)
    names = _muni_names()
    page.locator(".cfp-municipalities summary").click()
    timings, sizes = [], []
    previous = None
    for code in MUNICIPALITIES:
        before = map_frame(page).evaluate(SHOWN)
        bytes_before = meter.total
        started = time.perf_counter()
        if previous:  # one municipality at a time: the previous one off, in the same change
            page.evaluate("""([a, b]) => { const boxes = [...document.querySelectorAll(
                '.cfp-municipalities label')];
                const find = n => boxes.find(l => l.innerText.trim() === n).querySelector('input');
                find(a).click(); find(b).click(); }""", [names[previous], names[code]])
        else:
            page.get_by_role("checkbox", name=names[code], exact=True).check()
        _wait_shown_change(page, before)
        timings.append((time.perf_counter() - started) * 1000)
        wait_idle(page)
        sizes.append(meter.total - bytes_before)
        previous = code
    page.close()
    return timings, sizes


PROVINCE_STEPS = [("VAR", None), ("SOF", "VAR"), ("PDV", "KRZ"), ("KRZ", "SOF"), ("BGS", None),
                  ("VAR", "BGS")]


def _province_updates(browser, url: str) -> tuple[list[float], list[int]]:
    """Milliseconds and websocket bytes per province set change in the panel."""
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    meter = WsMeter(page)
    page.goto(url)
    map_frame(page, timeout_ms=60000)
    wait_idle(page)
    names = _province_names()
    page.locator(".cfp-provinces summary").click()
    timings, sizes = [], []
    for on, off in PROVINCE_STEPS:
        before = map_frame(page).evaluate(SHOWN)
        bytes_before = meter.total
        started = time.perf_counter()
        page.evaluate("""([a, b]) => { const boxes = [...document.querySelectorAll(
            '.cfp-provinces label')];
            const find = n => boxes.find(l => l.innerText.trim() === n).querySelector('input');
            find(a).click(); if (b) { find(b).click(); } }""",
                      [names[on], names[off] if off else None])
        _wait_shown_change(page, before)
        timings.append((time.perf_counter() - started) * 1000)
        wait_idle(page)
        sizes.append(meter.total - bytes_before)
    page.close()
    return timings, sizes


def _province_names() -> dict[str, str]:
    import store

    p = store.load_provinces()
    return dict(zip(p["code"], p["name"]))


def _muni_names() -> dict[str, str]:
    import store

    m = store.load_municipalities()
    return dict(zip(m["code"], m["name"]))


def _all_provinces() -> str:
    import store

    return ",".join(sorted(store.load_provinces()["code"]))


ACTION_PROVINCES = ("KRZ", "RAZ", "VRC")
OPENINGS = ("Доброволческо почистване на", "Изложба за", "Обучение по", "Среща с жителите за",
            "Кампания в подкрепа на", "Работилница за деца:", "Благотворителен базар за",
            "Четене на глас:", "Разговор за", "Засаждане на дървета край", "Поход до",
            "Концерт в помощ на", "Беседа за", "Празник на", "Курс по", "Ремонт на",
            "Дарителска акция за", "Кръгла маса за", "Фотоизложба", "Ден на отворените врати:")
SUBJECTS = ("градския парк", "читалищната библиотека", "старите занаяти", "първа помощ",
            "местния бюджет", "хората с увреждания", "Родопските песни", "езерото",
            "училищния двор", "компютърна грамотност", "самотните възрастни хора",
            "детската площадка", "историята на селото", "рециклирането", "пътя до гората",
            "младежкия клуб", "народните танци", "пчеларството", "кварталната градинка",
            "правата на детето", "безопасността на пътя", "здравословното хранене",
            "къщата музей", "реката и бреговете ѝ", "новите книги", "дигиталните умения")
PLACES = ("в {place}", "с доброволци от {place}", "— {place}", "за жителите на {place}", "")
SKILLS = ("", "", "работа с деца", "шофьорска книжка", "английски език", "готвене",
          "фотография", "ръчна работа")
ITEMS = ("", "", "ръкавици и чували", "бои и четки", "книги за дарение", "дрехи",
         "лаптоп", "столове")


def _title(rng: random.Random, place: str) -> str:
    """A made-up title of 40-60 characters (retried until it fits)."""
    for _ in range(50):
        title = " ".join(p for p in (rng.choice(OPENINGS), rng.choice(SUBJECTS),
                                     rng.choice(PLACES).format(place=place)) if p)
        if 40 <= len(title) <= 60:
            return title
    return (title + " " * 40)[:60].strip() if len(title) < 40 else title[:60]


def generated_actions(n: int = 1000, seed: int = 21) -> list:
    """`n` upcoming published actions of real KRZ/RAZ/VRC organisations (checked records).

    Contacts are the host's public phone and e-mail; a sixth repeat weekly.
    """
    import store
    from civic.action import TIME_FORMAT, now_local
    from civic.vocabularies import ACTION_TYPES, CAUSES
    from intake.actions import build

    rng = random.Random(seed)
    orgs = store.load_organisations()
    orgs = orgs[orgs["province_code"].isin(ACTION_PROVINCES) & orgs["ekatte"].notna()
                & orgs["lon"].notna()]
    settlements = store.load_settlements()
    hosts = orgs.sample(n=min(300, len(orgs)), random_state=seed).to_dict("records")
    now = now_local()
    out = []
    for k in range(n):
        host = rng.choice(hosts)
        start = (now + timedelta(days=rng.randint(1, 330))).replace(
            hour=rng.randint(9, 18), minute=rng.choice((0, 30)))
        needed = rng.choice((None, None, 5, 10, 20, 30))
        values = {
            "title": _title(rng, str(host["settlement"])), "cause": rng.choice(CAUSES),
            "type": rng.choice(ACTION_TYPES), "start": start.strftime(TIME_FORMAT),
            "end": (start + timedelta(hours=rng.choice((1, 2, 3)))).strftime(TIME_FORMAT),
            "host_id": host["id"], "ekatte": host["ekatte"],
            "address": host["address"] if rng.random() < 0.5 else None,
            "rrule": f"FREQ=WEEKLY;COUNT={rng.randint(3, 10)}" if k % 6 == 0 else None,
            "volunteers_needed": needed,
            "joined": rng.randint(0, needed) if needed else 0,
            "skills": rng.choice(SKILLS) or None, "items": rng.choice(ITEMS) or None,
            "contact_phone": host["phone"] if isinstance(host["phone"], str) else None,
            "contact_email": host["email"] if isinstance(host["email"], str) else None,
        }
        out.append(build(values, f"action-{rng.getrandbits(48):012x}", "published", "import",
                         settlements=settlements, known=lambda _id: True))
    return out


def _map_html(selected: tuple[str, ...], actions) -> int:
    """Characters of the map element's HTML for the province set, with those actions."""
    import pandas as pd

    import store
    from layers.actions import ActionLayer, Hosts, action_records, action_words
    from layers.basemap import Tiles, base_map, settlement_points
    from layers.organisations import OrganisationLayer, map_records, map_words, record_order

    orgs = store.load_organisations()
    orgs = record_order(orgs[orgs["province_code"].isin(selected)])
    settlements = store.load_settlements()
    fmap, control = base_map(store.load_provinces(), store.load_municipalities(), settlements,
                             list(selected), "bg", Tiles())
    drawn = list(settlement_points(settlements, list(selected))["ekatte"])
    OrganisationLayer(map_records(orgs, "bg", _muni_name_table(), drawn), map_words("bg"),
                      [0, len(orgs)], control).add_to(fmap)
    if actions is not None:
        frame = pd.DataFrame([a.row() for a in actions])
        hosts = Hosts.of(store.load_organisations(), orgs)
        ActionLayer(action_records(frame, "bg", hosts, drawn), action_words("bg"),
                    control).add_to(fmap)
    return len(fmap.get_root().render())


def _muni_name_table() -> dict:
    import store

    m = store.load_municipalities()
    return {"municipality": dict(zip(m["code"], m["name"])),
            "municipality_latin": dict(zip(m["code"], m["name_latin"]))}


def _state_timings(actions) -> list[float]:
    """Milliseconds to compute a date window's filter state and count, server side."""
    import pandas as pd

    from layers.actions import action_filter, action_records, actions_state, shown

    records = action_records(pd.DataFrame([a.row() for a in actions]), "bg", {})
    out = []
    for when in ("week", "month", "volunteer_day", "upcoming") * 5:
        started = time.perf_counter()
        state = action_filter("k", records["base"], when)
        actions_state("k", records["base"], when)
        len(shown(records, state))
        out.append((time.perf_counter() - started) * 1000)
    return out


ACTIONS_SHOWN = "(window.civicActionLayer && window.civicActionLayer.ready ? " \
                "window.civicActionLayer.shown() : -1)"


def _window_changes(browser, url: str) -> tuple[list[float], list[int]]:
    """Milliseconds and websocket bytes per change of the actions' date window."""
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    meter = WsMeter(page)
    page.goto(url + "/?lang=en")
    frame = map_frame(page, timeout_ms=120000)
    wait_idle(page)
    deadline = time.monotonic() + 30
    while frame.evaluate(ACTIONS_SHOWN) < 1:
        if time.monotonic() > deadline:
            raise AssertionError("the map drew no action")
        page.wait_for_timeout(50)
    timings, sizes = [], []
    box = page.get_by_label("Dates", exact=True)
    values = {"This month": "month", "This week": "week", "12 months": "upcoming"}
    for label in ("This month", "This week", "12 months", "This month", "12 months",
                  "This week", "12 months"):
        frame = map_frame(page)
        before = frame.evaluate(ACTIONS_SHOWN)
        bytes_before = meter.total
        started = time.perf_counter()
        box.select_option(values[label])
        deadline = time.monotonic() + 20
        while frame.evaluate(ACTIONS_SHOWN) == before:
            if time.monotonic() > deadline:
                raise AssertionError(f"the action marks did not change for {label}")
            page.wait_for_timeout(5)
        timings.append((time.perf_counter() - started) * 1000)
        wait_idle(page)
        sizes.append(meter.total - bytes_before)
    page.close()
    return timings, sizes


def actions_case(browser_too: bool = True) -> dict:
    """The actions figures (module docstring); the real store is only read."""
    from civic import settings

    actions = generated_actions()
    selected = ACTION_PROVINCES
    out = {"actions": len(actions),
           "actions_layer_bytes": _map_html(selected, actions) - _map_html(selected, None),
           "actions_state_ms_median": round(statistics.median(_state_timings(actions)), 2)}
    if not browser_too:
        return out
    with tempfile.TemporaryDirectory(prefix="civicmap-bench-") as tmp:
        folder = Path(tmp)
        for item in settings.build_dir().iterdir():
            if item.is_file():
                shutil.copy2(item, folder / item.name)
        env = {"CIVICMAP_BUILD_DIR": str(folder),
               "CIVICMAP_DATABASE_URL": f"sqlite:///{folder / 'civicmap.sqlite'}"}
        _write_actions(env, actions)
        with serve_app(env) as url, chromium() as browser:
            timings, sizes = _window_changes(browser, url)
    out["actions_window_ms_median"] = round(statistics.median(timings))
    out["actions_window_bytes_median"] = round(statistics.median(sizes))
    return out


def _write_actions(env: dict[str, str], actions) -> None:
    """Write the generated actions into the store `env` names (a separate process)."""
    import os
    import pickle
    import subprocess

    code = ("import pickle,sys; from store.actions import write_import; "
            "write_import(pickle.load(sys.stdin.buffer), 'benchmark')")
    subprocess.run([sys.executable, "-c", code], input=pickle.dumps(actions), check=True,
                   cwd=Path(__file__).resolve().parent.parent, env={**os.environ, **env})


def main() -> None:
    """Run both views and the filter changes; print one JSON object."""
    if sys.argv[1:] == ["actions"]:
        print(json.dumps(actions_case()))
        return
    everywhere = _all_provinces()
    national: dict[str, tuple[int, float, int]] = {}
    with serve_app() as url, chromium() as browser:
        _first_load(browser, url)  # warm the server's caches, as after any first visitor
        ws, first_ms, shown = _first_load(browser, url)
        for lang in LANGS:
            _first_load(browser, url, everywhere, lang)
            national[lang] = _first_load(browser, url, everywhere, lang)
        updates, sizes = _filter_updates(browser, url)
        province_updates, province_sizes = _province_updates(browser, url)
    biggest = max(national, key=lambda lang: national[lang][0])
    print(json.dumps({
        "payload_bytes": ws,
        "national_payload_bytes": national[biggest][0],
        "national_payload_bytes_by_lang": {lang: v[0] for lang, v in national.items()},
        "national_organisations_shown": national[biggest][2],
        "bytes_per_organisation": round(ws / max(shown, 1)),
        "first_map_ms": round(first_ms),
        "national_first_map_ms": round(national[biggest][1]),
        "filter_update_ms_median": round(statistics.median(updates)),
        "filter_update_bytes_median": round(statistics.median(sizes)),
        "province_update_ms_median": round(statistics.median(province_updates)),
        "province_update_bytes_median": round(statistics.median(province_sizes)),
        **actions_case(),
    }))


if __name__ == "__main__":
    main()
