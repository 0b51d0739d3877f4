"""How the knowledge reports what is wrong: every problem at once, each with its place.

An author fixes a file in one go only when they see all its problems together, each as
`file: path.to.field: message`. Readers and checks add to one :class:`Collector`; the loader raises
:class:`KnowledgeError` with the whole list, never a traceback at an author.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from knowledge.yaml_source import parse_yaml
from locales.problems import WHOLE_FILE, FileProblems, FileProblemsError

FileModel = TypeVar("FileModel", bound=BaseModel)


class KnowledgeError(FileProblemsError):
    """The knowledge files are broken; `errors` lists every problem as `file: path: message`."""


class Collector(FileProblems):
    """Gathers errors across all knowledge files so that one run reports them all."""

    def read(self, path: Path) -> Any:
        """The parsed YAML of `path`; None (and an error) when missing, empty or not valid YAML.

        An empty file is an error of its own: it parses to nothing, and nothing must never pass
        for a sound file.
        """
        if not path.is_file():
            self.add(path, WHOLE_FILE, "file is missing")
            return None
        try:
            raw = parse_yaml(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f"line {mark.line + 1}" if mark is not None else WHOLE_FILE
            self.add(path, where, f"not valid YAML: {getattr(error, 'problem', error)}")
            return None
        if raw is None:
            self.add(path, WHOLE_FILE, "file is empty")
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
