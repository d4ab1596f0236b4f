"""Every message a user can see has a Bulgarian and a Turkish translation.

Collected from the code itself: `_("…")`, `gettext("…", lang)` and the message of every
typed error (`civic.errors`) raised in the packages whose text reaches the pages. The
command line (`cli/`, English) and the build's report are left out on purpose.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from civic import errors
from civic.i18n import _catalogue

ROOT = Path(__file__).resolve().parents[1]
USER_FACING = ("civic", "geo", "store", "intake", "layers", "reports", "ui", "pages")
ERROR_NAMES = {name for name, value in vars(errors).items()
               if isinstance(value, type) and issubclass(value, errors.CivicError)}
ERROR_NAMES |= {"RowProblem"}  # intake.rules: a rejected row's reason, shown on the page
PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")


def _files() -> list[Path]:
    files = [ROOT / "app.py"]
    for package in USER_FACING:
        files += sorted((ROOT / package).rglob("*.py"))
    return files


def _callee(node: ast.Call) -> str | None:
    func = node.func
    return func.id if isinstance(func, ast.Name) else \
        func.attr if isinstance(func, ast.Attribute) else None


def messages(source: str) -> tuple[list[str], list[int]]:
    """(message ids, lines of messages that cannot be translated: f-strings in `_()`)."""
    found, dynamic = [], []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name, first = _callee(node), node.args[0]
        if name in ("_", "gettext") or name in ERROR_NAMES:
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append(first.value)
            elif isinstance(first, ast.JoinedStr) and name == "_":
                dynamic.append(node.lineno)
    return found, dynamic


def _collect() -> dict[str, str]:
    out: dict[str, str] = {}
    for path in _files():
        found, _lines = messages(path.read_text(encoding="utf-8"))
        for message in found:
            out.setdefault(message, str(path.relative_to(ROOT)))
    return out


MESSAGES = _collect()


def test_the_collector_sees_errors_and_calls():
    found, dynamic = messages('_("Map")\nraise UsageError("bad {x}", x=1)\n_(f"{y}")\n')
    assert found == ["Map", "bad {x}"] and dynamic == [3]
    assert len(MESSAGES) > 300


@pytest.mark.parametrize("lang", ["bg", "tr"])
def test_every_user_message_is_translated(lang):
    catalogue = _catalogue(lang)
    missing = sorted(f"{where}: {m!r}" for m, where in MESSAGES.items() if not catalogue.get(m))
    assert not missing, f"{len(missing)} untranslated ({lang}):\n" + "\n".join(missing)


@pytest.mark.parametrize("lang", ["bg", "tr"])
def test_translations_keep_the_placeholders(lang):
    wrong = [m for m, t in _catalogue(lang).items()
             if set(PLACEHOLDER.findall(m)) != set(PLACEHOLDER.findall(t))]
    assert not wrong, wrong


def test_no_fstrings_inside_translation_calls():
    dynamic = [f"{p.relative_to(ROOT)}:{n}" for p in _files()
               for n in messages(p.read_text(encoding="utf-8"))[1]]
    assert not dynamic, dynamic


@pytest.mark.parametrize("lang", ["bg", "tr"])
def test_every_stored_code_has_words(lang):
    from civic.i18n import TERMS
    from civic.vocabularies import KIND_TITLES, NEEDS

    catalogue = _catalogue(lang)
    words = [*TERMS.values(), *KIND_TITLES.values(), *NEEDS.values()]
    assert not [t for t in words if not catalogue.get(t)]
