"""Civic actions on the map: the upcoming published ones, drawn and filtered in the browser.

Like the organisations (`layers.organisations`), the records belong to the map element,
which depends only on the province set, the language, the stored actions and the day, so
a filter change never resends it. The actions' filter (date window, causes, types, on/off)
travels as a few dozen bytes in a hidden element's data attribute (`actions_state`) that
`actions.js` watches in the app's page and applies in place.

Records cover the occurrences of the next 366 days of published actions that take place
somewhere (online ones are listed on the Actions page only). Each occurrence is a day
index from the record set's base day. Free text (title, host, needs, contacts) is set in
the browser with `textContent`; only http(s) URLs, `tel:` digits and plain e-mail
addresses become links. The columns are JSON, deflated and base64-encoded: a thousand
actions with their titles cost about 30 KB, where plain JSON would cost three times that.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import folium
import pandas as pd
import rjsmin
from branca.element import MacroElement
from jinja2 import Template

from civic.action import WINDOWS, now_local, occurrences, window
from civic.i18n import place_name, term, translator
from civic.text import to_latin
from civic.vocabularies import ACTION_TYPES, CAUSES
from layers.basemap import province_letters
from layers.organisations import COORD_SCALE, dataset_key, deltas, safe_json, steps
from layers.popup import clean_emails, clean_phones, safe_url
from layers.style import ACTION_COLOUR
from layers.transport import ascii_texts, deflated, inflated

HORIZON_DAYS = 366
ACTION_LINK = "/actions?action={id}"
LOCALES = {"bg": "bg-BG", "en": "en-GB", "tr": "tr-TR"}
SCRIPT = Path(__file__).with_name("actions.js")


def action_words(lang: str) -> dict:
    """Everything the actions layer says that is not an action's own data, in `lang`."""
    _ = translator(lang)
    return {
        "title": _("Actions"),
        "when": _("When"), "where": _("Where"), "host": _("Host"),
        "what": _("What"), "needs": _("What is needed"),
        "volunteers": _("{joined} of {n} volunteers have joined"),
        "skills": _("Skills"), "items": _("Items"), "contacts": _("Contacts"),
        "more": _("and {n} more dates"),
        "full": _("Full: as many volunteers as asked for have joined."),
        "join": _("How to join: the action's page (“I'll join” gives a calendar file)"),
        "website": _("Website"),
        "cause": [term(c, lang) for c in CAUSES],
        "type": [term(t, lang) for t in ACTION_TYPES],
        "locale": LOCALES.get(lang, "bg-BG"),
    }


def _text(value) -> str:
    """A cell as text: '' for None and NaN."""
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def _row(record: dict) -> dict:
    """A DataFrame row with NaN as None (the recurrence rule is then None, not NaN)."""
    return {k: (None if isinstance(v, float) and v != v else v) for k, v in record.items()}


def upcoming(actions: pd.DataFrame, now: datetime | None = None) -> list[tuple[dict, list]]:
    """(row, [(start, end), ...]) of published, not online actions with a point.

    Only the occurrences that have not ended by `now` and start within 366 days.
    """
    now = now or now_local()
    before = datetime(now.year, now.month, now.day) + timedelta(days=HORIZON_DAYS + 1)
    out = []
    for record in actions.to_dict("records"):
        row = _row(record)
        if (row.get("status") != "published" or row.get("online")
                or row.get("lon") is None or row.get("lat") is None):
            continue
        found = occurrences(row, now, before)
        if found:
            out.append((row, found))
    return out


def _table(values: Iterable[str]) -> tuple[list[str], list[int]]:
    """Distinct values in first-seen order and each value's index."""
    index: dict[str, int] = {}
    at = [index.setdefault(v, len(index)) for v in values]
    return list(index), at


def _days(found: list[tuple[datetime, datetime]], base: date) -> tuple[list[int], int]:
    """Start days of the occurrences from `base`, and how many days one spans (0: one day)."""
    start, end = found[0]
    span = ((end - timedelta(minutes=1)).date() - start.date()).days
    return [(s.date() - base).days for s, _e in found], max(span, 0)


