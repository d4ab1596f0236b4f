"""Data page: anyone proposes an organisation or a correction; librarians moderate."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from civic import settings
from civic.errors import CivicError
from civic.i18n import place_name, term, translator
from civic.vocabularies import FIELDS, KINDS, LEGAL_FORMS
from geo.filters import name_matches
from geo.places import settlement_at
from intake import moderation
from layers.nearby import nearby_map
from layers.results import candidate_label
from store import audit
from ui import data, proposals
from ui.entry import through_app
from ui.markdown import md_escape

through_app()

lang = st.session_state.get("lang", "bg")
_ = translator(lang)
ss = st.session_state
LEGAL = sorted(set(LEGAL_FORMS.values()))


def moderators() -> dict[str, str]:
    """Moderator password hashes: Streamlit secrets [moderators], else the environment."""
    try:
        configured = dict(st.secrets.get("moderators", {}))
    except Exception:  # no secrets file at all
        configured = {}
    return configured or settings.moderators()


def place(text: str) -> tuple[str | None, str]:
    """(EKATTE, label) of the settlement a visitor typed, or (None, message).

    A name several places share keeps its candidates in the session for the visitor to pick from.
    """
    text = text[:200]
    found = data.geocoder().geocode(text) if text.strip() else {"ekatte": None}
    if found.get("candidates"):
        ss["new_place_candidates"] = {"q": text, "options": found["candidates"]}
        return None, _("“{q}” is the name of several places. Pick one under the Settlement "
                       "field and send again.").format(q=md_escape(text))
    if not found.get("ekatte"):
        return None, _("Could not find “{q}”. Try a settlement name, "
                       "“с. Бенковски, общ. Кирково” or a postal code.").format(q=md_escape(text))
    return found["ekatte"], f"{found['name']} ({found['municipality']}, {found['province']})"


def picked_candidate(text: str) -> str | None:
    """A candidate picker under the settlement field when the last try was ambiguous.

    Returns the EKATTE of the one chosen (inside a form: read on the next submit).
    """
    offer = ss.get("new_place_candidates")
    if not offer or offer["q"] != text[:200]:
        return None
    options = offer["options"]
    chosen = st.selectbox(_("Which settlement do you mean?"), range(len(options)),
                          format_func=lambda i: candidate_label(options[i], lang),
                          key="new_place_choice")
    return options[chosen]["ekatte"] if chosen is not None else None


def point_picker(key: str) -> tuple[tuple[float, float] | None, str | None]:
    """An optional exact point: the visitor clicks the small map (named places, borders).

    Returns the point and the EKATTE of the settlement it falls in, which the page names.
    """
    clicked = (ss.get(key) or {}).get("last_clicked")
    lonlat = (clicked["lng"], clicked["lat"]) if clicked else None
    ekatte = settlement_at(*lonlat, data.settlements(), data.municipalities()) if lonlat else None
    fmap = nearby_map(lonlat and lonlat[0], lonlat and lonlat[1], 0.05,
                      data.organisations().iloc[0:0].assign(distance_km=[]), data.tiles(),
                      data.geography(lang),
                      lang)
    st_folium(fmap, key=key, height=260, use_container_width=True,
              returned_objects=["last_clicked"])
    if ekatte:
        row = data.settlements().set_index("ekatte").loc[ekatte]
        names = data.municipality_names()
        st.caption(_("Marked in {settlement}, {municipality}").format(
            settlement=md_escape(data.settlement_labels(lang)[ekatte]),
            municipality=md_escape(place_name(
                names["municipality"].get(row["municipality_code"], ""),
                names["municipality_latin"].get(row["municipality_code"]), lang,
                names["municipality_tr"].get(row["municipality_code"])))))
    elif lonlat:
        st.caption(_("The point marked is outside every settlement we know."))
    return lonlat, ekatte


def proposal_kind(kind: str) -> str:
    """What a pending proposal is about, in words ('new organisation', 'action cancelled')."""
    return {"new": _("new organisation"), "correction": _("correction"),
            "action_new": _("new action"), "action_change": _("change to an action"),
            "action_cancel": _("cancellation of an action"),
            "profile": _("library profile, or an NGO's hub and needs")}.get(kind, kind)


def stored_action(action_id: str) -> dict | None:
    """The stored action a change or cancellation is about."""
    from store.actions import action

    return action(action_id)


def show_error(exc: CivicError) -> None:
    """A translated message with its values shown as text."""
    st.error(exc.text(lang, md_escape))


def send(action: str, values: dict, target: str | None = None) -> None:
    """Store an organisation proposal within the per-address limit (`ui.proposals`)."""
    proposals.send(lambda: moderation.submit(action, values, target),
                   _("Thank you! Proposal {n} is waiting for a librarian. Nothing changes on the "
                     "map until it is approved; approved changes appear on the map and in every "
                     "export."), lang)


def import_file(who: str) -> None:
    """A moderator imports a CSV, XLSX or Registry Agency XML file (docs/IMPORT.md)."""
    import tempfile
    from pathlib import Path

    from intake.importer import MAX_BYTES, run_import

    upload = st.file_uploader(_("CSV, XLSX or Registry Agency XML"),
                              type=["csv", "xlsx", "xml"], key="import_upload")
    kind = st.selectbox(_("Kind"), KINDS, format_func=lambda k: term(k, lang), key="import_kind")
    write_now = st.toggle(_("Write the valid rows (otherwise only check)"), key="import_write")
    if upload is None or not st.button(_("Check and import"), key="import_go"):
        return
    if upload.size > MAX_BYTES:
        st.error(_("The file is larger than {mb} MB; nothing was imported.")
                 .format(mb=MAX_BYTES // 1_000_000))
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        try:
            report = run_import(path, kind, dry_run=not write_now, accept_valid=True, who=who)
        except CivicError as exc:
            show_error(exc)
            return
    st.write(_("Read {read}, valid {valid}, rejected {rejected}; added {added}, updated {updated}.")
             .format(read=report.read, valid=report.valid, rejected=len(report.rejected),
                     added=report.added, updated=report.updated))
    if report.rejected:
        st.dataframe(pd.DataFrame([{_("Row"): r["row"], _("Name"): r["name"],
                                    _("Reason"): r["problem"].text(lang)}
                                   for r in report.rejected]), hide_index=True, width="stretch")
    if report.written:
        data.organisations_changed()


st.subheader(_("Improve the data"))
tab_names = [_("Propose an organisation"), _("Suggest a correction"), _("Moderation")]
# a popup's "suggest a correction" link lands on the correction tab
new_tab, fix_tab, mod_tab = st.tabs(
    tab_names, default=tab_names[1] if st.query_params.get("correct") else None)

with new_tab:
    st.caption(_("Organisation contacts only: please give no names of people."))
    st.markdown(_("Optional: click the map to mark the exact place."))
    if ss.get("new_place_error"):
        st.warning(ss.pop("new_place_error"))
    point, marked_in = point_picker("new_point")
    with st.form("new_org"):
        name = st.text_input(_("Name"), max_chars=300)
        kind = st.selectbox(_("Kind"), KINDS, format_func=lambda k: term(k, lang))
        legal = st.selectbox(_("Legal form"), ["", *LEGAL],
                             format_func=lambda f: term(f, lang) if f else "—")
        fields = st.multiselect(_("Field of activity"), FIELDS,
                                format_func=lambda f: term(f, lang), placeholder=_("Choose…"))
        settlement = st.text_input(_("Settlement"), placeholder=_("Benkovski, Kirkovo"),
                                   key="new_settlement")
        chosen_place = picked_candidate(ss.get("new_settlement", ""))
        address = st.text_input(_("Address"), max_chars=300)
        phone = st.text_input(_("Phone"))
        email = st.text_input(_("E-mail"))
        website = st.text_input(_("Website"), placeholder="https://")
        source = st.text_input(_("Where can we check this? (link)"), placeholder="https://")
        if st.form_submit_button(_("Send proposal")):
            ekatte, label = ((chosen_place, "") if chosen_place else
                             (marked_in, "") if marked_in and not settlement.strip() else
                             place(settlement))
            if ekatte is None and chosen_place is None and ss.get("new_place_candidates", {}
                                                                  ).get("q") == settlement:
                ss["new_place_error"] = label  # show the picker: one more run of the form
                st.rerun()
            if ekatte is None:
                st.error(label)
            else:
                values = {"name": name, "kind": kind, "legal_form": legal, "fields": fields,
                          "ekatte": ekatte, "address": address, "phone": phone,
                          "email": email, "website": website, "source_url": source}
                if point:
                    values.update(lon=point[0], lat=point[1])
                send("new", values)

with fix_tab:
    orgs = data.organisations()
    wanted = st.query_params.get("correct")
    query = st.text_input(_("Find the organisation"), key="fix_query",
                          placeholder=_("Cyrillic or Latin"))
    pool = orgs[~orgs["presumed"].astype(bool)]
    if query.strip():
        pool = pool[name_matches(pool, query.strip())]
    options = list(pool["id"].head(50))
    if wanted in set(orgs["id"]) and wanted not in options:
        options.insert(0, wanted)
    names = orgs.set_index("id")
    # Only a popup's link names the organisation; a typed search lists matches to pick from.
    chosen = st.selectbox(_("Organisation"), options,
                          index=0 if wanted in set(orgs["id"]) and not query.strip() else None,
                          placeholder=_("Choose from the matches"),
                          format_func=lambda i: f"{names.at[i, 'name']} — "
                          f"{names.at[i, 'settlement'] or ''}") if options else None
    if chosen:
        current = names.loc[chosen]

        def now(col: str) -> str:
            """The organisation's current value in `col` as text ('' when missing)."""
            value = current[col]
            return "" if value is None or value != value else str(value)

        with st.form("fix_org"):
            new_values = {
                "name": st.text_input(_("Name"), now("name"), max_chars=300),
                "fields": st.multiselect(_("Field of activity"), FIELDS,
                                         [f for f in now("fields").split(";") if f in FIELDS],
                                         format_func=lambda f: term(f, lang),
                                         placeholder=_("Choose…")),
                "address": st.text_input(_("Address"), now("address"), max_chars=300),
                "phone": st.text_input(_("Phone"), now("phone")),
                "email": st.text_input(_("E-mail"), now("email")),
                "website": st.text_input(_("Website"), now("website")),
                "source_url": st.text_input(_("Where can we check this? (link)"), ""),
            }
            if st.form_submit_button(_("Send correction")):
                changed = {k: v for k, v in new_values.items()
                           if (";".join(v) if isinstance(v, list) else v) != now(k)
                           and not (k == "source_url" and not v)}
                send("correction", changed, chosen)

