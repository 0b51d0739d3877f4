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


def source_offenders(package: str, forbidden: tuple[str, ...]) -> set[str]:
    """Each `file: module` where a module of `package` imports from a `forbidden` top package."""
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"no Python files in {package}/"
    return {
        f"{path.relative_to(ROOT)}: {module}"
        for path in files
        for module in imported_modules(path)
        if module.split(".")[0] in forbidden
    }


def loaded_by_importing(packages: tuple[str, ...], forbidden: tuple[str, ...]) -> str:
    """Import every module of `packages` in a fresh interpreter; which `forbidden` ones it loaded.

    A fresh process, so that what other tests imported does not count; the answer is the sorted
    list of loaded modules under a forbidden top package, as printed (`[]` when none).
    """
    code = (
        "import sys, importlib, pkgutil\n"
        f"for name in {packages!r}:\n"
        "    pkg = importlib.import_module(name)\n"
        "    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        if not info.name.endswith('__main__'):\n"
        "            importlib.import_module(info.name)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {forbidden!r}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return result.stdout.strip()


@pytest.mark.parametrize("package", ["dialogs", "knowledge", "locales"])
def test_source_never_imports_telegram_or_bot(package: str) -> None:
    assert not source_offenders(package, FORBIDDEN)


def test_locales_imports_no_other_part_of_the_project() -> None:
    assert not source_offenders("locales", ("bot", "dialogs", "knowledge", "telegram"))


def test_importing_the_core_loads_no_telegram() -> None:
    assert loaded_by_importing(("dialogs", "knowledge", "locales"), FORBIDDEN) == "[]"


def test_knowledge_never_imports_the_dialog() -> None:
    # The dialog is built on the knowledge; the knowledge reaches the dialog's check only through
    # an entry point (knowledge/checks.py), never by importing it.
    assert not source_offenders("knowledge", ("dialogs",))
    assert loaded_by_importing(("knowledge",), ("dialogs",)) == "[]"


# -- simple enough to change ---------------------------------------------------------------------
MAX_COMPLEXITY = 15  # cyclomatic complexity of one function (issue 22), by radon's counting
APP_PACKAGES = ("bot", "dialogs", "knowledge", "locales")


def too_complex(packages: tuple[str, ...], root: Path = ROOT) -> list[str]:
    """Each `file:line name complexity` of a function of `packages` above MAX_COMPLEXITY."""
    from radon.complexity import cc_visit

    found: list[str] = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            for block in cc_visit(path.read_text(encoding="utf-8")):
                if block.complexity > MAX_COMPLEXITY:
                    where = f"{path.relative_to(root)}:{block.lineno}"
                    found.append(f"{where} {block.fullname} {block.complexity}")
    return found


def test_no_function_of_the_app_is_too_complex_to_change() -> None:
    assert too_complex(APP_PACKAGES) == []


def test_the_complexity_count_sees_a_branchy_function(tmp_path: Path) -> None:
    branches = "".join(f"    if x == {n}:\n        return {n}\n" for n in range(16))
    package = tmp_path / "branchy"
    package.mkdir()
    (package / "many.py").write_text(f"def many(x):\n{branches}    return -1\n", encoding="utf-8")
    assert too_complex(("branchy",), tmp_path) == ["branchy/many.py:1 many 17"]


def test_each_colour_of_the_palette_is_written_once() -> None:
    """The pictures and the plan take their colours from bot/artifacts/palette.py (issue 22:
    the blue stood in three files)."""
    import re

    palette = (ROOT / "bot" / "artifacts" / "palette.py").read_text(encoding="utf-8")
    colours = re.findall(r"\(\d+, \d+, \d+\)", palette)
    assert colours
    sources = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "bot").rglob("*.py"))]
    for colour in colours:
        assert sum(source.count(colour) for source in sources) == 1, colour
