"""What goes into the engine (events) and what comes out (replies), for any front end.

Both are plain frozen dataclasses: front ends build events from whatever their channel delivers
(a Telegram callback, a console line) and render replies in their own way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal


class EventKind(StrEnum):
    START = (
        "start"  # a new conversation; `value` may carry a preset (deep-link payload), e.g. "mkb"
    )
    OPTION = "option"  # the user chose an option; `value` is the option id
    COMMAND = "command"  # `value` is one of Command
    TEXT = "text"  # free text where the dialog may expect a choice; never stored


class Command(StrEnum):
    BACK = "back"
    RESTART = "restart"
    HELP = "help"
    TEAM = "team"  # the list of employees (/team)


@dataclass(frozen=True)
class Event:
    kind: EventKind
    value: str = ""

    @classmethod
    def start(cls, preset: str = "") -> Event:
        return cls(EventKind.START, preset)

    @classmethod
    def option(cls, option_id: str) -> Event:
        return cls(EventKind.OPTION, option_id)

    @classmethod
    def command(cls, command: Command) -> Event:
        return cls(EventKind.COMMAND, command.value)

    @classmethod
    def text(cls, text: str) -> Event:
        return cls(EventKind.TEXT, text)


@dataclass(frozen=True)
class Option:
    """A choice offered to the user; `id` is short, well under Telegram's 64-byte callback limit."""

    id: str
    label: str
    # Other words that name this option when typed (from the texts); never shown, never compared.
    synonyms: tuple[str, ...] = field(default=(), compare=False)


# Something a front end renders from the session and the knowledge besides the text:
# the maturity-model picture (after the diagnosis) or the one-page action plan (PDF).
Attachment = Literal["model_picture", "action_plan", "team_picture", "slot_picture"]


@dataclass(frozen=True)
class Reply:
    text: str
    options: tuple[Option, ...] = ()
    attachment: Attachment | None = None
    # The engine's word that this reply (an intake question) may take the place of the question
    # just answered: a channel that can edit messages edits it there instead of sending anew.
    replaces: bool = False