def _time_text(found: list[tuple[datetime, datetime]]) -> str:
    """'10:00–13:00' (the first occurrence's local start and end)."""
    start, end = found[0]
    return f"{start:%H:%M}–{end:%H:%M}"


def _place(row: dict, lang: str, shared: dict[str, int]) -> tuple[int, str]:
    """The settlement layer's index of the action's settlement, else -1 and its own name."""
    ekatte = _text(row.get("ekatte"))
    if ekatte in shared:
        return shared[ekatte], ""
    name = _text(row.get("settlement"))
    return -1, place_name(name, to_latin(name), lang)


def small(values: list[int]) -> str | list[int]:
    """Small integers (0-42) as one character each ('0' is 0); a list when one is larger."""
    return "".join(chr(48 + v) for v in values) if all(0 <= v < 43 for v in values) else values


def _coded(values: Iterable) -> tuple[list, str | list[int]]:
    """A table of the distinct values and each value's index (`small`)."""
    table, at = _table(values)
    return table, small(at)


def _contact(row: dict) -> tuple[str, str]:
    """Cleaned phones and e-mails, each ';'-joined (as the organisation layer holds them)."""
    return (";".join(clean_phones(_text(row.get("contact_phone")))),
            ";".join(clean_emails(_text(row.get("contact_email")))))


def _hosts(chosen: list[tuple[dict, list]], hosts: Hosts) -> dict:
    """Who hosts each action and its contact, by reference where the map already has them.

    `h` >= 0 is the host's record in the organisation layer (`civicMap.record`), else
    -1 - k for `hosts` entry k; `ct` 0 is the host's own contact there, else 1 + k for
    `contacts` entry k ([phones, e-mails]); an address `a` 0 is the host's own there.
    """
    at = {i: n for n, i in enumerate(hosts.order)}
    own: dict[str, int] = {}
    contacts: dict[tuple[str, str], int] = {}
    h, ct = [], []
    for row, _found in chosen:
        host, contact = _text(row.get("host_id")), _contact(row)
        if host in at:
            h.append(at[host])
        else:
            h.append(-1 - own.setdefault(hosts.names.get(host, ""), len(own)))
        if host in at and contact == hosts.contacts.get(host):
            ct.append(0)
        else:
            ct.append(1 + contacts.setdefault(contact, len(contacts)))
    # an address that is the host's own (on the layer) is 0: the map takes it from there
    address = [0 if _text(r.get("address")) and _text(r.get("host_id")) in at
               and _text(r.get("address")) == hosts.addresses.get(_text(r.get("host_id")))
               else _text(r.get("address")) for r, _f in chosen]
    return {"h": h, "hosts": list(own), "ct": small(ct), "contacts": [list(c) for c in contacts],
            "a": address}


@dataclass(frozen=True)
class Hosts:
    """What the map knows of the organisations that host actions.

    `order`: organisation ids in the organisation layer's record order; `contacts`: their
    cleaned (phones, e-mails) and addresses; `names`: every organisation's name (hosts off
    the layer).
    """

    names: dict[str, str]
    order: tuple[str, ...] = ()
    contacts: dict[str, tuple[str, str]] = field(default_factory=dict)
    addresses: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, everyone: pd.DataFrame, layer: pd.DataFrame | None = None) -> Hosts:
        """From all organisations and those the organisation layer draws (its order)."""
        layer = everyone.iloc[0:0] if layer is None else layer
        return cls(dict(zip(everyone["id"], everyone["name"])), tuple(layer["id"]),
                   {i: _contact({"contact_phone": p, "contact_email": e})
                    for i, p, e in zip(layer["id"], layer["phone"], layer["email"])},
                   {i: _text(a) for i, a in zip(layer["id"], layer["address"])})


