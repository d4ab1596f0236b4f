"""Read the Registry Agency's (BRRA) open-data XML: non-profit legal entities only.

The export wraps `Deed` elements in an envelope (namespace
http://www.registryagency.bg/schemas/envelopev2). Each deed names its legal form, company
name and UIC, and carries a seat address with EKATTE codes, contacts and objectives. Only
those are read: representatives, founders and any other person data are never touched.
"""

from __future__ import annotations

import defusedxml.ElementTree as ET  # refuses entity expansion bombs

# Registry legal-form codes → our legal forms; every other form (companies, sole traders)
# is skipped.
NONPROFIT_FORMS = {
    "ASSOC": "association", "СДРУЖЕНИЕ": "association",
    "FOUND": "foundation", "ФОНДАЦИЯ": "foundation",
    "CC": "chitalishte", "ЧИТАЛИЩЕ": "chitalishte",
    "BFLE": "branch", "КЛОН НА ЧУЖДЕСТРАННО ЮЛНЦ": "branch",
}

# Documented keyword rules: a field of activity applies when the objectives text contains
# one of its Bulgarian word stems (lower case).
FIELD_KEYWORDS = {
    "social": ("социал", "бедност", "нуждаещ"),
    "education": ("образован", "обучен", "училищ", "квалификац"),
    "youth": ("младеж", "младите"),
    "children": ("деца", "детск", "детето"),
    "culture": ("култур", "изкуств", "фолклор", "традици", "читалищ"),
    "environment": ("околна среда", "околната среда", "еколог", "природ", "климат"),
    "health": ("здрав", "болни", "медицин"),
    "disability": ("увреждан", "инвалид"),
    "roma_inclusion": ("роми", "ромск", "ромит"),
    "minorities": ("малцинств", "етнически"),
    "elderly": ("възрастни", "пенсионер", "третата възраст"),
    "women": ("жени", "жените", "равнопоставеност на половете"),
    "human_rights": ("права на човека", "правата на", "дискриминац"),
    "civic_participation": ("гражданск", "демократ", "прозрачност"),
    "local_development": ("местно развитие", "регионално развитие", "общност"),
    "volunteering": ("доброволч", "доброволец"),
    "sport": ("спорт", "физическа активност"),
    "tourism": ("туриз", "туристич"),
    "agriculture": ("земедел", "селско стопанство", "фермер"),
    "media": ("медии", "журналист", "медиен"),
    "business": ("предприемач", "бизнес", "икономическ"),
    "religion": ("религи", "църк", "вероизповед", "джамия"),
    "animals": ("животн",),
}


def fields_from_objectives(text: str) -> list[str]:
    """Fields of activity derived from an objectives text by FIELD_KEYWORDS."""
    low = (text or "").lower()
    return [field for field, stems in FIELD_KEYWORDS.items() if any(s in low for s in stems)]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(elem, name: str):
    for child in elem.iter():
        if _local(child.tag) == name:
            return child
    return None


def _value(elem, name: str) -> str:
    """An attribute or a descendant element's text, by local name."""
    if elem is None:
        return ""
    if name in elem.attrib:
        return elem.attrib[name].strip()
    found = _find(elem, name)
    return (found.text or "").strip() if found is not None and found.text else ""


def parse_brra(data: bytes) -> tuple[list[dict], list[dict]]:
    """(rows, skipped): one row per non-profit deed in the template's columns, and the rest.

    Skipped deeds (other legal forms) come with their position and reason. Raises ValueError
    on XML that is not well formed.
    """
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ValueError(f"not well-formed XML ({exc})") from exc
    rows, skipped = [], []
    deeds = [e for e in root.iter() if _local(e.tag) == "Deed"]
    for number, deed in enumerate(deeds, start=1):
        form_code = _value(deed, "LegalForm").upper()
        name = _value(deed, "CompanyName") or _value(deed, "Name")
        if form_code not in NONPROFIT_FORMS:
            skipped.append({"row": number, "name": name,
                            "reason": f"legal form {form_code or '?'} is not a non-profit"})
            continue
        seat = _find(deed, "Seat")
        address = _find(seat, "Address") if seat is not None else None
        where = address if address is not None else seat
        street = " ".join(x for x in (_value(where, "Street"), _value(where, "StreetNumber"),
                                      _value(where, "Block")) if x)
        contacts = _find(deed, "Contacts")
        objectives = _value(deed, "Objectives") or _value(deed, "ObjectivesText")
        rows.append({
            "row": number,
            "name": name,
            "legal_form": NONPROFIT_FORMS[form_code],
            "uic": _value(deed, "UIC"),
            "ekatte": _value(where, "SettlementEKATTE"),
            "settlement": _value(where, "Settlement"),
            "municipality": _value(where, "Municipality"),
            "province": _value(where, "District"),
            "address": street,
            "postal_code": _value(where, "PostCode"),
            "phone": _value(contacts, "Phone"),
            "email": _value(contacts, "EMail") or _value(contacts, "Email"),
            "website": _value(contacts, "URL") or _value(contacts, "Url"),
            "fields": ";".join(fields_from_objectives(objectives)),
        })
    return rows, skipped
