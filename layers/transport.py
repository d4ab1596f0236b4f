r"""Text in the map's data as compact ASCII: Cyrillic letters one byte each.

Streamlit hands a component its arguments as JSON written with `ensure_ascii`, so every
Cyrillic letter of a name or address costs six bytes (`\u0421`). Here a `^` switches to
Cyrillic, where the letters (and „ “ –) are the codes below, and switches back before
another code character; a literal `^` is `^^`. `civicmap.js` (`civicText`) decodes it.
The decoded text is only ever set with `textContent`.
"""

from __future__ import annotations

import base64
import json
import zlib

CYRILLIC = "АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЬЮЯабвгдежзийклмнопрстуфхцчшщъьюя„“–"
CODES = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"
TO_CODE = dict(zip(CYRILLIC, CODES))
FROM_CODE = dict(zip(CODES, CYRILLIC))
SHIFT = "^"


def ascii_text(text: str) -> str:
    """`text` with Cyrillic runs as one ASCII byte per letter (see the module docstring)."""
    out, cyrillic = [], False
    for ch in text:
        if ch == SHIFT:
            out.append(SHIFT * 2)
        elif ch in TO_CODE:
            if not cyrillic:
                out.append(SHIFT)
                cyrillic = True
            out.append(TO_CODE[ch])
        elif ch in FROM_CODE:
            if cyrillic:
                out.append(SHIFT)
                cyrillic = False
            out.append(ch)
        else:
            out.append(ch)
    return "".join(out)


def plain_text(text: str) -> str:
    """The inverse of `ascii_text` (what `civicText` does in the browser)."""
    out, cyrillic, i = [], False, 0
    while i < len(text):
        ch = text[i]
        if ch == SHIFT and text[i + 1:i + 2] == SHIFT:
            out.append(SHIFT)
            i += 2
            continue
        if ch == SHIFT:
            cyrillic = not cyrillic
        else:
            out.append(FROM_CODE.get(ch, ch) if cyrillic else ch)
        i += 1
    return "".join(out)


def ascii_texts(value):
    """Every string inside `value` (dicts, lists) through `ascii_text`; keys unchanged."""
    if isinstance(value, str):
        return ascii_text(value)
    if isinstance(value, dict):
        return {k: ascii_texts(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [ascii_texts(v) for v in value]
    return value


def plain_texts(value):
    """`plain_text` over every string inside `value` (the inverse of `ascii_texts`)."""
    if isinstance(value, str):
        return plain_text(value)
    if isinstance(value, list):
        return [plain_texts(v) for v in value]
    if isinstance(value, dict):
        return {k: plain_texts(v) for k, v in value.items()}
    return value


# base85 with the letters unsafe in a script, an attribute or a Jinja template swapped
# (the alphabet `civicmap.js` and `actions.js` decode)
B85_SAFE = str.maketrans("&<>`{", ",.:[]")
B85_BACK = str.maketrans(",.:[]", "&<>`{")


def deflated(value, tail: bytes = b"") -> str:
    """`value` as one ASCII string the map's script unpacks (`civicUnpack` in `civicmap.js`).

    The JSON (text in this module's ASCII) deflated, after its length (4 bytes, big-endian),
    then `tail`; zero-padded to whole 4-byte groups and written in base85 (`B85_SAFE`).
    """
    text = json.dumps(ascii_texts(value), ensure_ascii=True, separators=(",", ":"))
    packed = zlib.compress(text.encode("ascii"), 9)
    data = len(packed).to_bytes(4, "big") + packed + tail
    data += b"\0" * (-len(data) % 4)
    return base64.b85encode(data).decode("ascii").translate(B85_SAFE)


def inflated(text: str) -> tuple[object, bytes]:
    """The inverse of `deflated`: the value and the tail (with its zero padding)."""
    data = base64.b85decode(text.translate(B85_BACK))
    size = int.from_bytes(data[:4], "big")
    return plain_texts(json.loads(zlib.decompress(data[4:4 + size]))), data[4 + size:]
