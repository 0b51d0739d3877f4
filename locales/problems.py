"""Every problem of a set of data files at once, each as `file: path.to.field: message`.

An author or translator fixes a file in one go only when they see all its problems together, each
at its own place, never a traceback. The knowledge's loader and the text bundles' reader gather
them the same way, so both build on this collector (locales/ is the floor every part may read).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

WHOLE_FILE = "(file)"


class FileProblemsError(Exception):
    """Files are broken; `errors` lists every problem as `file: path: message`."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


def location(loc: Iterable[str | int]) -> str:
    """A pydantic error location as the dotted path an author sees (`interventions.0.title`)."""
    return ".".join(str(part) for part in loc) or WHOLE_FILE


class FileProblems:
    """Gathers the problems of the files below `root` so that one run reports them all."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.errors: list[str] = []

    def add(self, path: Path, where: str, message: str) -> None:
        """One problem at `where` in the file at `path` (named relative to `root`)."""
        self.errors.append(f"{path.relative_to(self.root).as_posix()}: {where}: {message}")

    def add_validation(
        self, path: Path, error: ValidationError, prefix: tuple[Any, ...] = ()
    ) -> None:
        """Every problem pydantic found, each at its own place below `prefix`."""
        for item in error.errors(include_url=False):
            self.add(path, location((*prefix, *item["loc"])), item["msg"])
