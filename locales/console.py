"""The schema of `console.yaml`: the terminal front end's words, typed commands and --help.

The console's commands are words a user types, so they belong to the language like any other
word; each command id may have several spellings (e.g. `/terug` and `/back`).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from locales.model import TextModel, used_twice

Word = Annotated[str, Field(pattern=r"^/[^\s/]+$")]
Words = Annotated[list[Word], Field(min_length=1)]


class ConsoleCommands(TextModel):
    """What a user may type for each command, by language-neutral id (matched ignoring case)."""

    start: Words
    help: Words
    back: Words
    restart: Words
    quit: Words

    @model_validator(mode="after")
    def _each_word_once(self) -> ConsoleCommands:
        fields = type(self).model_fields
        doubles = used_twice(word.casefold() for name in fields for word in getattr(self, name))
        if doubles:
            raise ValueError(f"words used for more than one command: {doubles}")
        return self


class ConsoleArguments(TextModel):
    """The help of `python -m bot chat --help`."""

    description: str
    out: str
    role: str


class ConsoleTexts(TextModel):
    """The console's own words (the dialog's words come from the engine)."""

    intro: str
    saved: str
    not_rendered: str
    bye: str
    broken: str
    commands: ConsoleCommands
    arguments: ConsoleArguments
