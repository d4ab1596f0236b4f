"""Library page: one library (or chitalishte) as a hub of the local civil sector.

What it offers (unknown stays unknown), whether it is open now, whom it serves (its
catchment: the inhabited settlements nearer to it than to any other library, straight
line), the NGOs it presents with their fields and contacts, and the needs of the known NGOs
in its catchment, counted. A librarian proposes the profile, an NGO names its hub; both go
through the one proposals pipeline and a moderator's approval. `?id=<organisation id>`.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from civic import facts
from civic.i18n import place_name, term, translator
from civic.numbers import fmt_int, fmt_pct
from civic.text import to_latin
from civic.vocabularies import NEEDS
from intake import profiles as intake_profiles
from layers.popup import clean_emails, clean_phones, safe_url
from layers.profile_card import need_titles, needs_counted, offer_rows, open_now, split_needs
from ui import data, library_data, proposals
from ui.entry import through_app
from ui.lazy import opened
from ui.map_element import show_map
from ui.markdown import md_escape
from ui.tables import styled

through_app()

lang = st.session_state.get("lang", "bg")
_ = translator(lang)
params = st.query_params
HUB_KINDS = ("library", "chitalishte")
CHOICES = {"": "unknown", "yes": "yes", "no": "no"}


def _place(row) -> str:
    """Its settlement in the page's language: 'Кърджали (Kırcaali)' in Turkish, where known."""
    if not isinstance(row["settlement"], str):
        return ""
    known = data.settlement_labels(lang).get(row.get("ekatte"))
    return known or place_name(row["settlement"], to_latin(row["settlement"]), lang)


def _label(row) -> str:
    """A library's name with its settlement, in the page's language form."""
    place = _place(row)
    return f"{row['name']} ({place})" if place else row["name"]


def choose(orgs: pd.DataFrame) -> None:
    """No library chosen: pick a province, then a library (name search in the box)."""
    st.title(_("Libraries as hubs"))
    st.write(_("Choose a library or chitalishte to see what it offers, whom it serves and "
               "which NGOs it presents."))
    labels = data.province_labels(lang)
    province = st.selectbox(_("Province"), list(labels), format_func=labels.get,
                            index=list(labels).index(facts.DEFAULT_PROVINCES[0])
                            if facts.DEFAULT_PROVINCES[0] in labels else 0)
    hubs = orgs[orgs["kind"].isin(HUB_KINDS) & (orgs["province_code"] == province)
                & ~orgs["presumed"].astype(bool) & (orgs["status"] == "active")]
    hubs = hubs.sort_values(["kind", "name"], ascending=[False, True])
    names = {r["id"]: f"{_label(r)} · {term(r['kind'], lang)}" for _i, r in hubs.iterrows()}
    picked = st.selectbox(_("Library or chitalishte"), list(names), index=None,
                          format_func=names.get, placeholder=_("Type a name"))
    if picked is not None:
        st.query_params["id"] = picked
        st.rerun()


def offers(row: dict) -> None:
    """What it offers, and open now."""
    now = datetime.now(ZoneInfo("Europe/Sofia")).replace(tzinfo=None)
    state = open_now(row, now, lang)
    st.markdown(f"**{md_escape(state)}**")
    st.subheader(_("What it offers"))
    st.markdown("\n".join(f"- **{md_escape(label)}:** {md_escape(value)}"
                           for label, value in offer_rows(row, lang)))
    st.caption(_("Told by the library and checked by a moderator; “unknown” means nobody "
                 "has said yet, not “no”."))


def site_of(own: list[str]) -> pd.Series | None:
    """The library site (one per point) this library or its chitalishte belongs to."""
    sites = data.library_sites()
    wanted = set(own)
    found = sites[[bool(wanted & set(m)) for m in sites["members"]]]
    return found.iloc[0] if len(found) else None


