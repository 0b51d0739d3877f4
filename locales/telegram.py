"""The schema of `telegram.yaml`: the Telegram front end's own words and its command names.

Command names are data, keyed by a language-neutral id (`restart`, `back`, `forget`), so that a
translation renames `/opnieuw` without touching the code that registers the command.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, ClassVar

from pydantic import Field, model_validator

from locales.commands import Commands
from locales.model import TextModel

# Telegram's rule for a command in the menu: 1-32 characters, lower-case letters, digits and _.
CommandName = Annotated[str, Field(pattern=r"^[a-z0-9_]{1,32}$")]


class CommandText(TextModel):
    """One command: what the user types (without the slash) and its line in the menu."""

    not_prose: ClassVar[frozenset[str]] = frozenset({"name"})  # typed, not read

    name: CommandName
    description: str = Field(min_length=1, max_length=256)


class CommandTexts(Commands):
    """Every command of the bot, by id; the fields' order is the order of Telegram's menu."""

    start: CommandText
    help: CommandText
    restart: CommandText
    back: CommandText
    model: CommandText
    team: CommandText
    privacy: CommandText
    forget: CommandText

    @model_validator(mode="after")
    def _start_is_start(self) -> CommandTexts:
        # Telegram itself sends /start when a chat is opened or a deep link is followed.
        if self.start.name != "start":
            raise ValueError("the start command must be named 'start' (Telegram sends /start)")
        return self

    def typed(self) -> Iterator[str]:
        return (command.name for _, command in self.menu())

    def menu(self) -> list[tuple[str, CommandText]]:
        """(id, command) pairs in menu order."""
        return [(name, getattr(self, name)) for name in type(self).model_fields]


class ForgetTexts(TextModel):
    question: str
    confirm: str
    cancel: str
    done: str
    cancelled: str
    nothing: str


class StoredTexts(TextModel):
    """What /privacy shows of the user's own record, so they can see what is kept."""

    heading: str
    nothing: str
    role: str
    phase: str
    answers: str
    employee: str
    checkin: str
    saved_at: str
    unknown: str
    # An earlier conversation that could not be read is kept aside until erased or expired.
    quarantined: str


class TelegramTexts(TextModel):
    """The Telegram adapter's words (the dialog's words are in :class:`DialogTexts`)."""

    commands: CommandTexts
    expired: str
    chosen: str
    privacy: str
    stored: StoredTexts
    forget: ForgetTexts
    unsupported: str
    edited: str
    group: str
    error: str
    # The chat's stored file could not be read (moved to quarantine): the chat starts afresh.
    unreadable: str
    # A save failed (disk full, read-only): the answer was NOT kept; the question follows.
    not_saved: str
    console_fallback: str
