"""Parse Bulgarian address strings (Cyrillic or Latin) into their parts.

"ул. „Лудогорие“ № 19, 7330 Завет" → street "ул. Лудогорие 19", postal code 7330,
settlement "Завет". Parts are told apart by their marker words; an unmarked part is a
place name, and the first one is taken as the settlement. A part in brackets is a part
like one after a comma: "Мъдрец (Кърджали)" is "Мъдрец, Кърджали". Unmarked parts after
the settlement (`others`) are hints: the gazetteer reads them as municipality or province.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from civic.text import TOWN_PREFIX, VILLAGE_PREFIX

_QUOTES = re.compile(r"[\"„“”«»‘’`″]")
_POSTAL_MARKED = re.compile(r"(?:п\.?\s*к\.?|п\.\s*код|пощенски код|p\.?\s*k\.?|post(?:al)?\s*code)"
                            r"\s*:?\s*(\d{4})\b", re.IGNORECASE)
_FOUR_DIGITS = re.compile(r"(?<![\d.])(\d{4})(?![\d.])")
_MUNICIPALITY = re.compile(r"^(?:общ\.?|община|obsht?\.?|obshtina|obstina|municipality)\s+",
                           re.IGNORECASE)
_MUNICIPALITY_AFTER = re.compile(r"\s+(?:municipality|obshtina)$", re.IGNORECASE)
_PROVINCE = re.compile(r"^(?:обл\.?|област|obl\.?|oblast|province|district)\s+", re.IGNORECASE)
_PROVINCE_AFTER = re.compile(r"\s+(?:province|oblast|district)$", re.IGNORECASE)
_BRACKETED = re.compile(r"\(([^()]*)\)")
_STREET = re.compile(
    r"^(?:ул\.?|улица|бул\.?|булевард|ж\.?\s?к\.?|жк|кв\.?|квартал|пл\.?|площад|бл\.?|вх\.?|"
    r"ет\.?|ап\.?|ul\.?|bul\.?|blvd\.?|zh\.?k\.?|kv\.?|pl\.?|str\.?|street)(?:\s|$|(?<=\.))",
    re.IGNORECASE,
)
_STREET_AFTER = re.compile(r"\b(?:str\.?|street|blvd\.?)$", re.IGNORECASE)
_NUMBER_SIGN = re.compile(r"№\s*")


@dataclass
class ParsedAddress:
    """What an address string says; every part may be empty."""

    text: str
    settlement: str = ""
    settlement_type: str | None = None  # 'гр.' or 'с.' when the text says so
    municipality: str = ""
    province: str = ""
    postal_code: str = ""
    street: str = ""
    others: list[str] = field(default_factory=list)  # unmarked parts after the settlement


def _clean(text: str) -> str:
    """No quotes or number signs, brackets as commas, single spaces."""
    text = _QUOTES.sub("", text or "")
    text = _NUMBER_SIGN.sub("", text)
    text = _BRACKETED.sub(r", \1,", text).replace("(", ",").replace(")", ",")
    return re.sub(r"\s+", " ", text).strip()


def parse(text: str) -> ParsedAddress:
    """Split an address into settlement, municipality, province, postal code and street."""
    out = ParsedAddress(text=text)
    cleaned = _clean(text)
    marked = _POSTAL_MARKED.search(cleaned)
    if marked:
        out.postal_code = marked.group(1)
        cleaned = (cleaned[: marked.start()] + "," + cleaned[marked.end():]).strip()
    street: list[str] = []
    unmarked: list[str] = []
    for raw in re.split(r"[,;]", cleaned):
        part = raw.strip(" .-")
        if not part:
            continue
        if not out.postal_code and (m := _FOUR_DIGITS.search(part)) and not _STREET.match(part):
            # "7330 Завет" or "Kardzhali 6600": a 4-digit number beside a place is its code
            rest = (part[: m.start()] + part[m.end():]).strip()
            if not re.search(r"\d", rest):
                out.postal_code = m.group(1)
                part = rest
                if not part:
                    continue
        if _MUNICIPALITY.match(part) or _MUNICIPALITY_AFTER.search(part):
            out.municipality = _MUNICIPALITY_AFTER.sub("", _MUNICIPALITY.sub("", part)).strip()
        elif _PROVINCE.match(part) or _PROVINCE_AFTER.search(part):
            out.province = _PROVINCE_AFTER.sub("", _PROVINCE.sub("", part)).strip()
        elif _STREET.match(part) or _STREET_AFTER.search(part) or re.search(r"\d", part):
            street.append(part)
        elif (m := TOWN_PREFIX.match(part)) and not out.settlement_type:
            out.settlement, out.settlement_type = part[m.end():].strip(" ."), "гр."
            street.extend(unmarked)  # unmarked words before "гр. X" name its street
            unmarked = []
        elif (m := VILLAGE_PREFIX.match(part)) and not out.settlement_type:
            out.settlement, out.settlement_type = part[m.end():].strip(" ."), "с."
            street.extend(unmarked)
            unmarked = []
        else:
            unmarked.append(part)
    if not out.settlement_type and unmarked:
        out.settlement = unmarked.pop(0)
    out.others = unmarked
    out.street = ", ".join(street)
    return out
