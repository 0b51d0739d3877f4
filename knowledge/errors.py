"""How the knowledge reports what is wrong: every problem at once, each with its place.

An author fixes a file in one go only when they see all its problems together, each as
`file: path.to.field: message`. Readers and checks add to one :class:`Collector`; the loader raises
:class:`KnowledgeError` with the whole list, never a traceback at an author.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from knowledge.yaml_source import parse_yaml

FileModel = TypeVar("FileModel", bound=BaseModel)


class KnowledgeError(Exception):
    """The knowledge files are broken; `errors` lists every problem as `file: path: message`."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


def location(loc: Iterable[str | int]) -> str:
    """A pydantic error location as the dotted path an author sees (`interventions.0.title`)."""
    return ".".join(str(part) for part in loc) or "(file)"


class Collector:
    """Gathers errors across all files so that one run reports them all."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.errors: list[str] = []

    def add(self, path: Path, where: str, message: str) -> None:
        """One problem at `where` in the file at `path` (named relative to the data folder)."""
        self.errors.append(f"{path.relative_to(self.root)}: {where}: {message}")

    def add_validation(self, path: Path, error: ValidationError, prefix: tuple[Any, ...]) -> None:
        """Every problem pydantic found, each at its own place below `prefix`."""
        for item in error.errors():
            self.add(path, location((*prefix, *item["loc"])), item["msg"])

    def read(self, path: Path) -> Any:
        """The parsed YAML of `path`; None (and an error) when missing, empty or not valid YAML.

        An empty file is an error of its own: it parses to nothing, and nothing must never pass
        for a sound file.
        """
        if not path.is_file():
            self.add(path, "(file)", "file is missing")
            return None
        try:
            raw = parse_yaml(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f"line {mark.line + 1}" if mark is not None else "(file)"
            self.add(path, where, f"not valid YAML: {getattr(error, 'problem', error)}")
            return None
        if raw is None:
            self.add(path, "(file)", "file is empty")
        return raw

    def model(self, path: Path, model: type[FileModel]) -> FileModel | None:
        """The file at `path` validated as `model`; None (and its errors) when it is not."""
        raw = self.read(path)
        if raw is None:
            return None
        try:
            return model.model_validate(raw)
        except ValidationError as error:
            self.add_validation(path, error, ())
            return None
