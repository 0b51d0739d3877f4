"""The check-in scheduler: asks the store what is due, and enters each chat through the service.

Channel-free, so Telegram, a test or another channel can run it: the channel gives a way to
deliver a turn to a chat. Durable by construction: what is due lives in the records and their
index on disk (see `SessionStore.due_checkins`), so a restart, a crash or an upgrade loses
nothing, and a check-in that fell due while the bot was down goes out on the first tick after
start. Each check-in is checked and marked under the chat's lock (`Conversation.check_in`), so two
ticks, or a tick and a restart, never start one twice (what a kill mid-send can repeat is said
there). Chats are served one after another: the channel's flood limiter keeps many due check-ins
under the platform's limits.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.conversation import Conversation, Deliver
from bot.persistence.records import utc_now

log = logging.getLogger(__name__)


# TEST ONLY: days added to the scheduler's clock, so an end-to-end test can let weeks pass in the
# real bot process. Never set it in a deployment.
TEST_CLOCK_ENV = "BOT_TEST_ONLY_CLOCK_OFFSET_DAYS"


def test_clock() -> Callable[[], datetime]:
    """The scheduler's clock: UTC now, shifted only by the test-only setting above."""
    offset = float(os.environ.get(TEST_CLOCK_ENV, "0") or 0)
    if not offset:
        return utc_now
    log.warning("%s is set: the check-in clock runs shifted, for tests only", TEST_CLOCK_ENV)
    return lambda: utc_now() + timedelta(days=offset)


class DueIndex(Protocol):
    def due_checkins(self, now: datetime) -> list[str]: ...


@dataclass(eq=False)  # a scheduler is one running thing: compared by identity
class CheckInScheduler:
    """Every `poll_seconds`: send the check-ins that are due (a minute at most, by default)."""

    store: DueIndex
    conversation: Conversation
    deliver_to: Callable[[str], Deliver]
    poll_seconds: float = 30.0
    clock: Callable[[], datetime] = utc_now

    async def tick(self) -> int:
        """One round: every due check-in, one chat at a time; returns how many were sent."""
        now = self.clock()
        keys = await asyncio.to_thread(self.store.due_checkins, now)
        sent = 0
        for key in keys:
            try:
                if await self.conversation.check_in(key, now, self.deliver_to(key)):
                    sent += 1
            except Exception as err:  # one chat's failure must not stop the others
                log.warning("A check-in was not sent (%s)", type(err).__name__)
        if sent:
            log.info("Sent %d check-ins", sent)
        try:  # the messages back from a self-check that waited for a civil hour
            await self.conversation.tell_shares(now)
        except Exception as err:
            log.warning("Messages back were not sent (%s)", type(err).__name__)
        return sent

    async def run(self) -> None:
        """Tick until cancelled; a failing round is logged and the next comes as planned."""
        while True:
            try:
                await self.tick()
            except Exception as err:
                log.warning("A check-in round failed (%s)", type(err).__name__)
            await asyncio.sleep(self.poll_seconds)
