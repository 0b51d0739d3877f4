"""Staying under Telegram's flood limits before Telegram has to say so.

Telegram allows a bot about 30 messages a second overall, about one a second in one private chat
and about 20 a minute in a group, and answers more with HTTP 429 and a `retry_after`. Waiting for
the 429 costs far more than waiting up front: the request is lost, and a burst of users then draws
thousands of them. So every call that sends into a chat is given a slot: the earliest moment that
keeps both the chat's and the bot's pace, reserved at once (no await between reading and writing
the schedule, so concurrent calls on the event loop never take the same slot).

PTB's own `AIORateLimiter` limits only groups and the overall rate, not a private chat, and needs
one limiter object per chat; a schedule of timestamps is smaller and its map is bounded.
Calls without a chat (answering a callback, getUpdates) are not counted and never wait: a tap is
acknowledged at once, whatever other chats are sending.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.telegram.for_tests import number_for_tests
from bot.telegram.retry import MAX_RETRY_AFTER, FloodLimited, retry_after_seconds

# Telegram's limits, with a small margin: Telegram counts when a call arrives, we when it leaves,
# and two calls a second apart here can arrive a little closer there (one 429 in 200 users'
# conversations at the exact limits in `make bench`).
GLOBAL_PER_SECOND = 29.0
CHAT_INTERVAL = 1.05
GROUP_INTERVAL = 3.15
# Chats whose next slot lies in the past need no entry; the map is swept when it grows past this.
SWEEP_AT = 4096

# TEST ONLY: a factor (above 0, at most 1) on every interval of the limiter, so that end-to-end
# tests can play whole conversations without sitting out a second per message in each chat. The
# limiter works the same, only faster. Never set it in a deployment: Telegram would answer 429s.
TEST_PACE_ENV = "BOT_TEST_ONLY_FLOOD_PACE"

log = logging.getLogger(__name__)


def pace_from_env() -> float:
    """The factor on the limiter's intervals: 1 (Telegram's pace) unless the test-only setting says
    otherwise; a value that is not a number in (0, 1] is ignored, with a warning."""
    pace = number_for_tests(TEST_PACE_ENV, 1, "the flood limiter runs faster than Telegram allows")
    return 1.0 if pace is None else pace


class FloodLimiter(BaseRateLimiter[int]):
    """Spaces sends per chat and overall; a 429 moves the schedule back by its retry_after."""

    def __init__(
        self,
        per_second: float = GLOBAL_PER_SECOND,
        chat_interval: float = CHAT_INTERVAL,
        group_interval: float = GROUP_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._global_interval = 1.0 / per_second
        self._chat_interval = chat_interval
        self._group_interval = group_interval
        self._clock = clock
        self._next_global = 0.0
        self._next_chat: dict[int | str, float] = {}

    @classmethod
    def paced(cls, pace: float, clock: Callable[[], float] = time.monotonic) -> FloodLimiter:
        """A limiter whose every interval is `pace` times Telegram's (see :func:`pace_from_env`)."""
        return cls(GLOBAL_PER_SECOND / pace, CHAT_INTERVAL * pace, GROUP_INTERVAL * pace, clock)

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    @property
    def tracked_chats(self) -> int:
        """How many chats have a slot in the future (bounded: idle chats are swept)."""
        return len(self._next_chat)

    def chat_wait(self, chat_id: int | str) -> float:
        """Reserve the chat's next slot; returns the seconds until it."""
        now = self._clock()
        slot = max(now, self._next_chat.get(chat_id, 0.0))
        self._next_chat[chat_id] = slot + self._interval(chat_id)
        if len(self._next_chat) > SWEEP_AT:
            self._sweep(now)
        return slot - now

    def global_wait(self) -> float:
        """Reserve the bot's next slot, for a call ready to go now; returns seconds until it.

        Reserved only when the chat's own wait is over, so a chat that must wait never holds up
        the others.
        """
        now = self._clock()
        slot = max(now, self._next_global)
        self._next_global = slot + self._global_interval
        return slot - now

    def sent(self, chat_id: int | str) -> None:
        """The call went out now: the chat's next slot is at least one interval later."""
        after = self._clock() + self._interval(chat_id)
        self._next_chat[chat_id] = max(self._next_chat.get(chat_id, 0.0), after)

    def _interval(self, chat_id: int | str) -> float:
        return self._group_interval if _is_group(chat_id) else self._chat_interval

    def postpone(self, chat_id: int | str | None, seconds: float) -> None:
        """Telegram said 429: nothing more into that chat (or at all) before `seconds` pass."""
        until = self._clock() + seconds
        if chat_id is None:
            self._next_global = max(self._next_global, until)
        else:
            self._next_chat[chat_id] = max(self._next_chat.get(chat_id, 0.0), until)

    def _sweep(self, now: float) -> None:
        for chat_id in [key for key, slot in self._next_chat.items() if slot <= now]:
            del self._next_chat[chat_id]

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Wait for the chat's slot, then call; a 429 moves the slot and is raised to the caller.

        A slot further away than the longest wait worth sitting out (after a 429 with a long
        `retry_after`) is refused at once with FloodLimited: the turn ends quietly.
        """
        chat_id = _chat_of(data)
        if chat_id is not None:
            for wait in (self.chat_wait, lambda _: self.global_wait()):
                delay = wait(chat_id)
                if delay > MAX_RETRY_AFTER:
                    # Telegram asked for a long pause: holding the chat that long helps nobody.
                    raise FloodLimited(delay)
                if delay > 0:
                    await asyncio.sleep(delay)
            self.sent(chat_id)
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as err:
            self.postpone(chat_id, retry_after_seconds(err))
            raise


def _chat_of(data: dict[str, Any]) -> int | str | None:
    chat_id = data.get("chat_id")
    if chat_id is None:
        return None
    if isinstance(chat_id, int | str):
        try:
            return int(chat_id)
        except ValueError:
            return chat_id  # "@channelname"
    return None


def _is_group(chat_id: int | str) -> bool:
    return isinstance(chat_id, str) or chat_id < 0
