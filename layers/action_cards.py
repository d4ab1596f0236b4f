"""Civic actions as escaped HTML: list cards, a month grid, a week, and one action's page.

Every value that came from a person (title, description, address, needs, contacts) goes
through `html.escape`; only http(s) links, `tel:` digits and plain e-mail addresses become
links (`layers.popup`). The words are passed in already translated, so this stays pure.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from html import escape

import pandas as pd
from babel.dates import format_date, format_datetime, format_time

from civic.action import is_full
from civic.i18n import language, term
from civic.numbers import fmt_km
from layers.popup import contact_links, safe_url

ACTION_URL = "/actions?action={id}"


def action_url(action_id: str, lang: str) -> str:
    """An action's own page, in the reader's language ('/actions?action=…&lang=en')."""
    url = ACTION_URL.format(id=action_id)
    return url if lang == "bg" else f"{url}&lang={lang}"

CARD_CSS = """<style>
.civic-actions{display:flex;flex-direction:column;gap:.6rem}
.civic-action{border:1px solid #ddd;border-left:5px solid #c51b7d;border-radius:6px;
padding:.5rem .75rem;background:#fff}
.civic-action h4{margin:.1rem 0 .25rem;font-size:1.05rem}
.civic-action .when{font-weight:600;color:#7a0f4d}
.civic-action .meta{color:#555;font-size:.9rem}
.civic-action .full{color:#b2182b;font-weight:600}
.civic-action .cancelled{color:#b2182b;font-weight:600}
.civic-action a{color:#1a5fb4}
.civic-cal{border-collapse:collapse;width:100%;table-layout:fixed;
font-size:.85rem}
.civic-cal th{background:#f3f3f3;padding:.2rem}
.civic-cal td{border:1px solid #ddd;vertical-align:top;height:4.5rem;padding:.15rem;
overflow:hidden;word-wrap:break-word}
.civic-cal td.other{background:#fafafa;color:#aaa}
.civic-cal td.today{outline:2px solid #c51b7d}
.civic-cal .day{font-weight:600}
.civic-cal a{display:block;color:#7a0f4d;text-decoration:none;font-size:.8rem;
line-height:1.15;margin-top:.1rem}
@media (max-width:640px){.civic-cal{font-size:.7rem}.civic-cal td{height:3.2rem}
.civic-cal a{font-size:.65rem}}
</style>"""


def _text(value) -> str:
    """A cell as text: None and NaN are empty."""
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def when_text(start: datetime, end: datetime, lang: str) -> str:
    """'5 дек 2026, 10:00–13:00' in the page's language (local time, Europe/Sofia)."""
    loc = language(lang)
    day = format_date(start, "d MMM y", locale=loc)
    if start.date() == end.date():
        return f"{day}, {format_time(start, 'HH:mm', locale=loc)}–" \
               f"{format_time(end, 'HH:mm', locale=loc)}"
    return f"{format_datetime(start, 'd MMM y, HH:mm', locale=loc)} – " \
           f"{format_datetime(end, 'd MMM y, HH:mm', locale=loc)}"


def place_text(row: dict, words: dict) -> str:
    """Where: 'online', or the address and the settlement's display name."""
    if row.get("online"):
        return words["online"]
    parts = [_text(row.get("address")), _text(row.get("place_label") or row.get("settlement"))]
    return ", ".join(p for p in parts if p)


def needs_text(row: dict, words: dict, lang: str) -> str:
    """What the host asks for: volunteers (how many, how many said they come), skills, items."""
    parts = []
    needed = row.get("volunteers_needed")
    if needed is not None and needed == needed:
        parts.append(words["volunteers"].format(n=int(needed), joined=int(row.get("joined") or 0)))
    if _text(row.get("skills")):
        parts.append(f"{words['skills']}: {_text(row['skills'])}")
    if _text(row.get("items")):
        parts.append(f"{words['items']}: {_text(row['items'])}")
    return " · ".join(parts)


def _contacts(row: dict) -> str:
    links = contact_links(_text(row.get("contact_phone")), _text(row.get("contact_email")),
                          _text(row.get("url")))
    return " · ".join(f'<a href="{escape(h, quote=True)}">{escape(t)}</a>' for h, t in links)


def card(row: dict, words: dict, lang: str, hosts: dict[str, str]) -> str:
    """One action as an escaped card: when, title (its own page), what, where, host, needs."""
    url = action_url(row["id"], lang)
    when = when_text(row["when_start"], row["when_end"], lang)
    what = f"{term(row['type'], lang)} · {term(row['cause'], lang)}"
    host = hosts.get(row["host_id"], "")
    lines = [f'<div class="when">{escape(when)}</div>',
             f'<h4><a href="{escape(url, quote=True)}" target="_self">'
             f'{escape(_text(row["title"]))}</a></h4>',
             f'<div class="meta">{escape(what)}</div>',
             f'<div class="meta">{escape(words["where"])}: {escape(place_text(row, words))}'
             + (f' · {escape(words["distance"].format(km=fmt_km(row["distance_km"], lang)))}'
                if "distance_km" in row and row["distance_km"] == row["distance_km"] else "")
             + "</div>"]
    if host:
        lines.append(f'<div class="meta">{escape(words["host"])}: {escape(host)}</div>')
    needs = needs_text(row, words, lang)
    if needs:
        lines.append(f'<div class="meta">{escape(words["needs"])}: {escape(needs)}</div>')
    if is_full(row):
        lines.append(f'<div class="full">{escape(words["full"])}</div>')
    contacts = _contacts(row)
    if contacts:
        lines.append(f'<div class="meta">{contacts}</div>')
    return f'<div class="civic-action">{"".join(lines)}</div>'


def cards(agenda: pd.DataFrame, words: dict, lang: str, hosts: dict[str, str]) -> str:
    """The agenda (one row per action or occurrence) as a list of cards."""
    body = "".join(card(r, words, lang, hosts) for r in agenda.to_dict("records"))
    return f'{CARD_CSS}<div class="civic-actions">{body}</div>'


def _weekdays(lang: str) -> list[str]:
    monday = date(2024, 1, 1)  # a Monday
    return [format_date(monday + timedelta(days=i), "EEE", locale=language(lang))
            for i in range(7)]


def month_grid(agenda: pd.DataFrame, year: int, month: int, lang: str,
               today: date | None = None) -> str:
    """A month as a Monday-first table; each day lists its occurrences as links (escaped)."""
    by_day: dict[date, list[str]] = {}
    for r in agenda.to_dict("records"):
        start = r["when_start"]
        label = f"{start:%H:%M} {_text(r['title'])}"
        by_day.setdefault(start.date(), []).append(
            f'<a href="{escape(action_url(r["id"], lang), quote=True)}" target="_self" '
            f'title="{escape(_text(r["title"]), quote=True)}">{escape(label)}</a>')
    head = "".join(f"<th>{escape(d)}</th>" for d in _weekdays(lang))
    rows = []
    for week in calendar.Calendar(0).monthdatescalendar(year, month):
        cells = []
        for day in week:
            cls = "other" if day.month != month else ("today" if day == today else "")
            cells.append(f'<td class="{cls}"><span class="day">{day.day}</span>'
                         f'{"".join(by_day.get(day, []))}</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    title = format_date(date(year, month, 1), "LLLL y", locale=language(lang))
    return (f'{CARD_CSS}<table class="civic-cal"><caption>{escape(title)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def week_list(agenda: pd.DataFrame, monday: date, words: dict, lang: str,
              hosts: dict[str, str]) -> str:
    """Seven days from `monday`, each with its occurrences as cards (or 'nothing')."""
    parts = [CARD_CSS]
    for i in range(7):
        day = monday + timedelta(days=i)
        todays = agenda[[d.date() == day for d in agenda["when_start"]]] if len(agenda) else agenda
        parts.append(f"<h4>{escape(format_date(day, 'EEEE, d MMMM', locale=language(lang)))}</h4>")
        if len(todays):
            parts.append(cards(todays, words, lang, hosts).removeprefix(CARD_CSS))
        else:
            parts.append(f'<div class="meta">{escape(words["nothing"])}</div>')
    return "".join(parts)


def detail(row: dict, words: dict, lang: str, hosts: dict[str, str], status: str) -> str:
    """One action's own page body: everything the card says, plus description and partners."""
    lines = [card(row, words, lang, hosts).removesuffix("</div>")]
    if status == "cancelled":
        reason = _text(row.get("cancel_reason"))
        lines.append(f'<div class="cancelled">{escape(words["cancelled"])}'
                     + (f": {escape(reason)}" if reason else "") + "</div>")
    elif status == "past":
        lines.append(f'<div class="cancelled">{escape(words["past"])}</div>')
    if _text(row.get("rrule")):
        lines.append(f'<div class="meta">{escape(words["recurring"])}</div>')
    if _text(row.get("description")):
        lines.append(f'<p style="white-space:pre-wrap">{escape(_text(row["description"]))}</p>')
    partners = [hosts.get(p, "") for p in _text(row.get("partner_ids")).split(";") if p]
    partners = [p for p in partners if p]
    if partners:
        lines.append(f'<div class="meta">{escape(words["partners"])}: '
                     f'{escape(", ".join(partners))}</div>')
    link = safe_url(_text(row.get("url")))
    if link:
        lines.append(f'<div class="meta"><a href="{escape(link, quote=True)}" rel="nofollow">'
                     f'{escape(words["more"])}</a></div>')
    return f'{CARD_CSS}<div class="civic-actions">{"".join(lines)}</div></div>'


def card_words(lang: str) -> dict:
    """The words the cards, the calendar and an action's page say, in `lang`."""
    from civic.i18n import translator

    _ = translator(lang)
    return {"where": _("Where"), "host": _("Host"), "needs": _("Needed"),
            "online": _("Online"), "skills": _("skills"), "items": _("items"),
            "volunteers": _("{n} volunteers ({joined} said they will come)"),
            "full": _("Full: the number of volunteers asked for has been reached."),
            "distance": _("{km} away"), "nothing": _("Nothing published for this day."),
            "cancelled": _("Cancelled"), "past": _("This action has taken place."),
            "recurring": _("Recurring: the date shown is the next one."),
            "partners": _("Partners"), "more": _("More about this action")}