def _columns(chosen: list[tuple[dict, list]], base: date, lang: str, hosts: Hosts,
             shared: dict[str, int]) -> dict:
    """The per-action columns, in record order."""
    points = [f"{round(r['lon'] * COORD_SCALE)},{round(r['lat'] * COORD_SCALE)}"
              for r, _f in chosen]
    locations, loc_at = _table(points)
    places = [_place(r, lang, shared) for r, _f in chosen]
    own, own_at = _table(name for at, name in places if at < 0)
    own_iter = iter(own_at)
    days = [_days(f, base) for _r, f in chosen]
    needed = [int(r["volunteers_needed"]) if r.get("volunteers_needed") is not None else 0
              for r, _f in chosen]
    joined = [int(r.get("joined") or 0) for r, _f in chosen]
    columns = {
        "loc": deltas([int(v) for p in locations for v in p.split(",")]),
        "at": steps(loc_at),
        "d": [d[0] for d, _span in days],
        "r": {str(i): steps(d)[1:] for i, (d, _span) in enumerate(days) if len(d) > 1},
        "len": {str(i): span for i, (_d, span) in enumerate(days) if span},
        "c": small([CAUSES.index(r["cause"]) if r["cause"] in CAUSES else len(CAUSES) - 1
                    for r, _f in chosen]),
        "t": small([ACTION_TYPES.index(r["type"]) if r["type"] in ACTION_TYPES else 0
                    for r, _f in chosen]),
        "n": [_text(r["title"]) for r, _f in chosen],
        "s": steps([at if at >= 0 else -1 - next(own_iter) for at, _name in places]),
        "places": own,
        "v": needed, "j": joined,
        "full": "".join("1" if n and j >= n else "0" for n, j in zip(needed, joined)),
        "u": {str(i): u for i, u in enumerate(safe_url(_text(r.get("url"))) or ""
                                               for r, _f in chosen) if u},
        "id": [_text(r["id"]) for r, _f in chosen],
        # each action's province, three letters (the Map's province set, in the browser)
        "pv": province_letters(_text(r.get("province_code")) for r, _f in chosen),
    }
    columns["times"], columns["tm"] = _coded(_time_text(f) for _r, f in chosen)
    skills = [_text(r.get("skills")) for r, _f in chosen]
    needs, needs_at = _table([*skills, *(_text(r.get("items")) for r, _f in chosen)])
    columns["needs"] = needs  # skills and items share one table
    columns["sk"], columns["it"] = small(needs_at[:len(skills)]), small(needs_at[len(skills):])
    columns.update(_hosts(chosen, hosts))
    return columns


def action_records(actions: pd.DataFrame, lang: str, hosts: Hosts | dict[str, str],
                   settlement_order: list[str] | None = None,
                   now: datetime | None = None) -> dict:
    """The columnar record set `actions.js` draws (see the module docstring).

    `actions` are store rows (of the map's provinces); `hosts` what the map knows of the
    organisations (`Hosts`; a plain id -> name dict when there is no organisation layer);
    `settlement_order` is the EKATTE codes the settlement
    layer draws, in its order (a record's settlement `s` >= 0 is that layer's name, else
    one of this set's own `places`, index -1 - s; `s` is sent as steps). `d` is each
    action's first occurrence as a day from `base` (ISO date), `r` the later ones as
    steps, `len` how many days an occurrence spans (when more than one); `c`, `t`, `tm`,
    `sk`, `it` index the causes, types, `times` and `needs`; `h` and `ct` the host and
    the contact (`_hosts`); `pv` each action's province (three letters each).
    """
    now = now or now_local()
    base = now.date()
    chosen = sorted(upcoming(actions, now),
                    key=lambda p: (p[0]["lon"], p[0]["lat"], p[1][0][0], _text(p[0]["id"])))
    shared = {e: n for n, e in enumerate(settlement_order or [])}
    hosts = hosts if isinstance(hosts, Hosts) else Hosts(dict(hosts))
    return {"q": COORD_SCALE, "base": base.isoformat(), "link": ACTION_LINK,
            **_columns(chosen, base, lang, hosts, shared)}


_ID = re.compile(r"action-[0-9a-f]{12}")


def pack(records: dict) -> str:
    """The records as one ASCII string `actions.js` unpacks.

    Bytes: the deflated JSON's length (4, big-endian), the deflated JSON (text in
    `layers.transport` ASCII), then, when every id is 'action-' and 12 hex digits, the
    ids as 6 bytes each; zero-padded to whole 4-byte groups and written in base85.
    """
    ids = records.get("id", [])
    binary = all(_ID.fullmatch(i) for i in ids)
    body = {**records, "id": len(ids)} if binary else records
    return deflated(body, b"".join(bytes.fromhex(i[7:]) for i in ids) if binary else b"")


