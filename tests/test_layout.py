"""The house rules, checked on the source: data flows one way, Streamlit stays on top.

civic ← geo, store ← sources ← intake; layers and reports on civic + geo; cli over all
but ui, layers and pages; ui and pages on top; nothing imports ui, pages or cli; only
civic.settings reads the environment.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("civic", "geo", "store", "sources", "intake", "layers", "reports", "cli", "ui",
            "pages")
ALLOWED = {
    "civic": {"civic"},
    "geo": {"civic", "geo"},
    "store": {"civic", "store"},
    "sources": {"civic", "geo", "store", "sources"},
    "intake": {"civic", "geo", "store", "sources", "intake"},
    "layers": {"civic", "geo", "layers"},
    "reports": {"civic", "geo", "reports"},
    "cli": {"civic", "geo", "store", "sources", "intake", "reports", "cli"},
    "ui": {"civic", "geo", "store", "sources", "intake", "layers", "reports", "ui"},
    "pages": {"civic", "geo", "store", "sources", "intake", "layers", "reports", "ui"},
    "app": {"civic", "ui"},
}
STREAMLIT_HOMES = {"ui", "pages", "app"}


def _modules() -> list[Path]:
    files = [ROOT / "app.py"]
    for package in PACKAGES:
        files += sorted((ROOT / package).rglob("*.py"))
    return files


def _package(path: Path) -> str:
    rel = path.relative_to(ROOT)
    return "app" if rel.parts[0] == "app.py" else rel.parts[0]


def imported_packages(source: str) -> set[str]:
    """Top-level names of every module the source imports, at any depth of the code."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def reads_environment(source: str) -> bool:
    """True when the code touches os.environ or os.getenv."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv") \
                and isinstance(node.value, ast.Name) and node.value.id == "os":
            return True
    return False


MODULES = _modules()
IDS = [str(p.relative_to(ROOT)) for p in MODULES]


@pytest.mark.parametrize("path", MODULES, ids=IDS)
def test_imports_follow_the_flow(path):
    package = _package(path)
    project = imported_packages(path.read_text(encoding="utf-8")) & (set(PACKAGES) | {"app"})
    against = sorted(project - ALLOWED[package])
    assert not against, f"{path.relative_to(ROOT)} ({package}) imports {against}"


@pytest.mark.parametrize("path", MODULES, ids=IDS)
def test_streamlit_only_on_top(path):
    uses = "streamlit" in imported_packages(path.read_text(encoding="utf-8"))
    assert not uses or _package(path) in STREAMLIT_HOMES


@pytest.mark.parametrize("path", MODULES, ids=IDS)
def test_only_settings_reads_the_environment(path):
    rel = path.relative_to(ROOT).as_posix()
    assert rel == "civic/settings.py" or not reads_environment(path.read_text(encoding="utf-8"))


def test_the_checks_themselves_catch_violations():
    assert imported_packages("def f():\n    from pages import map\n") == {"pages"}
    assert imported_packages("import streamlit as st") == {"streamlit"}
    assert reads_environment("import os\nx = os.environ.get('A')")
    assert reads_environment("import os\nx = os.getenv('A')")
    assert not reads_environment("import os\nx = os.path.join('a')")


def test_pages_never_import_each_other():
    for path in (ROOT / "pages").glob("*.py"):
        assert "pages" not in imported_packages(path.read_text(encoding="utf-8"))