def catchment(site: pd.Series | None, province: str, radius_km: float) -> pd.DataFrame | None:
    """Whom it serves: the catchment's figures and settlements; returns its settlements."""
    st.subheader(_("Whom it serves"))
    st.write(_("Its catchment: the inhabited settlements nearer to this library than to any "
               "other library (straight line, the same model as Coverage), known and "
               "presumed chitalishte libraries included."))
    if site is None:
        st.info(_("This place has no settlement point, so no catchment can be drawn."))
        return None
    assigned = data.catchment_of_settlements()
    inside = assigned[(assigned["site_id"] == site["site_id"]) & assigned["inhabited"]]
    reach = tuple(sorted(set(inside["province_code"]) | {province}))
    table = data.catchments(reach, radius_km)
    found = table[table["site_id"] == site["site_id"]]
    if found.empty or inside.empty:
        st.info(_("No inhabited settlement is nearer to this library than to another one."))
        return inside
    f = found.iloc[0]
    figures = [(_("Settlements"), fmt_int(len(inside), lang)),
               (_("Residents (2021)"), fmt_int(inside["population"].sum(), lang)),
               (_("Known NGOs inside"), fmt_int(f["ngos"], lang)),
               (_("Chitalishta inside"), fmt_int(f["chitalishta"], lang))]
    if data.phone():  # two by two: a phone stacks st.columns one under another
        row = st.container(horizontal=True, wrap=True)
        for label, value in figures:
            row.metric(label, value, width=160)
    else:
        for col, (label, value) in zip(st.columns(4), figures):
            col.metric(label, value)
    share = f["beyond_r_share"]
    st.write(_("{n} residents ({share}) live beyond {r} km (straight line) of every one of "
               "the {k} known NGOs.").format(n=fmt_int(f["beyond_r"], lang),
                                             share=fmt_pct(share, lang) if pd.notna(share)
                                             else "–", r=fmt_int(radius_km, lang),
                                             k=fmt_int(data.known_ngos(), lang)))
    if len(reach) > 1:
        st.caption(_("Its catchment crosses a province border: borders do not stop people."))
    box = opened(_("Its settlements"), f"lib_settlements_{site['site_id']}")
    if box is not None:
        labels = data.settlement_labels(lang)
        listed = inside.sort_values("population", ascending=False).assign(
            settlement=lambda d: d["ekatte"].map(labels))
        box.dataframe(styled(listed, {"settlement": _("Settlement"),
                                      "population": _("Residents (2021)"),
                                      "distance_km": _("Distance to the library, km")}, lang),
                      hide_index=True, width="stretch")
    catchment_map(site, reach, table, inside, radius_km)
    return inside


def catchment_map(site: pd.Series, reach: tuple[str, ...], table: pd.DataFrame,
                  inside: pd.DataFrame, radius_km: float) -> None:
    """The catchments around this library on the province map, this one's library marked."""
    from layers.basemap import zoom_for

    provinces = data.provinces()
    chosen = provinces[provinces["code"].isin(reach)]
    fmap = library_data.catchment_map(site["site_id"], float(site["lat"]), float(site["lon"]),
                                      reach, radius_km, lang, data.tiles(),
                                      data.organisations_version(), table)
    points = data.settlements().set_index("ekatte").geometry
    shown = points[points.index.isin(inside["ekatte"])]
    west, south, east, north = shown.total_bounds if len(shown) else chosen.total_bounds
    pad = 0.08
    bounds = (west - pad, south - pad, east + pad, north + pad)
    show_map(fmap, "catchment_map", 380, center=((bounds[1] + bounds[3]) / 2,
                                                 (bounds[0] + bounds[2]) / 2),
             zoom=min(11, zoom_for(bounds, *((340, 380) if data.phone() else (700, 380)))))
    st.caption(_("Each settlement belongs to its nearest library (straight line)."))


def presented(orgs: pd.DataFrame, hub_ids: set[str]) -> None:
    """The NGOs that name this library as their hub: fields, contacts, needs."""
    st.subheader(_("NGOs it presents"))
    ngos = orgs[(orgs["kind"] == "ngo") & orgs["hub_id"].isin(hub_ids)]
    if ngos.empty:
        st.write(_("No NGO has named this library as its hub yet."))
        return
    for ngo in ngos.sort_values("name").itertuples():
        st.markdown(ngo_card(ngo))


def _cell(value) -> str:
    return value if isinstance(value, str) else ""


def ngo_card(ngo) -> str:
    """One presented NGO as markdown: name, fields, contacts as links, needs (all escaped)."""
    lines = [f"**{md_escape(ngo.name)}**"]
    fields = [term(f, lang) for f in _cell(ngo.fields).split(";") if f]
    if fields:
        lines.append(md_escape(", ".join(fields)))
    links = [f"[{md_escape(n)}](tel:{''.join(c for c in n if c.isdigit() or c == '+')})"
             for n in clean_phones(_cell(ngo.phone))]
    # link targets in <…>: clean e-mails hold no '<' or '>', a website's are %-escaped
    links += [f"[{md_escape(e)}](<mailto:{e}>)" for e in clean_emails(_cell(ngo.email))]
    site = safe_url(_cell(ngo.website))
    if site:
        target = site.replace("<", "%3C").replace(">", "%3E")
        links.append(f"[{md_escape(site.split('://', 1)[-1].rstrip('/'))}](<{target}>)")
    if links:
        lines.append(" · ".join(links))
    wanted = need_titles(split_needs(ngo.needs), lang)
    if wanted:
        lines.append(_("Needs") + ": " + md_escape(", ".join(wanted)))
    return "  \n".join(lines)


def needs(orgs: pd.DataFrame, settlements_in: pd.DataFrame | None) -> None:
    """The needs of the known NGOs in the catchment, counted: what trainings to organise."""
    st.subheader(_("Needs of the NGOs in its catchment"))
    if settlements_in is None:
        return
    ngos = orgs[(orgs["kind"] == "ngo") & (orgs["status"] == "active")
                & orgs["ekatte"].isin(set(settlements_in["ekatte"]))]
    said = [v for v in ngos["needs"] if split_needs(v)]
    st.write(_("{said} of the {n} known NGOs in the catchment have said what they need.")
             .format(said=fmt_int(len(said), lang), n=fmt_int(len(ngos), lang)))
    if said:
        counted = needs_counted(said, lang)
        st.dataframe(styled(counted, {"need": _("Need"), "ngos": _("NGOs naming it")}, lang),
                     hide_index=True, width="stretch")


