"""Group chats: no conversation there, only a pointer to a private chat, and the bot stays quiet.

Why: in a group the bot may see every message (or every command, or every mention). Answering each
one with the same notice floods the group, so the notice goes only to a message addressed to this
bot by name — a command with its @username (`/start@bot`) or a mention of `@bot` — and at most
once per group per :data:`NOTICE_INTERVAL`. A bare `/start` in a group is meant for whichever bot
the sender had in mind, so it gets no answer.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from telegram import Message, MessageEntity

NOTICE_INTERVAL = 3600.0  # seconds
NOTICE_GROUPS = 10_000  # groups remembered at most; the oldest is forgotten first

_ADDRESSING: list[str | None] = [MessageEntity.BOT_COMMAND, MessageEntity.MENTION]


def addressed_to(message: Message, username: str) -> bool:
    """True when the message (or its caption) names the bot: `/cmd@username` or `@username`."""
    wanted = username.lower()
    found = {
        **message.parse_entities(_ADDRESSING),
        **message.parse_caption_entities(_ADDRESSING),
    }
    for entity, text in found.items():
        if entity.type == MessageEntity.BOT_COMMAND:
            _, _, target = text.partition("@")
        else:
            target = text.removeprefix("@")
        if target.lower() == wanted:
            return True
    return False


class NoticeGate:
    """Allows one notice per group per interval; remembers a bounded number of groups.

    Entries are only ever appended, so the dictionary is in time order: expiring is popping from
    the front, and when full the group that was answered longest ago is forgotten first.
    """

    def __init__(
        self,
        interval: float = NOTICE_INTERVAL,
        capacity: int = NOTICE_GROUPS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._interval = interval
        self._capacity = capacity
        self._clock = clock
        self._last: OrderedDict[int, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._last)

    def allow(self, chat_id: int) -> bool:
        """True (and remembered) when this group got no notice within the interval."""
        now = self._clock()
        while self._last:
            oldest, at = next(iter(self._last.items()))
            if now - at < self._interval:
                break
            del self._last[oldest]
        if chat_id in self._last:
            return False
        self._last[chat_id] = now
        if len(self._last) > self._capacity:
            self._last.popitem(last=False)
        return True
