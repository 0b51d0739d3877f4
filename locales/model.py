"""The one base class of every text model, whatever front end the texts belong to.

Why one: every text file must fail the same way when a key is missing, misspelt or left over, or
when a template lost or misspelt a `{placeholder}`, so a translator gets the same strict check for
Telegram, the console and the documents. (The dialog's templates depend on its flow and are
checked against it by :func:`dialogs.texts.check_texts`.)
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator


def template_fields(template: str) -> set[str] | None:
    """The placeholder names in a template; None when its braces do not parse."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError:
        return None


def used_twice(values: Iterable[str]) -> list[str]:
    """The values that occur more than once, sorted: a name or word may mean one thing only."""
    listed = list(values)
    return sorted({value for value in listed if listed.count(value) > 1})


class TextModel(BaseModel):
    """Strict (unknown keys are errors), immutable, and trimmed of stray outer whitespace."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    # The placeholders each text field must offer, by field name; a field not named here must have
    # none. None: this model's templates are checked elsewhere.
    placeholders: ClassVar[Mapping[str, frozenset[str]] | None] = None
    # The fields that are not prose for a reader (a command's name, a file name): `prose` skips
    # them, so the readability check measures only what a user reads as text.
    not_prose: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="after")
    @classmethod
    def _placeholders_fit(cls, value: object, info: ValidationInfo) -> object:
        """Every template offers its field's placeholders; a dict's texts (variants by reader,
        say) each offer those of the dict's field."""
        if cls.placeholders is None or info.field_name is None:
            return value
        wanted = cls.placeholders.get(info.field_name, frozenset())
        if isinstance(value, str):
            _check_fields(value, wanted)
        elif isinstance(value, dict):
            for key, text in value.items():
                if isinstance(text, str):
                    try:
                        _check_fields(text, wanted)
                    except ValueError as error:
                        raise ValueError(f"{key}: {error}") from error
        return value


# A `{placeholder}` of a template; a text with no letter outside them only arranges other text.
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def format_only(text: str) -> bool:
    """Whether `text` only arranges what the code fills in (`➜ {label}`): no words of its own."""
    return not any(char.isalpha() for char in _PLACEHOLDER.sub("", text))


def strings(value: object, path: str = "", *, prose_only: bool = False) -> list[tuple[str, str]]:
    """Every string in a texts model (or part of it), with its dotted path.

    Lists are not walked: in every text file they hold words a user types (synonyms, console
    commands), not text the bot shows. `prose_only`: also leave out the fields a model names in
    `not_prose` and format-only templates, which is what a user reads as prose.
    """
    if isinstance(value, str):
        return [] if prose_only and format_only(value) else [(path, value)]
    if isinstance(value, BaseModel):
        skipped = type(value).not_prose if prose_only and isinstance(value, TextModel) else ()
        value = {
            name: getattr(value, name) for name in type(value).model_fields if name not in skipped
        }
    if isinstance(value, dict):
        return [
            item
            for key, inner in value.items()
            for item in strings(inner, f"{path}.{key}" if path else str(key), prose_only=prose_only)
        ]
    return []


def prose(value: object, path: str = "") -> list[tuple[str, str]]:
    """Every text of a model (or part of it) that a user reads as prose, with its dotted path."""
    return strings(value, path, prose_only=True)


def _check_fields(template: str, wanted: frozenset[str]) -> None:
    found = template_fields(template)
    if found is None:
        raise ValueError("braces do not match (write {{ and }} for a brace itself)")
    if found != wanted:
        raise ValueError(f"placeholders {sorted(found)} but expected {sorted(wanted)}")