def unpack(packed: str) -> dict:
    """The inverse of `pack` (tests and benchmarks)."""
    records, tail = inflated(packed)
    if isinstance(records["id"], int):
        records["id"] = [f"action-{tail[6 * k:6 * k + 6].hex()}" for k in range(records["id"])]
    return records


def _indices(codes: Iterable[str] | None, vocabulary: tuple[str, ...]) -> list[int] | None:
    """Vocabulary indices of the chosen codes; None when none is chosen (no restriction)."""
    chosen = [vocabulary.index(c) for c in (codes or ()) if c in vocabulary]
    return chosen or None


def action_filter(key: str, base: str | date, when: str = "upcoming",
                  causes: Iterable[str] | None = None, types: Iterable[str] | None = None,
                  on: bool = True, now: datetime | None = None,
                  provinces: Iterable[str] | None = None) -> dict:
    """The actions filter as the map reads it: day indices [from, to) from `base`.

    `when` is one of `civic.action.WINDOWS`; empty `causes`/`types` mean any;
    `provinces` None: every province (`p`, the Map page's panel sends its province set).
    """
    base_day = date.fromisoformat(base) if isinstance(base, str) else base
    start, end = window(when if when in WINDOWS else "upcoming", now)
    last = end - timedelta(minutes=1)  # `end` is exclusive: midnight belongs to the day before
    return {"key": key, "from": (start.date() - base_day).days,
            "to": (last.date() - base_day).days + 1,
            "c": _indices(causes, CAUSES), "t": _indices(types, ACTION_TYPES), "on": bool(on),
            **({} if provinces is None else {"p": list(provinces)})}


def actions_state(key: str, base: str | date, when: str = "upcoming",
                  causes: Iterable[str] | None = None, types: Iterable[str] | None = None,
                  on: bool = True, now: datetime | None = None) -> str:
    """`action_filter` as the JSON of the hidden `[data-civic-actions-state]` element."""
    return safe_json(action_filter(key, base, when, causes, types, on, now))


def _ints(values: str | list[int]) -> list[int]:
    """The inverse of `small`."""
    return [ord(c) - 48 for c in values] if isinstance(values, str) else list(values)


def action_days(records: dict, i: int) -> list[int]:
    """The start days (from `base`) of action `i`'s occurrences."""
    days = [records["d"][i]]
    for step in records["r"].get(str(i), []):
        days.append(days[-1] + step)
    return days


def shown(records: dict, state: dict) -> list[int]:
    """Indices of the actions the filter `state` shows (what `actions.js` draws)."""
    if not state.get("on", True):
        return []
    causes, types = _ints(records["c"]), _ints(records["t"])
    provinces, letters = state.get("p"), records.get("pv", "")
    out = []
    for i in range(len(records["d"])):
        if ((state.get("c") is not None and causes[i] not in state["c"])
                or (state.get("t") is not None and types[i] not in state["t"])
                or (provinces is not None and letters[3 * i:3 * i + 3] not in provinces)):
            continue
        span = records["len"].get(str(i), 0)
        if any(day < state["to"] and day + span >= state["from"]
               for day in action_days(records, i)):
            out.append(i)
    return out


def _script() -> str:
    """`actions.js` minified (it is sent with every map that has actions)."""
    return rjsmin.jsmin(SCRIPT.read_text(encoding="utf-8"))


class ActionLayer(MacroElement):
    """The action marks: `actions.js` and the packed records, added to the base map."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this.script }}
        civicActions({{ this._parent.get_name() }}, {{ this.data }}, {{ this.control }});
        {% endmacro %}
    """)

    def __init__(self, records: dict, words: dict,
                 control: folium.LayerControl | None = None):
        """Embed the records (from `action_records`) and the words (from `action_words`)."""
        super().__init__()
        self._name = "ActionLayer"
        packed = pack(records)
        self.key = dataset_key({"z": packed, "words": words})
        self.base = records["base"]
        self.script = _script()
        self.data = safe_json({"key": self.key, "z": packed, "words": ascii_texts(words),
                               "colour": ACTION_COLOUR})
        self.control = control.get_name() if control is not None else "null"
