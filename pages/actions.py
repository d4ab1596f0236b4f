"""Actions page: exhibitions, Volunteer Day actions, trainings — find one, join, propose one.

A list, a month and a week calendar per province and municipality (the view in the URL);
one action's own page at `?action=<id>` with "I'll join" (an .ics file and a count, no name
kept); a host's page at `?host=<id>` (a library's own view: what it hosted and hosts); and
the proposal form, which goes through the one proposals pipeline (a librarian publishes).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import streamlit as st

from civic import action as act
from civic.errors import CivicError
from civic.facts import DEFAULT_PROVINCES
from civic.i18n import place_names, term, translator
from civic.numbers import fmt_int
from civic.vocabularies import ACTION_TYPES, CAUSES
from intake import actions as intake_actions
from layers.action_cards import card_words, cards, detail, month_grid, week_list
from ui import data, proposals
from ui.entry import through_app
from ui.markdown import md_escape

through_app()

lang = st.session_state.get("lang", "bg")
_ = translator(lang)
ss = st.session_state
params = st.query_params
words = card_words(lang)
VIEWS = ("list", "month", "week")


def host_names() -> dict[str, str]:
    """Organisation id → name (with its settlement), for hosts and partners."""
    orgs = data.organisations()
    return {i: f"{n} ({s})" if isinstance(s, str) and s else n
            for i, n, s in zip(orgs["id"], orgs["name"], orgs["settlement"])}


def with_places(frame):
    """The agenda with each action's settlement in the page's language form."""
    labels = data.settlement_labels(lang)
    return frame.assign(place_label=[labels.get(e, s) if isinstance(e, str) else s
                                     for e, s in zip(frame["ekatte"], frame["settlement"])])


def show_error(exc: CivicError) -> None:
    """A translated message with its values shown as text."""
    st.error(exc.text(lang, md_escape))


def action_page(action_id: str) -> None:
    """One action: what, when, where, who, what is needed; I'll join; change or cancel."""
    rows = data.actions()
    found = rows[rows["id"] == action_id]
    st.markdown(f"[← {_('All actions')}](/actions?lang={lang})")
    if found.empty:
        st.warning(_("This action is not published (or no longer exists)."))
        return
    row = found.iloc[0].to_dict()
    status = act.effective_status(row)
    nxt = act.next_occurrence(row) or act.occurrences(row)[-1]
    row = with_places(found.assign(when_start=[nxt[0]], when_end=[nxt[1]])).iloc[0].to_dict()
    hosts = host_names()
    st.html(detail(row, words, lang, hosts, status))
    # a JSON-LD block is data, not code; its JSON escapes <, > and &, so nothing breaks out
    st.html(_jsonld(row, hosts.get(row["host_id"], "")), unsafe_allow_javascript=True)
    if status == "published":
        join_box(row, hosts.get(row["host_id"], ""))
    with st.expander(_("Propose a change or a cancellation")):
        change_form(row)


def _jsonld(row: dict, host: str) -> str:
    """schema.org Event for search engines and calendars (escaped JSON in a script)."""
    from reports.jsonld import event_jsonld, jsonld_script

    return jsonld_script(event_jsonld(row, host, f"/actions?action={row['id']}"))


def _ics(row: dict, host: str) -> bytes | None:
    from reports.ical import single_event

    return single_event(row, host, "")


def join_box(row: dict, host: str) -> None:
    """I'll join: one more in the count (when volunteers were asked for) and an .ics file."""
    key = f"joined_{row['id']}"
    full = act.is_full(row)
    if row.get("volunteers_needed") == row.get("volunteers_needed") and \
            row.get("volunteers_needed") is not None:
        st.markdown(_("**{joined}** of {n} volunteers said they will come.").format(
            joined=fmt_int(row.get("joined") or 0, lang),
            n=fmt_int(row["volunteers_needed"], lang)))
    if not ss.get(key):
        if full:
            st.info(_("This action is full. You can still come to see it, or ask the host."))
        elif st.button(_("I'll join"), key="join_button", type="primary"):
            try:
                count, wait = intake_actions.join(row["id"], data.client_address())
            except CivicError as exc:
                show_error(exc)
                return
            if wait:
                st.error(_("Too many joins from this address; try again in {s} s.")
                         .format(s=int(wait)))
                return
            if count is None:
                st.info(_("This action is full. You can still come to see it, or ask the host."))
                return
            ss[key] = True
            data.actions_changed()
            st.rerun()
    if ss.get(key):
        st.success(_("Thank you! The host now counts you in. Nothing about you was stored: "
                     "only the number of people who will come."))
    ics = _ics(row, host)
    if ics:
        st.download_button(_("Add to my calendar (.ics)"), ics, file_name=f"{row['id']}.ics",
                           mime="text/calendar", key="ics_download")


