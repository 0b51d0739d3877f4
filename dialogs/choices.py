"""The ids of options made at run time: each names the thing itself, never a place in a list.

A pick list (phases, advised interventions, warnings, employees, difficult words) is computed
from the session and the knowledge. Its option ids were once positions (`i2`: the second item
shown), so a button still on screen, or an answer stored in the history, meant something else
as soon as the knowledge changed the list. An id here is a kind and a key: `i.<intervention id>`,
`f.<phase key>`, `w.<precondition id>`, `n.<intervention id>`, `s.<employee letter>`,
`t.<glossary term id>`. The key is the knowledge's own slug, which an author never reuses for
another thing.

The separator is a dot: ids of the flow (`[a-z][a-z0-9_]*`) never hold one, so a fixed option
and a pick can never be confused, and Telegram's callback data (`turn:choice`, no colon in the
choice) carries it as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """What a pick names; the value is the id's prefix."""

    PHASE = "f"  # a phase of the model, by its key
    ITEM = "i"  # an advised intervention, by its id
    WARNING = "w"  # a quick-check warning: a precondition, by its id
    NEXT = "n"  # an intervention that helps in the following phase, by its id
    SLOT = "s"  # an employee, by its letter
    TERM = "t"  # a difficult word of a detail, by its glossary id


SEPARATOR = "."
# Telegram's callback data is at most 64 bytes: a turn of up to 12 digits and ":" leave 51, and
# bot/telegram/callbacks.py takes at most 50 for the choice.
MAX_LENGTH = 50
MAX_KEY = MAX_LENGTH - len("i") - len(SEPARATOR)
_KEY = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")
_KINDS = {kind.value: kind for kind in Kind}


@dataclass(frozen=True)
class Choice:
    """A pick option's meaning: its kind and the key of the thing it names."""

    kind: Kind
    key: str

    def __str__(self) -> str:
        return f"{self.kind.value}{SEPARATOR}{self.key}"


def fits(key: str) -> bool:
    """Whether `key` can be a choice's key (a slug or letter short enough for Telegram)."""
    return len(key) <= MAX_KEY and _KEY.match(key) is not None


def make(kind: Kind, key: str) -> str:
    """The option id that names `key` of `kind`; ValueError when the key cannot be one."""
    if not fits(key):
        raise ValueError(f"{key!r} cannot name a choice")
    return str(Choice(kind, key))


def parse(option_id: str) -> Choice | None:
    """The meaning of a pick option id; None for anything else (a fixed option, a forgery)."""
    prefix, separator, key = option_id.partition(SEPARATOR)
    kind = _KINDS.get(prefix)
    if kind is None or not separator or not fits(key):
        return None
    return Choice(kind, key)


def key_of(option_id: str, *kinds: Kind) -> str | None:
    """The key of a pick option id of one of `kinds`; None when it is no such id."""
    found = parse(option_id)
    return found.key if found is not None and found.kind in kinds else None
