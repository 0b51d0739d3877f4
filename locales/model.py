"""The one base class of every text model, whatever front end the texts belong to.

Why one: every text file must fail the same way when a key is missing, misspelt or left over, or
when a template lost or misspelt a `{placeholder}`, so a translator gets the same strict check for
Telegram, the console and the documents. (The dialog's templates depend on its flow and are
checked against it by :func:`dialogs.texts.check_texts`.)
"""

from __future__ import annotations

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


def _check_fields(template: str, wanted: frozenset[str]) -> None:
    found = template_fields(template)
    if found is None:
        raise ValueError("braces do not match (write {{ and }} for a brace itself)")
    if found != wanted:
        raise ValueError(f"placeholders {sorted(found)} but expected {sorted(wanted)}")
