"""The dependency rule: `dialogs/`, `knowledge/` and `locales/` never reach for Telegram or the
front ends, and `locales/` (which every part reads) depends on no other part of the project.

Scanned from the source, so that the boundary cannot wear away unnoticed, and checked at run time,
so that an indirect import through a third module is caught as well.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("telegram", "bot")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("package", ["dialogs", "knowledge", "locales"])
def test_source_never_imports_telegram_or_bot(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files
    offenders = {
        f"{path.relative_to(ROOT)}: {module}"
        for path in files
        for module in imported_modules(path)
        if module.split(".")[0] in FORBIDDEN
    }
    assert not offenders


def test_locales_imports_no_other_part_of_the_project() -> None:
    files = sorted((ROOT / "locales").rglob("*.py"))
    offenders = {
        f"{path.relative_to(ROOT)}: {module}"
        for path in files
        for module in imported_modules(path)
        if module.split(".")[0] in ("bot", "dialogs", "knowledge", "telegram")
    }
    assert files and not offenders


def test_importing_the_core_loads_no_telegram() -> None:
    code = (
        "import sys, importlib, pkgutil, dialogs, knowledge, locales\n"
        "for pkg in (dialogs, knowledge, locales):\n"
        "    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        if not info.name.endswith('__main__'):\n"
        "            importlib.import_module(info.name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('telegram', 'bot')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "[]"


def test_knowledge_never_imports_the_dialog() -> None:
    # The dialog is built on the knowledge; the knowledge reaches the dialog's check only through
    # an entry point (knowledge/checks.py), never by importing it.
    offenders = {
        f"{path.relative_to(ROOT)}: {module}"
        for path in sorted((ROOT / "knowledge").rglob("*.py"))
        for module in imported_modules(path)
        if module.split(".")[0] == "dialogs"
    }
    assert not offenders
    code = (
        "import sys, importlib, pkgutil, knowledge\n"
        "for info in pkgutil.walk_packages(knowledge.__path__, 'knowledge.'):\n"
        "    if not info.name.endswith('__main__'):\n"
        "        importlib.import_module(info.name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'dialogs'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "[]"