def change_form(row: dict) -> None:
    """A change (new time, place or needs) or a cancellation: a proposal for a librarian."""
    with st.form("change_action"):
        title = st.text_input(_("Title"), row["title"], max_chars=200)
        start = act.parse_time(row["start"])
        end = act.parse_time(row["end"])
        c1, c2 = st.columns(2)
        start_day = c1.date_input(_("Start date"), start.date(), format="DD.MM.YYYY")
        start_at = c2.time_input(_("Start time"), start.time())
        end_day = c1.date_input(_("End date"), end.date(), format="DD.MM.YYYY")
        end_at = c2.time_input(_("End time"), end.time())
        address = st.text_input(_("Address"), row.get("address") or "", max_chars=300)
        cancel = st.checkbox(_("Cancel this action"))
        reason = st.text_input(_("Reason (for a cancellation)"), max_chars=1000)
        if st.form_submit_button(_("Send to a librarian")):
            values = {"title": title,
                      "start": datetime.combine(start_day, start_at).strftime(act.TIME_FORMAT),
                      "end": datetime.combine(end_day, end_at).strftime(act.TIME_FORMAT),
                      "address": address}
            send(lambda: intake_actions.propose_cancel(row["id"], reason) if cancel else
                 intake_actions.propose_change(row["id"], values))


def send(make_proposal) -> None:
    """Store an action proposal within the per-address limit (`ui.proposals`)."""
    proposals.send(make_proposal, _("Thank you! Proposal {n} is waiting for a librarian. The "
                                    "action is published when a librarian approves it."), lang)


def resolve_place(text: str) -> str | None:
    """The EKATTE of a typed settlement through the one geocoder, or None with a message."""
    found = data.geocoder().geocode(text[:200]) if text.strip() else {"ekatte": None}
    if found.get("candidates"):
        st.error(_("“{q}” is the name of several places. Add the municipality, e.g. "
                   "“с. Бенковски, общ. Кирково”.").format(q=md_escape(text[:200])))
        return None
    if not found.get("ekatte"):
        st.error(_("Could not find “{q}”. Try a settlement name, "
                   "“с. Бенковски, общ. Кирково” or a postal code.").format(q=md_escape(text)))
        return None
    return found["ekatte"]


def propose_form(provinces: list[str]) -> None:
    """Anyone proposes an action; a librarian publishes it (the one proposals pipeline)."""
    st.caption(_("The organisation's public contact only: please give no names of people."))
    orgs = data.organisations()
    orgs = orgs[~orgs["presumed"].astype(bool) & orgs["province_code"].isin(provinces)
                & (orgs["status"] == "active")]
    hosts = host_names()
    options = sorted(orgs["id"], key=lambda i: hosts.get(i, ""))
    repeat_words = {"none": _("Does not repeat"), "weekly": _("Every week"),
                    "monthly_weekday": _("Every month on the same weekday (e.g. first Saturday)"),
                    "custom": _("Custom rule (RFC 5545 RRULE)")}
    with st.form("new_action"):
        title = st.text_input(_("Title"), max_chars=200)
        kind = st.selectbox(_("Type of action"), ACTION_TYPES, format_func=lambda t: term(t, lang))
        cause = st.selectbox(_("Cause"), CAUSES, format_func=lambda c: term(c, lang))
        description = st.text_area(_("What will happen"), max_chars=3000)
        c1, c2 = st.columns(2)
        start_day = c1.date_input(_("Start date"), date.today() + timedelta(days=7),
                                  format="DD.MM.YYYY")
        start_at = c2.time_input(_("Start time"), time(10, 0))
        end_day = c1.date_input(_("End date"), date.today() + timedelta(days=7),
                                format="DD.MM.YYYY")
        end_at = c2.time_input(_("End time"), time(13, 0))
        repeat = st.selectbox(_("Repeats"), act.REPEATS, format_func=repeat_words.get)
        count = st.number_input(_("How many times (for a repeating action)"), 2, 500, 6)
        custom = st.text_input(_("Custom rule"), placeholder="FREQ=MONTHLY;BYDAY=1SA;COUNT=6")
        online = st.checkbox(_("Online"))
        settlement = st.text_input(_("Settlement"), placeholder=_("Benkovski, Kirkovo"))
        address = st.text_input(_("Address"), max_chars=300)
        host = st.selectbox(_("Host organisation"), options, index=None,
                            format_func=lambda i: hosts.get(i, i),
                            placeholder=_("Choose from the list (type to search)"))
        volunteers = st.number_input(_("Volunteers needed (0: none asked for)"), 0, 10000, 0)
        skills = st.text_input(_("Skills that help"), max_chars=500)
        items = st.text_input(_("Items needed"), max_chars=500)
        phone = st.text_input(_("Organisation's phone"))
        email = st.text_input(_("Organisation's e-mail"))
        url = st.text_input(_("Link"), placeholder="https://")
        if st.form_submit_button(_("Send proposal")):
            start = datetime.combine(start_day, start_at)
            ekatte = resolve_place(settlement) if settlement.strip() or not online else None
            if ekatte is None and not online:
                return
            try:
                rule = act.simple_rule(repeat, start, count, custom)
            except CivicError as exc:
                show_error(exc)
                return
            values = {"title": title, "type": kind, "cause": cause, "description": description,
                      "start": start.strftime(act.TIME_FORMAT),
                      "end": datetime.combine(end_day, end_at).strftime(act.TIME_FORMAT),
                      "rrule": rule, "online": online, "ekatte": ekatte, "address": address,
                      "host_id": host, "volunteers_needed": volunteers or None,
                      "skills": skills, "items": items, "contact_phone": phone,
                      "contact_email": email, "url": url}
            send(lambda: intake_actions.propose(values))


