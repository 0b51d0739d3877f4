"""The buttons of each chat's last saved question, in memory, so a tap on one is answered at once.

Why: a tap shows a spinner until the bot answers its callback query. For a tap the dialog takes,
that answer says nothing but "got it"; only a stale button gets a short notice. The step decides
which it is in its worker thread, after reading the chat's record, and with 50 users tapping side
by side that hop put the answer's p95 at 1.6 to 1.7 times a bare bot's (issue 24: at most 1.5).
The buttons a turn shows are known when that turn is saved, so a tap on one of them, for that
very turn, is answered on the event loop before the step. The step still decides and saves as
before, and the update is confirmed to Telegram only after the save.

The entries must never say more than the record: `Remembering` sits between the service and its
store and forgets a chat's entry on every durable change (a save, an erase, a record set aside,
a blocked user). Only the adviesgesprek's own saved turn puts an entry back, and only when no
other route can claim a tap (no self-check, no /vergeet question, no "start again?" question).
A miss costs nothing but the wait of before. Bounded in size and in age: the chats that tapped
last, within the hour (far below any retention, so a purged record has no entry left).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from bot.persistence import ChatRecord
from bot.turns import PassingStore, RecordStore, StagedSave

# Chats remembered at most: those tapping now. About 0.3 kB each.
MAX_CHATS = 1024
# An entry older than this is not used: a tap after an hour waits for the step, as before.
MAX_AGE = 3600.0


@dataclass(frozen=True, slots=True)
class _Live:
    turn: int
    ids: frozenset[str]
    since: float


class LiveTaps:
    """Per chat: the turn of its last saved question and the ids of the buttons it showed.

    Written from the step's worker threads and read on the event loop, hence the lock.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._live: OrderedDict[str, _Live] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, key: str, turn: int, ids: frozenset[str]) -> None:
        with self._lock:
            self._live[key] = _Live(turn, ids, self._clock())
            self._live.move_to_end(key)
            while len(self._live) > MAX_CHATS:
                self._live.popitem(last=False)

    def forget(self, key: str) -> None:
        with self._lock:
            self._live.pop(key, None)

    def accepts(self, key: str, turn: int, choice: str) -> bool:
        """True when `choice` is a button of the chat's live question of `turn`."""
        with self._lock:
            live = self._live.get(key)
        if live is None or self._clock() - live.since > MAX_AGE:
            return False
        return live.turn == turn and choice in live.ids

    def __len__(self) -> int:
        return len(self._live)


class Remembering(PassingStore):
    """The service's store, forgetting a chat's live buttons on every durable change of its record.

    A note (`note`: delivery marks, not forced to disk) only says how far a delivery got: the
    question stays.
    """

    def __init__(self, store: RecordStore, taps: LiveTaps) -> None:
        super().__init__(store)
        self._taps = taps

    def stage(self, key: str, record: ChatRecord) -> StagedSave:
        self._taps.forget(key)
        return super().stage(key, record)

    def erase(self, key: str) -> bool:
        self._taps.forget(key)
        return super().erase(key)

    def mark_blocked(self, key: str) -> None:
        self._taps.forget(key)
        super().mark_blocked(key)

    def set_aside(self, key: str, reason: str) -> bool:
        self._taps.forget(key)
        return super().set_aside(key, reason)
