"""The nearby result list as escaped HTML cards.

Each card: name, kind, fields, distance, address, contacts as tel:/mailto:/web links and a
directions link to OpenStreetMap routing.

A card says when its point is approximate (a settlement or municipality centre) and,
when the organisation has no public contact, invites a correction instead of staying
empty. Candidate labels for an ambiguous place name are plain text for the caller to
escape where it renders them.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

import pandas as pd

from civic.numbers import fmt_km
from layers.popup import contact_links

OSM_DIRECTIONS = ("https://www.openstreetmap.org/directions?engine=fossgis_osrm_foot"
                  "&route={lat1:.5f},{lon1:.5f};{lat2:.5f},{lon2:.5f}")
APPROXIMATE = ("settlement", "municipality")
CORRECTION_URL = "/data?correct={id}"


def directions_url(origin: tuple[float, float], lon: float, lat: float) -> str:
    """OpenStreetMap routing from (lon, lat) `origin` to the organisation."""
    return OSM_DIRECTIONS.format(lat1=origin[1], lon1=origin[0], lat2=lat, lon2=lon)


def _text(value) -> str:
    """A cell as text: None and NaN are empty."""
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def candidate_label(candidate: dict, lang: str) -> str:
    """A settlement's label with its municipality and province: 'Бенковски (Кирково, Кърджали)'.

    In Turkish the Turkish name stands beside the Bulgarian one when known
    ('Кърджали · Kırcaali (Кърджали, Кърджали)').
    """
    name = candidate["name"]
    if lang == "tr" and candidate.get("name_tr"):
        name = f"{name} · {candidate['name_tr']}"
    return f"{name} ({candidate['municipality']}, {candidate['province']})"


def candidate_query(candidate: dict) -> str:
    """The unambiguous query for a candidate: 'Бенковски, Кирково, Кърджали'."""
    return f"{candidate['name']}, {candidate['municipality']}, {candidate['province']}"


def _contact(href: str, label: str) -> str:
    """A tappable contact link; href and text escaped (contact_links leaves them raw).

    tel: and mailto: open in place (the phone's dialler or mail app), a website in a new tab.
    """
    scheme = href.split(":", 1)[0]
    target = "" if scheme in ("tel", "mailto") else ' target="_blank" rel="noopener"'
    return (f'<a class="contact {escape(scheme)}" href="{escape(href, quote=True)}"{target}>'
            f"{escape(label)}</a>")


def _card(rank: int, rec: dict, origin: tuple[float, float], kind_label: dict[str, str],
          field_label: dict[str, str], labels: dict[str, str], lang: str,
          places: dict[str, str]) -> str:
    """One result card, every value escaped; Latin names beside Cyrillic outside Bulgarian.

    Without an address, the settlement as `places` names it in the reader's language.
    """
    latin = lang != "bg"
    fields = ", ".join(field_label.get(f, f) for f in _text(rec.get("fields")).split(";") if f)
    contacts = contact_links(_text(rec.get("phone")), _text(rec.get("email")),
                             _text(rec.get("website")))
    links = [_contact(href, label) for href, label in contacts]
    route = escape(directions_url(origin, rec["lon"], rec["lat"]), quote=True)
    links.append(f'<a href="{route}" target="_blank" rel="noopener">'
                 f"{escape(labels['directions'])}</a>")
    address = _text(rec.get("address")) or places.get(_text(rec.get("ekatte"))) \
        or _text(rec.get("settlement"))
    latin_name = _text(rec.get("name_latin"))
    alt = f' <span class="latin">{escape(latin_name)}</span>' \
        if latin and latin_name and latin_name != _text(rec["name"]) else ""
    notes = []
    approx = labels.get(f"approx_{rec.get('precision')}", "")
    if rec.get("precision") in APPROXIMATE and approx:
        notes.append(f'<div class="approx">{escape(approx)}</div>')
    if not contacts:
        fix = escape(CORRECTION_URL.format(id=quote(_text(rec.get("id")), safe="")), quote=True)
        notes.append(f'<div class="nocontact">{escape(labels["no_contact"])} '
                     f'<a href="{fix}" target="_top">{escape(labels["correct"])}</a></div>')
    return (
        f'<div class="result"><div><b>{rank}. {escape(_text(rec["name"]))}</b>{alt} '
        f'<span class="distance">· {escape(fmt_km(rec["distance_km"], lang))}</span></div>'
        f'<div class="meta">{escape(kind_label.get(rec["kind"], rec["kind"]))}'
        f"{' · ' + escape(fields) if fields else ''}</div>"
        f'<div class="address">{escape(address)}</div>{"".join(notes)}'
        f'<div class="links">{" · ".join(links)}</div></div>'
    )


def result_cards(results: pd.DataFrame, origin: tuple[float, float],
                 kind_label: dict[str, str], field_label: dict[str, str],
                 labels: dict[str, str], lang: str = "bg",
                 places: dict[str, str] | None = None) -> str:
    """One card per organisation; every value escaped, links limited to safe schemes.

    `labels` holds the translated 'directions', 'approx_settlement', 'approx_municipality',
    'no_contact' and 'correct'; `places` settlement names by EKATTE in the reader's
    language ('Кърджали (Kırcaali)'), for a card without an address.
    """
    labels = {"no_contact": "", "correct": "", **labels}
    cards = [_card(rank, rec, origin, kind_label, field_label, labels, lang, places or {})
             for rank, rec in enumerate(results.to_dict("records"), start=1)]
    style = ("<style>.result{padding:10px 0;border-bottom:1px solid #ddd}"
             ".result .meta,.result .address,.result .latin{font-size:14px;opacity:.85}"
             ".result .approx,.result .nocontact{font-size:13px;opacity:.8;font-style:italic}"
             ".result .links{margin-top:4px;font-size:15px;line-height:1.8}"
             ".result .links a{margin-right:4px}"
             ".result .links a.contact{display:inline-block;min-height:32px;"
             "padding:4px 0;overflow-wrap:anywhere}</style>")
    return style + "".join(cards)