def month_of(text: str | None) -> date:
    """The month in the URL ('2026-12'), else this month."""
    try:
        year, month = (int(x) for x in (text or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        today = date.today()
        return date(today.year, today.month, 1)


def sidebar_filters() -> dict:
    """Province, municipality, cause and type in the sidebar, from and back to the URL."""
    provinces = data.provinces()
    munis = data.municipalities()
    prov_label = data.province_labels(lang)
    muni_label = dict(zip(munis["code"], place_names(munis, lang)))
    wanted = [p for p in (params.get("provinces") or ",".join(DEFAULT_PROVINCES)).split(",")
              if p in prov_label]

    def listed(key: str, known) -> list[str]:
        return [v for v in (params.get(key) or "").split(",") if v in known]

    with st.sidebar:
        st.header(_("Filters"))
        chosen = st.multiselect(_("Province"), sorted(provinces["code"], key=prov_label.get),
                                default=wanted, format_func=prov_label.get,
                                placeholder=_("Choose…"), key="a_provinces")
        muni_options = sorted((c for c in muni_label if c[:3] in chosen), key=muni_label.get)
        picked = {
            "provinces": chosen,
            "municipalities": st.multiselect(
                _("Municipality"), muni_options, format_func=muni_label.get,
                default=listed("municipalities", muni_options),
                placeholder=_("All municipalities")),
            "causes": st.multiselect(_("Cause"), CAUSES, format_func=lambda c: term(c, lang),
                                     default=listed("causes", CAUSES),
                                     placeholder=_("Any cause")),
            "types": st.multiselect(_("Type of action"), ACTION_TYPES,
                                    format_func=lambda t: term(t, lang),
                                    default=listed("types", ACTION_TYPES),
                                    placeholder=_("Any type")),
        }
    view_words = {"list": _("List"), "month": _("Month"), "week": _("Week")}
    picked["view"] = st.segmented_control(
        _("View"), VIEWS, format_func=view_words.get, key="a_view",
        default=params.get("view") if params.get("view") in VIEWS else "list") or "list"
    picked["host"] = params.get("host") or ""
    state = {k: ",".join(v) if isinstance(v, list) else v for k, v in picked.items()}
    state["view"] = "" if state["view"] == "list" else state["view"]
    for key, value in state.items():
        if value and params.get(key) != value:
            params[key] = value
        elif not value and key in params:
            del params[key]
    return picked


def pick(rows, picked: dict):
    """The actions of the chosen places (online ones everywhere), causes, types and host."""
    online = rows["online"].astype(bool)
    keep = rows["province_code"].isin(picked["provinces"]) | online
    if picked["municipalities"]:
        keep &= rows["municipality_code"].isin(picked["municipalities"]) | online
    if picked["causes"]:
        keep &= rows["cause"].isin(picked["causes"])
    if picked["types"]:
        keep &= rows["type"].isin(picked["types"])
    if picked["host"]:
        keep &= (rows["host_id"] == picked["host"]) | rows["partner_ids"].fillna(
            "").str.contains(picked["host"], regex=False)
    return rows[keep]


def month_view(rows) -> None:
    """The month in the URL as a calendar grid, with buttons to the months around it."""
    first = month_of(params.get("month"))
    nav_prev, nav_next = st.columns(2)
    prev_month = (first - timedelta(days=1)).replace(day=1)
    next_month = (first + timedelta(days=32)).replace(day=1)
    if nav_prev.button("← " + _("Previous month")):
        params["month"] = f"{prev_month:%Y-%m}"
        st.rerun()
    if nav_next.button(_("Next month") + " →"):
        params["month"] = f"{next_month:%Y-%m}"
        st.rerun()
    start = datetime.combine(first, time())
    agenda = act.agenda(rows, start, datetime.combine(next_month, time()), every=True)
    st.html(month_grid(agenda, first.year, first.month, lang, today=date.today()))


def listing() -> None:
    """The list and calendars per province and municipality, the view kept in the URL."""
    picked = sidebar_filters()
    all_rows = data.actions()
    hosts = host_names()
    host = picked["host"]
    if host:
        st.markdown(_("Actions hosted by **{host}**").format(
            host=md_escape(hosts.get(host, host))) + f" · [{_('all hosts')}](/actions?lang={lang})")
    if all_rows.empty:
        st.info(_("No actions have been published yet. Be the first: propose one below, and "
                  "a librarian will publish it."))
    rows = pick(all_rows, picked)
    now = act.now_local()
    if picked["view"] == "list":
        agenda = with_places(act.agenda(rows, now, now + timedelta(days=366)))
        st.markdown(_("**{n}** published upcoming actions").format(n=fmt_int(len(agenda), lang)))
        if len(agenda):
            st.html(cards(agenda, words, lang, hosts))
        if host:
            past = with_places(act.agenda(rows, now - timedelta(days=366), now))
            past = past[[e <= now for e in past["when_end"]]]
            st.markdown(_("**{n}** in the last 12 months").format(n=fmt_int(len(past), lang)))
            if len(past):
                st.html(cards(past, words, lang, hosts))
    elif picked["view"] == "month":
        month_view(rows)
    else:
        monday = now.date() - timedelta(days=now.weekday())
        start = datetime.combine(monday, time())
        agenda = with_places(act.agenda(rows, start, start + timedelta(days=7), every=True))
        st.html(week_list(agenda, monday, words, lang, hosts))
    feeds(picked["provinces"], picked["municipalities"], picked["causes"])
    st.caption(_("Published actions only: anyone proposes, a librarian publishes. This is not "
                 "a complete list of what happens in the region. Times are local (Sofia)."))
    st.subheader(_("Propose an action"))
    propose_form(picked["provinces"] or list(DEFAULT_PROVINCES))


def feeds(provinces: list[str], municipalities: list[str], causes: list[str]) -> None:
    """Links to the calendar feeds (iCalendar) of the chosen provinces and municipalities."""
    from ui.feeds import ensure_feeds, feeds_dir, feeds_url

    ensure_feeds(data.actions(), data.organisations())
    prov_label = data.province_labels(lang)
    muni_label = dict(zip(data.municipalities()["code"],
                          place_names(data.municipalities(), lang)))
    names = [(f"province-{p}.ics", prov_label.get(p, p)) for p in provinces]
    names += [(f"municipality-{m}.ics", muni_label.get(m, m)) for m in municipalities]
    names += [(f"cause-{c}.ics", term(c, lang)) for c in causes]
    folder = feeds_dir()  # resolved once: it names this build's folder
    links = " · ".join(f"[{md_escape(label)}]({feeds_url(n)})" for n, label in names
                       if (folder / n).exists())  # a feed exists where actions do
    if links:
        st.caption(_("Calendar feeds (iCalendar, subscribe in your calendar app): {links}")
                   .format(links=links))


st.subheader(_("Civic actions"))
if params.get("action"):
    action_page(params["action"][:80])
else:
    st.caption(_("Exhibitions, Volunteer Day actions, trainings, public meetings and campaigns "
                 "of NGOs, chitalishta and libraries."))
    listing()
