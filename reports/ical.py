"""Civic actions as iCalendar (RFC 5545): feeds per place, cause and organisation, and one event.

Built with the `icalendar` package, never by hand: it folds lines and escapes commas,
semicolons and newlines. Every text is plain text (control characters dropped); markup a
host typed stays literal text. Times are Europe/Sofia wall-clock times with a TZID and the
calendar carries the VTIMEZONE. Only published and cancelled actions go into a calendar
(STATUS:CONFIRMED / CANCELLED); proposed ones wait for a moderator and never do.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from urllib.parse import quote, urlsplit

import pandas as pd
from icalendar import Calendar, Event, Timezone, vRecur

from civic.action import ZONE, occurrences, parse_time
from civic.i18n import DEFAULT_LANGUAGE, term, translator

PRODID = "-//civicmap//Civic actions//EN"
TIMEZONE = "Europe/Sofia"
IN_CALENDAR = ("published", "cancelled")
STATUS = {"published": "CONFIRMED", "cancelled": "CANCELLED"}
SAFE_NAME = re.compile(r"^[A-Za-z0-9_-]+$")  # what may stand in a feed's file name
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # all but tab and newline


def value(row: Mapping, key: str):
    """A row's value with NaN and pandas' missing values as None."""
    got = row.get(key)
    try:
        return None if got is None or got != got else got  # NaN is unequal to itself
    except (TypeError, ValueError):
        return got


def plain(text) -> str:
    """Text without control characters (newlines and tabs kept), '' for nothing."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    return _CONTROL.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n")).strip()


def safe_url(url) -> str | None:
    """An http(s) link with a host, else None (no javascript:, data: or bare words)."""
    text = plain(url)
    parts = urlsplit(text) if text else None
    if parts and parts.scheme.lower() in ("http", "https") and parts.netloc \
            and not any(ch.isspace() for ch in text):
        return text
    return None


def page_url(base_url: str, action_id: str) -> str:
    """The action's page in the app ('' without a base URL)."""
    if not base_url:
        return ""
    return f"{base_url.rstrip('/')}/actions?action={quote(str(action_id), safe='')}"


def aware(local: datetime) -> datetime:
    """A stored local (naive) time as an aware Europe/Sofia time."""
    return local.replace(tzinfo=ZONE)


def _utc(stamp) -> datetime | None:
    """A stored timestamp (naive: the server's local clock) in UTC, or None."""
    if stamp is None or pd.isna(stamp):
        return None
    when = pd.Timestamp(stamp).to_pydatetime()
    return when.astimezone(UTC)


def recurrence(row: Mapping) -> vRecur | None:
    """The row's RRULE for iCalendar, UNTIL in UTC as RFC 5545 asks beside a TZID start.

    The app reads UNTIL as a local time (a date alone: its midnight), so it is written as
    that local moment in UTC: the calendar and the app list the same occurrences.
    """
    text = plain(value(row, "rrule")).removeprefix("RRULE:").strip()
    if not text:
        return None
    rule = vRecur.from_ical(text)
    if "UNTIL" in rule:
        until = rule["UNTIL"][0]
        if not isinstance(until, datetime):
            until = datetime(until.year, until.month, until.day)
        rule["UNTIL"] = [aware(until.replace(tzinfo=None)).astimezone(UTC)]
    return rule


def location(row: Mapping, lang: str = DEFAULT_LANGUAGE) -> str:
    """'address, settlement', or 'Online' (translated) for an online action."""
    _ = translator(lang)
    if value(row, "online"):
        return _("Online")
    return ", ".join(p for p in (plain(value(row, "address")), plain(value(row, "settlement")))
                     if p)


def description(row: Mapping, host_name: str, base_url: str = "",
                lang: str = DEFAULT_LANGUAGE) -> str:
    """What the action is, who hosts it, what it needs, whom to ask and how to join."""
    _ = translator(lang)
    lines = [plain(value(row, "description")), ""] if value(row, "description") else []
    if row.get("status") == "cancelled":
        reason = plain(value(row, "cancel_reason"))
        lines.insert(0, _("Cancelled: {reason}").format(reason=reason) if reason
                     else _("Cancelled"))
    lines.append(_("Host: {name}").format(name=plain(host_name) or row.get("host_id", "")))
    needed = value(row, "volunteers_needed")
    if needed is not None:
        lines.append(_("Volunteers needed: {n}").format(n=int(needed)))
    for key, label in (("skills", _("Skills: {text}")), ("items", _("Items needed: {text}"))):
        if value(row, key):
            lines.append(label.format(text=plain(value(row, key))))
    contact = " · ".join(plain(value(row, k)) for k in ("contact_phone", "contact_email")
                         if value(row, k))
    if contact:
        lines.append(_("Contact: {contact}").format(contact=contact))
    link = page_url(base_url, row["id"])
    if link and row.get("status") != "cancelled":
        lines.append(_("How to join: {url}").format(url=link))
    return "\n".join(lines)