with mod_tab:
    configured = moderators()
    if not configured:
        st.info(_("Moderation is not configured on this server (no moderator passwords)."))
    elif not ss.get("moderator"):
        with st.form("login"):
            who = st.text_input(_("Moderator"))
            password = st.text_input(_("Password"), type="password")
            if st.form_submit_button(_("Log in")):
                try:
                    ok, wait = moderation.login(configured, who[:100], password[:1000],
                                                data.client_address())
                except CivicError as exc:
                    ok, wait = None, 0  # the store failed: its message, not "wrong password"
                    show_error(exc)
                if wait:
                    st.error(_("Too many attempts; try again in {s} s.").format(s=int(wait)))
                elif ok:
                    ss["moderator"] = who
                    st.rerun()
                elif ok is False:
                    st.error(_("Wrong name or password."))
    else:
        st.caption(_("Logged in as {who}").format(who=md_escape(ss["moderator"])))
        waiting = moderation.pending()
        if waiting.empty:
            st.info(_("No proposals are waiting."))
        else:
            kinds = dict(zip(waiting["id"], waiting["action"]))
            number = st.selectbox(_("Proposal"), waiting["id"].tolist(),
                                  format_func=lambda n: f"#{n} · {proposal_kind(kinds[n])}")
            prop = moderation.proposal(number)
            about_action = prop["action"].startswith("action_")
            target = (stored_action(prop["target_id"]) if about_action else
                      moderation.organisation(prop["target_id"])) if prop["target_id"] else {}
            target = target or {}
            if prop["action"] == "profile":  # "Now": the stored profile, about whom: its name
                from store.profiles import profile

                target = {**target, **(profile(prop["target_id"]) or {})}
                st.markdown(_("About: **{name}**").format(name=md_escape(target.get("name", ""))))
            values = prop["values"]
            name_key = "title" if about_action else "name"
            st.dataframe(pd.DataFrame([
                {_("Field"): k, _("Now"): "" if target.get(k) is None else str(target.get(k)),
                 _("Proposed"): ";".join(v) if isinstance(v, list) else str(v)}
                for k, v in values.items()]), hide_index=True, width="stretch")
            spot = (values.get("lon"), values.get("lat")) if "lon" in values else None
            if spot is None and values.get("ekatte"):
                s = data.settlements().set_index("ekatte").geometry.get(values["ekatte"])
                spot = (s.x, s.y) if s is not None else None
            if spot:
                st_folium(nearby_map(spot[0], spot[1], 0.5,
                                     data.organisations().iloc[0:0].assign(distance_km=[]),
                                     data.tiles()),
                          key=f"review_map_{number}", height=240, use_container_width=True,
                          returned_objects=[])
            with st.form(f"decide_{number}"):
                edited_name = st.text_input(_("Title") if about_action else _("Name"),
                                            values.get(name_key, target.get(name_key, "")))
                reason = st.text_input(_("Reason (for a rejection)"))
                approve, reject = st.columns(2)
                if approve.form_submit_button(_("Approve")):
                    edits = {name_key: edited_name} if edited_name and name_key in values \
                        else None
                    try:
                        moderation.approve(number, ss["moderator"], edits)
                        data.actions_changed() if about_action else data.organisations_changed()
                        st.success(_("Approved: the change is on the map."))
                    except CivicError as exc:
                        show_error(exc)
                if reject.form_submit_button(_("Reject")):
                    try:
                        moderation.reject(number, ss["moderator"], reason)
                        st.success(_("Rejected."))
                    except CivicError as exc:
                        show_error(exc)
        with st.expander(_("Import a file")):
            import_file(ss["moderator"])
        with st.expander(_("Audit log")):
            st.dataframe(audit.entries(200), hide_index=True, width="stretch")
        if st.button(_("Log out")):
            ss.pop("moderator", None)
            st.rerun()
