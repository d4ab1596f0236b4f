"""The map's Latin names: civicmap.js spells them in the browser exactly as Python does.

English and Turkish maps no longer carry every organisation's Latin name; `civicSpelled`
(layers/civicmap.js) must give `civic.text.to_latin` for each one. Run with Node, which
the build already needs for Leaflet.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from civic.text import to_latin

JS = Path(__file__).resolve().parent.parent / "layers" / "civicmap.js"
TRICKY = ["", "София", "СОФИЯ", "Ия", "ия1", "българия_", "ия-то", "НЧ „Просвета-1902“",
          "ЩЪРКЕЛ Жълт Юг Ябълка Ьь Йй", "ѝ Ѝ ё Ё", "Асоциация ATM 2.0", "фондация\u00a0Кирия.",
          "Читалище „Христо Ботев – 1928“ с. Бяла"]


def _spelled(names: list[str]) -> list[str]:
    node = shutil.which("node") or shutil.which("nodejs")
    if not node:
        pytest.fail("node not found: apt-get install nodejs (the build needs it too)")
    # Leaflet and the page are stubs: only the file's top-level definitions run
    script = ("const vm = require('vm'), fs = require('fs');"
              "const stub = new Proxy(function () {}, {get: () => stub, apply: () => stub,"
              " construct: () => stub}); const c = {L: stub, window: stub, document: stub};"
              f"vm.runInNewContext(fs.readFileSync({json.dumps(str(JS))}, 'utf8'), c);"
              "const names = JSON.parse(fs.readFileSync(0, 'utf8'));"
              "process.stdout.write(JSON.stringify(names.map(c.civicSpelled)));")
    done = subprocess.run([node, "-e", script], input=json.dumps(names), capture_output=True,
                          text=True, check=True, timeout=60)
    return json.loads(done.stdout)


@pytest.mark.unit
def test_tricky_names_spelled_as_python_does():
    assert _spelled(TRICKY) == [to_latin(n) for n in TRICKY]


def test_every_organisation_name_spelled_as_stored(orgs):
    names = [n for n in orgs["name"].dropna()]
    spelled = _spelled(names)
    wrong = [(n, s, lat) for n, s, lat in zip(names, spelled, orgs["name_latin"].dropna())
             if s != lat]
    assert not wrong, wrong[:5]