def event(row: Mapping, host_name: str, base_url: str = "", lang: str = DEFAULT_LANGUAGE
          ) -> Event:
    """One VEVENT for a published or cancelled action (its first occurrence and RRULE)."""
    _ = translator(lang)
    first = occurrences(row)[0]  # the app's first date, even when DTSTART misses the rule
    ev = Event()
    ev.add("uid", f"{row['id']}@civicmap")
    stamp = _utc(value(row, "updated_at")) or _utc(value(row, "created_at"))
    ev.add("dtstamp", stamp or datetime.now(UTC).replace(microsecond=0))
    if _utc(value(row, "updated_at")):
        ev.add("last-modified", _utc(value(row, "updated_at")))
    ev.add("dtstart", aware(first[0]))
    ev.add("dtend", aware(first[1]))
    rule = recurrence(row)
    if rule is not None:
        ev.add("rrule", rule)
    title = plain(value(row, "title"))
    cancelled = row.get("status") == "cancelled"
    ev.add("summary", _("Cancelled: {title}").format(title=title) if cancelled else title)
    ev.add("description", description(row, host_name, base_url, lang))
    ev.add("status", STATUS.get(row.get("status"), "CONFIRMED"))
    place = location(row, lang)
    if place:
        ev.add("location", place)
    if value(row, "lat") is not None and value(row, "lon") is not None:
        ev.add("geo", (float(row["lat"]), float(row["lon"])))
    link = safe_url(value(row, "url")) or page_url(base_url, row["id"])
    if link:
        ev.add("url", link)
    ev.add("categories", [c for c in (row.get("cause"), row.get("type")) if c])
    return ev


def _span(rows: list[Mapping]) -> tuple[date, date]:
    """1 January of the first action's year to 1 January after the last one ends."""
    firsts = [parse_time(r["start"]) for r in rows]
    lasts = [parse_time(value(r, "last_end") or r["end"]) for r in rows]
    return date(min(firsts).year, 1, 1), date(max(lasts).year + 1, 1, 1)


def _calendar(events: list[Event], name: str, span: tuple[date, date] | None) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", plain(name))
    cal.add("x-wr-timezone", TIMEZONE)
    if span is None:  # no event: the zone still, so the calendar is never empty (RFC 5545)
        year = datetime.now(ZONE).year
        span = date(year, 1, 1), date(year + 2, 1, 1)
    cal.add_component(Timezone.from_tzid(TIMEZONE, first_date=span[0], last_date=span[1]))
    for ev in events:
        cal.add_component(ev)
    return cal.to_ical()


def _shown(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[rows["status"].isin(IN_CALENDAR)] if len(rows) else rows


def calendar(rows: pd.DataFrame, orgs_by_id: dict[str, str], name: str, base_url: str = "",
             lang: str = DEFAULT_LANGUAGE) -> bytes:
    """A VCALENDAR of the published and cancelled actions among `rows` (proposed left out)."""
    shown = _shown(rows).to_dict("records")
    events = [event(row, orgs_by_id.get(row["host_id"], ""), base_url, lang) for row in shown]
    return _calendar(events, name, _span(shown) if shown else None)


def single_event(row: Mapping, host_name: str, base_url: str = "",
                 lang: str = DEFAULT_LANGUAGE) -> bytes:
    """A calendar with this one action, for the "I'll join" download."""
    return _calendar([event(row, host_name, base_url, lang)], plain(value(row, "title")),
                     _span([row]))


def _partners(text) -> list[str]:
    return [p.strip() for p in (plain(text)).split(";") if p.strip()]


def select(rows: pd.DataFrame, province: str | None = None, municipality: str | None = None,
           cause: str | None = None, host: str | None = None) -> pd.DataFrame:
    """The actions of one province, municipality, cause or organisation (host or partner)."""
    keep = pd.Series(True, index=rows.index)
    if province:
        keep &= rows["province_code"] == province
    if municipality:
        keep &= rows["municipality_code"] == municipality
    if cause:
        keep &= rows["cause"] == cause
    if host:
        keep &= (rows["host_id"] == host) | rows["partner_ids"].map(
            lambda p: host in _partners(p))
    return rows[keep]


def _groups(rows: pd.DataFrame) -> list[tuple[str, str, dict]]:
    """(file prefix, code, select() arguments) for every place, cause and organisation."""
    found = []
    for column, prefix, arg in (("province_code", "province", "province"),
                                ("municipality_code", "municipality", "municipality"),
                                ("cause", "cause", "cause")):
        for code in sorted(set(rows[column].dropna())):
            found.append((prefix, str(code), {arg: code}))
    orgs = set(rows["host_id"].dropna())
    for text in rows["partner_ids"].dropna():
        orgs |= set(_partners(text))
    found += [("organisation", org, {"host": org}) for org in sorted(orgs)]
    return [g for g in found if SAFE_NAME.match(g[1])]


def feed_files(rows: pd.DataFrame, orgs_by_id: dict[str, str], base_url: str = "",
               lang: str = DEFAULT_LANGUAGE, places: dict[str, str] | None = None
               ) -> dict[str, bytes]:
    """Every feed by its stable file name (all.ics, province-KRZ.ics, …) → its bytes.

    The names: all.ics, province-KRZ.ics, municipality-KRZ16.ics, cause-environment.ics,
    organisation-<id>.ics (host or partner; ids of letters, digits, '_' and '-' only), one
    for each that has published or cancelled actions.

    `places` maps province and municipality codes to names for the calendars' titles.
    """
    _ = translator(lang)
    shown = _shown(rows)
    events = {row["id"]: event(row, orgs_by_id.get(row["host_id"], ""), base_url, lang)
              for row in shown.to_dict("records")}
    title = _("Civic actions")
    span = _span(list(shown.to_dict("records"))) if len(shown) else None
    files = {"all.ics": _calendar(list(events.values()), title, span)}
    for prefix, code, args in _groups(shown):
        label = term(code, lang) if prefix == "cause" else \
            orgs_by_id.get(code, code) if prefix == "organisation" else \
            (places or {}).get(code, code)
        picked = select(shown, **args)
        files[f"{prefix}-{code}.ics"] = _calendar([events[i] for i in picked["id"]],
                                                  f"{title}: {label}", span)
    return files

