r"""Text in the map's data as compact ASCII: Cyrillic letters one byte each.

Streamlit hands a component its arguments as JSON written with `ensure_ascii`, so every
Cyrillic letter of a name or address costs six bytes (`\u0421`). Here a `^` switches to
Cyrillic, where the letters (and „ “ –) are the codes below, and switches back before
another code character; a literal `^` is `^^`. `civicmap.js` (`civicText`) decodes it.
The decoded text is only ever set with `textContent`.
"""

from __future__ import annotations

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