def _choice(label: str, key: str, current) -> str:
    options = list(CHOICES)
    now = "" if current is None or pd.isna(current) else ("yes" if current else "no")
    return st.selectbox(label, options, index=options.index(now), key=key,
                        format_func=lambda c: _(CHOICES[c]))


def _text_value(current) -> str:
    return "" if current is None or (not isinstance(current, str) and pd.isna(current)) \
        else str(int(current)) if isinstance(current, float) else str(current)


def profile_form(row: dict) -> None:
    """A librarian proposes what the library offers; a moderator approves it."""
    with st.form("profile_form"):
        seats = st.text_input(_("Meeting room (seats)"), _text_value(row.get("seats")))
        computers = st.text_input(_("Computers for the public"),
                                  _text_value(row.get("computers")))
        internet = _choice(_("Internet for the public"), "p_internet", row.get("internet"))
        exhibition = _choice(_("Exhibition space"), "p_exhibition",
                             row.get("exhibition_space"))
        step_free = _choice(_("Step-free access"), "p_step_free", row.get("step_free"))
        hours = st.text_input(_("Opening hours"), _text_value(row.get("opening_hours")),
                              help=_("In OpenStreetMap's form, e.g. Mo-Fr 09:00-18:00; "
                                     "Sa 10:00-14:00"))
        sent = st.form_submit_button(_("Send proposal"))
    if sent:
        values = {"seats": seats, "computers": computers, "internet": internet,
                  "exhibition_space": exhibition, "step_free": step_free,
                  "opening_hours": hours}
        values = {k: v for k, v in values.items() if v not in ("", None)}
        proposals.send(lambda: intake_profiles.submit_profile(row["id"], values),
                       _("Thank you! Proposal {n} waits for a moderator."), lang)


def hub_form(orgs: pd.DataFrame, row: dict) -> None:
    """An NGO names this library as its hub and says what it needs (moderated)."""
    ngos = orgs[(orgs["kind"] == "ngo") & (orgs["status"] == "active")]
    ngos = ngos.assign(_near=ngos["province_code"] != row["province_code"]).sort_values(
        ["_near", "name"])
    names = dict(zip(ngos["id"], [_label(r) for _i, r in ngos.iterrows()]))
    with st.form("hub_form"):
        ngo = st.selectbox(_("NGO"), list(names), index=None, format_func=names.get,
                           placeholder=_("Type a name"))
        wanted = st.multiselect(_("What the NGO needs"), list(NEEDS),
                                format_func=lambda c: _(NEEDS[c]), placeholder=_("Choose…"))
        sent = st.form_submit_button(_("Send proposal"))
    if sent:
        if ngo is None:
            st.error(_("Choose the NGO."))
            return
        values = {"hub_id": row["id"], "needs": wanted} if wanted else {"hub_id": row["id"]}
        proposals.send(lambda: intake_profiles.submit_profile(ngo, values),
                       _("Thank you! Proposal {n} waits for a moderator."), lang)


def library_page(orgs: pd.DataFrame, org_id: str) -> None:
    """One library's hub view."""
    st.markdown(f"[← {_('All libraries')}](/library?lang={lang})")
    found = orgs[(orgs["id"] == org_id) & orgs["kind"].isin(HUB_KINDS)]
    if found.empty:
        st.warning(_("No library or chitalishte with this identifier."))
        return
    row = found.iloc[0].to_dict()
    own = [org_id]
    if row["kind"] == "chitalishte":  # its presumed library is the same place
        kept = orgs[(orgs["parent_id"] == org_id)]
        own += list(kept["id"])
    st.title(md_escape(row["name"]))  # a proposed name is text, never markdown
    if lang != "bg" and isinstance(row.get("name_latin"), str) and row["name_latin"] != row["name"]:
        st.markdown(f"*{md_escape(row['name_latin'])}*")
    where = _place(row)
    st.caption(" · ".join(x for x in (term(row["kind"], lang), where) if x))
    offers(row)
    box = opened(_("Propose a change to what it offers"), f"lib_propose_{org_id}")
    if box is not None:
        with box:
            profile_form(row)
    radius = float(params.get("r") or facts.DEFAULT_RADIUS_KM)
    site = site_of(own)
    inside = catchment(site, row["province_code"], radius)
    presented(orgs, set(own) | (set(site["members"]) if site is not None else set()))
    box = opened(_("An NGO presented here? Name this library as its hub"), f"lib_hub_{org_id}")
    if box is not None:
        with box:
            hub_form(orgs, row)
    needs(orgs, inside)


orgs = data.organisations()
wanted = params.get("id")
if wanted:
    library_page(orgs, wanted)
else:
    choose(orgs)
