"""The nearby result list as escaped HTML cards: name, kind, fields, distance, address,
contacts as tel:/mailto:/web links and a directions link to OpenStreetMap routing."""

from __future__ import annotations

from html import escape

import pandas as pd

from layers.popup import contact_links

OSM_DIRECTIONS = ("https://www.openstreetmap.org/directions?engine=fossgis_osrm_foot"
                  "&route={lat1:.5f},{lon1:.5f};{lat2:.5f},{lon2:.5f}")


def directions_url(origin: tuple[float, float], lon: float, lat: float) -> str:
    """OpenStreetMap routing from (lon, lat) `origin` to the organisation."""
    return OSM_DIRECTIONS.format(lat1=origin[1], lon1=origin[0], lat2=lat, lon2=lon)


def result_cards(results: pd.DataFrame, origin: tuple[float, float],
                 kind_label: dict[str, str], field_label: dict[str, str],
                 labels: dict[str, str], latin: bool = False) -> str:
    """One card per organisation; every value escaped, links limited to safe schemes."""
    cards = []
    for rank, rec in enumerate(results.to_dict("records"), start=1):
        def text(value) -> str:
            return "" if value is None or (isinstance(value, float) and value != value) \
                else str(value)

        fields = ", ".join(field_label.get(f, f) for f in text(rec.get("fields")).split(";")
                           if f)
        links = [f'<a href="{href}" target="_blank" rel="noopener">{label}</a>' for href, label
                 in contact_links(text(rec.get("phone")), text(rec.get("email")),
                                  text(rec.get("website")))]
        route = escape(directions_url(origin, rec["lon"], rec["lat"]), quote=True)
        links.append(f'<a href="{route}" target="_blank" rel="noopener">'
                     f"{escape(labels['directions'])}</a>")
        address = text(rec.get("address")) or text(rec.get("settlement"))
        alt = f' <span class="latin">{escape(text(rec.get("name_latin")))}</span>' \
            if latin and rec.get("name_latin") else ""
        cards.append(
            f'<div class="result"><div><b>{rank}. {escape(rec["name"])}</b>{alt} '
            f'<span class="distance">· {rec["distance_km"]:.1f} km</span></div>'
            f'<div class="meta">{escape(kind_label.get(rec["kind"], rec["kind"]))}'
            f"{' · ' + escape(fields) if fields else ''}</div>"
            f'<div class="address">{escape(address)}</div>'
            f'<div class="links">{" · ".join(links)}</div></div>'
        )
    style = ("<style>.result{padding:10px 0;border-bottom:1px solid #ddd}"
             ".result .meta,.result .address,.result .latin{font-size:14px;opacity:.85}"
             ".result .links{margin-top:4px;font-size:15px;line-height:1.8}"
             ".result .links a{margin-right:4px}</style>")
    return style + "".join(cards)
