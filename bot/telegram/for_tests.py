"""Settings that exist only for the end-to-end tests (names start with `BOT_TEST_ONLY_`).

They make the real bot process quicker to test (a faster flood limiter, a faster heartbeat) or
let a test stop it at a known moment (a pause before a turn's save), and are never set in a
deployment: each logs a warning when it is, and a value out of its range is ignored with a
warning rather than stopping the bot.
"""

from __future__ import annotations

import logging
import math
import os
import time
from dataclasses import dataclass

from bot.persistence import ChatRecord, SessionStore
from bot.turns import PassingStore, StagedSave

log = logging.getLogger(__name__)


def number_for_tests(name: str, highest: float, effect: str) -> float | None:
    """The number in environment variable `name`, in (0, `highest`]; None when unset or out of
    that range (then with a warning). `effect` says in the log what a set value changes."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not 0 < value <= highest:
        log.warning("%s must be a number above 0 and at most %g; ignored", name, highest)
        return None
    log.warning("%s is set: %s", name, effect)
    return value


# TEST ONLY: seconds every durable save of a turn waits before its flush to disk, so that an
# end-to-end test can kill the bot at a known moment: after a tap was answered, before its turn
# is on disk.
TEST_SAVE_PAUSE_ENV = "BOT_TEST_ONLY_SAVE_PAUSE_SECONDS"


class PausedSaves(PassingStore):
    """A store whose saves wait before their flush (see TEST_SAVE_PAUSE_ENV); notes and the rest
    as `store`."""

    def __init__(self, store: SessionStore, seconds: float) -> None:
        super().__init__(store)
        self._seconds = seconds

    def stage(self, key: str, record: ChatRecord) -> StagedSave:
        return _Paused(super().stage(key, record), self._seconds)


@dataclass(frozen=True)
class _Paused:
    """A staged save whose commit waits first."""

    staged: StagedSave
    seconds: float

    def commit(self) -> None:
        time.sleep(self.seconds)  # a worker thread: only this chat's turn waits
        self.staged.commit()


def turn_store(store: SessionStore) -> SessionStore | PausedSaves:
    """The store the conversation saves turns in: `store`, unless the test-only pause is set."""
    seconds = number_for_tests(TEST_SAVE_PAUSE_ENV, 600, "every turn waits before it is saved")
    return store if seconds is None else PausedSaves(store, seconds)
