"""The count in memory: each accepted step adds its milestones here; a flush writes them to disk.

Why batched: a step must stay cheap (bench/stats_cost.py measures it against the count switched
off), so it only compares two sessions and adds to a dict; the files are rewritten every
`flush_seconds` and at shutdown. A kill loses at most the last batch: acceptable for a count of
use, never a danger to a conversation. A flush that fails keeps its batch for the next try.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bot.stats.files import CountFiles, Key
from dialogs.civil import local_day
from dialogs.milestones import Before, milestones
from dialogs.session import Session

log = logging.getLogger(__name__)

FLUSH_SECONDS = 60.0
HOUR = 3600.0


class Tally:
    """Thread-safe: the conversation service observes steps from its worker threads."""

    def __init__(self, data_dir: Path, clock: Callable[[], float] = time.time) -> None:
        """`clock`: POSIX seconds now (a test sets its own day with it)."""
        self._files = CountFiles(data_dir)
        self._clock = clock
        self._lock = threading.Lock()
        self._pending: Counter[tuple[str, ...]] = Counter()
        self._hour = -HOUR  # the UTC hour `_day` was worked out for (a POSIX time)
        self._day = ""

    @property
    def files(self) -> CountFiles:
        return self._files

    def observe(self, before: Before | None, after: Session) -> None:
        """Count the milestones of one accepted step (`before`: dialogs.milestones.snapshot).

        Never raises: the step is saved already, and a count must not turn it into an apology.
        """
        try:
            marks = milestones(before, after)
        except Exception as err:
            log.warning("A step was not counted (%s)", type(err).__name__)
            return
        if not marks:
            return
        day = self._today()
        with self._lock:
            pending = self._pending
            for mark in marks:  # a plain tuple: a Key is made at the flush, off the step's path
                pending[(day, *mark)] += 1

    def _today(self) -> str:
        """The Amsterdam day, worked out once per UTC hour (Amsterdam's midnight is on the hour):
        the time zone conversion would cost more than the rest of the count."""
        stamp = self._clock()
        if not self._hour <= stamp < self._hour + HOUR:
            self._hour = stamp - stamp % HOUR
            self._day = local_day(datetime.fromtimestamp(self._hour, UTC))
        return self._day

    def pending(self) -> int:
        """How many increments wait for the next flush."""
        with self._lock:
            return sum(self._pending.values())

    def flush(self) -> int:
        """Write what is pending; returns how many increments were written (0 on a failure)."""
        with self._lock:
            batch, self._pending = self._pending, Counter()
        if not batch:
            return 0
        try:
            self._files.add({Key(*key): number for key, number in batch.items()})
        except OSError as err:
            log.warning("Counts not written, kept for the next try (%s)", type(err).__name__)
            with self._lock:
                self._pending.update(batch)
            return 0
        return sum(batch.values())

    async def run(self, flush_seconds: float = FLUSH_SECONDS) -> None:
        """Flush every `flush_seconds` until cancelled, and once more when cancelled."""
        try:
            while True:
                await asyncio.sleep(flush_seconds)
                await asyncio.to_thread(self.flush)
        finally:
            await asyncio.to_thread(self.flush)
