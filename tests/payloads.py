"""A corpus of hostile text: each payload, if it ever ran, sets `window.__pwned` or opens a dialog.

Used by the unit tests of layers.safe and by the Chromium tests on every page.
"""

from __future__ import annotations

PAYLOADS = (
    "<script>window.__pwned=1</script> Сдружение",
    "<img src=x onerror=\"window.__pwned=2\"> Читалище",
    "\"'><svg onload=window.__pwned=3> Фондация",
    "${window.__pwned=4} НЧ „Пробуда“ `backtick`",
    "${alert(1)} НЧ \"Пробуда\" 'кавички'",
    "</script><script>window.__pwned=5</script> Клуб",
    "javascript:window.__pwned=6 Център",
    "\u202eалбуК\u202c \u200bневидим\u200d Bidi",
    "`;window.__pwned=7;` </div><b onmouseover=window.__pwned=8>x</b>",
)
HOSTILE_URL = "javascript:window.__pwned=9"
