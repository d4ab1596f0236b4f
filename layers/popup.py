"""Organisation popups: compact, pre-escaped properties and the script that shows them.

Every free-text value is escaped in Python (html.escape) before it reaches the page, and
only http(s), tel: and mailto: links survive, so names or notes holding markup show as
text. Repeated words (kind, legal form, fields, source, precision note) travel as codes and
are looked up in one translated table per layer.
"""

from __future__ import annotations

import json
from html import escape
from urllib.parse import urlparse

from folium.utilities import JsCode

SAFE_SCHEMES = {"http", "https"}
BRIEF_KEYS = ("n", "l", "k", "s", "p")


def safe_url(url: str | None) -> str | None:
    """An http(s) URL, or None (javascript:, data: and the like are dropped)."""
    if not url:
        return None
    url = url.strip()
    if "://" not in url and "." in url and " " not in url and ":" not in url:
        url = "https://" + url
    parsed = urlparse(url)
    return url if parsed.scheme.lower() in SAFE_SCHEMES and parsed.netloc else None


def contact_links(phone: str | None, email: str | None, website: str | None) -> list[list[str]]:
    """[href, text] pairs for tel:, mailto: and website links, both escaped."""
    out = []
    for number in (phone or "").replace(",", ";").split(";"):
        digits = "".join(ch for ch in number if ch.isdigit() or ch == "+")
        if len(digits) >= 6:
            out.append([f"tel:{digits}", escape(number.strip())])
    for address in (email or "").replace(",", ";").split(";"):
        address = address.strip()
        if "@" in address and " " not in address and ":" not in address and "<" not in address:
            out.append([escape(f"mailto:{address}", quote=True), escape(address)])
    url = safe_url(website)
    if url:
        out.append([escape(url, quote=True), escape(url.split("://", 1)[1].rstrip("/"))])
    return out


def popup_properties(rec: dict, brief: bool = False) -> dict:
    """Short keys: escaped free text, plus codes for kind, legal form, fields, source and
    precision. `brief` keeps name, kind, settlement and precision (a presumed library
    repeats its chitalishte, which has the full popup)."""
    props = {
        "n": escape(rec["name"]),
        "l": escape(rec.get("name_latin") or ""),
        "k": rec.get("kind_key") or rec.get("kind"),
        "g": rec.get("legal_form") or "",
        "f": rec.get("fields") or "",
        "a": escape(rec.get("address") or ""),
        "s": escape(rec.get("settlement") or ""),
        "m": escape(rec.get("municipality") or ""),
        "c": contact_links(rec.get("phone"), rec.get("email"), rec.get("website")),
        "src": rec.get("source") or "",
        "su": escape(safe_url(rec.get("source_url")) or "", quote=True),
        "d": escape(str(rec.get("source_date") or "")),
        "p": rec.get("precision") or "",
    }
    keep = BRIEF_KEYS if brief else props
    return {k: v for k, v in props.items() if v and k in keep}


def popup_script(texts: dict[str, dict[str, str]]) -> JsCode:
    """onEachFeature: builds the popup from pre-escaped properties and the code tables."""
    escaped = {group: {k: escape(v) for k, v in table.items()} for group, table in texts.items()}
    return JsCode("""
    function (feature, layer) {
        var p = feature.properties, T = __TEXTS__, L_ = T.label;
        function row(label, value) {
            return value ? '<tr><th>' + label + '</th><td>' + value + '</td></tr>' : '';
        }
        function link(href, text) {
            return '<a href="' + href + '" target="_blank" rel="noopener noreferrer">'
                + text + '</a>';
        }
        function term(code) { return T.term[code] || ''; }
        var fields = (p.f || '').split(';').filter(Boolean).map(term).join(', ');
        var contacts = (p.c || []).map(function (c) { return link(c[0], c[1]); }).join('<br>');
        var src = term(p.src);
        var source = p.su ? link(p.su, src || p.su) : src;
        if (p.d) { source += ' (' + p.d + ')'; }
        var note = T.precision[p.p] || '';
        var html = '<div class="org-popup"><b class="org-name">' + p.n + '</b>'
            + (p.l ? '<div class="latin">' + p.l + '</div>' : '')
            + '<table>' + row(L_.kind, T.kind[p.k]) + row(L_.legal_form, term(p.g))
            + row(L_.fields, fields) + row(L_.address, p.a) + row(L_.settlement, p.s)
            + row(L_.municipality, p.m) + row(L_.contacts, contacts) + row(L_.source, source)
            + '</table>' + (note ? '<p class="precision">' + note + '</p>' : '')
            + (feature.id ? '<p><a href="/data?correct=' + encodeURIComponent(feature.id)
               + '" target="_top">' + T.label.correct + '</a></p>' : '') + '</div>';
        layer.bindPopup(html, {maxWidth: 320});
        layer.bindTooltip(p.l ? p.n + ' (' + p.l + ')' : p.n);
    }
    """.replace("__TEXTS__", json.dumps(escaped, ensure_ascii=False)))
