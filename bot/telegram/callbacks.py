"""Callback data: which turn a button belongs to and what it chooses, in at most 64 bytes.

Old inline keyboards stay tappable forever and a client can send any callback data. Tagging every
button with the session's turn lets the adapter accept a tap only when it belongs to the step the
user is at now; everything else is answered as expired and changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CALLBACK_DATA_LIMIT = 64  # bytes, Telegram's limit

_PATTERN = re.compile(r"^(\d{1,12}):([^\s:]{1,50})$")


@dataclass(frozen=True)
class CallbackData:
    turn: int
    choice: str

    def encode(self) -> str:
        data = f"{self.turn}:{self.choice}"
        if len(data.encode("utf-8")) > CALLBACK_DATA_LIMIT or not _PATTERN.match(data):
            raise ValueError(f"callback data for option {self.choice!r} does not fit Telegram")
        return data


def decode(data: str | None) -> CallbackData | None:
    """The parsed data, or None when it is not something this bot ever sends (forged)."""
    if not data:
        return None
    match = _PATTERN.match(data)
    if match is None:
        return None
    return CallbackData(int(match.group(1)), match.group(2))
