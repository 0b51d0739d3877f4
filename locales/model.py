"""The one base class of every text model, whatever front end the texts belong to.

Why one: every text file must fail the same way when a key is missing, misspelt or left over, so a
translator gets the same strict check for Telegram, the console and the documents. (Whether each
template offers the right `{placeholders}` is one table for all files: locales/placeholders.py.)
"""

from __future__ import annotations

import re
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

# Texts by reader (flow.yaml roles' `reader`): a reader without staff (a zzp'er, a colleague, a
# teacher) reads its own words where the common text addresses an employer. The dialog and the
# documents both have them, so both pick a reader's variant the same way: `as_read_by`.
ByReader = dict[str, str]


def as_read_by(common: str, variants: ByReader, reader: str | None) -> str:
    """The variant of a text for `reader`, else the common text."""
    return variants.get(reader, common) if reader is not None else common


class TextModel(BaseModel):
    """Strict (unknown keys are errors), immutable, and trimmed of stray outer whitespace."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    # The fields that are not prose for a reader (a command's name, a file name): `prose` skips
    # them, so the readability check measures only what a user reads as text.
    not_prose: ClassVar[frozenset[str]] = frozenset()


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
