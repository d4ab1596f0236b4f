"""Hostile files made on the fly: a zip-bomb workbook (small on disk, huge unpacked)."""

from __future__ import annotations

import zipfile
from pathlib import Path

_CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
                  'openxmlformats.org/package/2006/content-types"><Default Extension="xml" '
                  'ContentType="application/xml"/></Types>')


def zip_bomb_xlsx(path: Path, unpacked_mb: int = 1500) -> Path:
    """A workbook whose shared-strings part unpacks to `unpacked_mb` MB of one string."""
    chunk = b"A" * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        with zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/'
                       b'spreadsheetml/2006/main"><si><t>')
            for _ in range(unpacked_mb):
                part.write(chunk)
            part.write(b"</t></si></sst>")
    return path
