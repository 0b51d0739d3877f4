"""The schema of `console.yaml`: the terminal front end's words, typed commands and --help.

The console's commands are words a user types, so they belong to the language like any other
word; each command id may have several spellings (e.g. `/terug` and `/back`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from pydantic import Field

from locales.commands import Commands
from locales.model import TextModel

Word = Annotated[str, Field(pattern=r"^/[^\s/]+$")]
Words = Annotated[list[Word], Field(min_length=1)]


class ConsoleCommands(Commands):
    """What a user may type for each command, by language-neutral id (matched ignoring case)."""

    start: Words
    help: Words
    back: Words
    restart: Words
    quit: Words

    def typed(self) -> Iterator[str]:
        return (word for name in type(self).model_fields for word in getattr(self, name))


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
