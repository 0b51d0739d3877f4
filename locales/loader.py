"""Reading one language's text files and validating them, with every problem reported at once.

A translator who misspells three keys in two files should see all three in one run, each as
`file: path: message` (e.g. `nl/telegram.yaml: forget.confirm: Field required`), not one per start.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import ValidationError

from locales.model import TextModel
from locales.placeholders import placeholder_problems, wanted_in
from locales.problems import WHOLE_FILE, FileProblems, FileProblemsError

try:  # the C parser (libyaml) is several times faster; the pure-Python one reads the same YAML
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader  # type: ignore[assignment]

Model = TypeVar("Model", bound=TextModel)


class BundleError(FileProblemsError):
    """A language's texts are missing or do not fit their schema; `errors` lists every problem."""


class Reader(FileProblems):
    """Reads text files under `root`, collecting problems instead of stopping at the first."""

    def read(self, path: Path) -> Any:
        """The parsed YAML, or None (with a problem recorded) when missing or unreadable."""
        if not path.is_file():
            self.add(path, WHOLE_FILE, "file is missing")
            return None
        try:
            with path.open(encoding="utf-8") as handle:
                return yaml.load(handle, Loader=SafeLoader)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f"line {mark.line + 1}" if mark is not None else WHOLE_FILE
            self.add(path, where, f"not valid YAML: {getattr(error, 'problem', error)}")
            return None
        except (OSError, UnicodeDecodeError) as error:
            self.add(path, WHOLE_FILE, f"not readable: {error}")
            return None

    def model(
        self, path: Path, model: type[Model], *, check_templates: bool = True
    ) -> Model | None:
        """The file validated into `model`, or None (with its problems recorded).

        `check_templates`: also check each template's `{placeholders}` against the file's table
        (locales/placeholders.yaml); off for a file whose templates are checked elsewhere.
        """
        before = len(self.errors)
        raw = self.read(path)
        if len(self.errors) > before:
            return None
        try:
            texts = model.model_validate(raw)
        except ValidationError as error:
            self.add_validation(path, error)
            return None
        if check_templates:
            for where, message in placeholder_problems(texts, wanted_in(path.name)):
                self.add(path, where, message)
        return texts if len(self.errors) == before else None
