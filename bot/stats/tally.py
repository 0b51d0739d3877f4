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
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from bot.persistence.records import utc_now
from bot.stats.files import CountFiles, Key
from dialogs.civil import local_day
from dialogs.milestones import milestones
from dialogs.session import Session

log = logging.getLogger(__name__)

FLUSH_SECONDS = 60.0


class Tally:
    """Thread-safe: the conversation service observes steps from its worker threads."""

    def __init__(self, data_dir: Path, clock: Callable[[], datetime] = utc_now) -> None:
        self._files = CountFiles(data_dir)
        self._clock = clock
        self._lock = threading.Lock()
        self._pending: Counter[Key] = Counter()

    @property
    def files(self) -> CountFiles:
        return self._files

    def observe(self, before: Session | None, after: Session) -> None:
        """Count the milestones of one accepted step (`before`: a copy taken before it).

        Never raises: the step is saved already, and a count must not turn it into an apology.
        """
        try:
            marks = milestones(before, after)
        except Exception as err:
            log.warning("A step was not counted (%s)", type(err).__name__)
            return
        if not marks:
            return
        day = local_day(self._clock())
        with self._lock:
            for mark in marks:
                key = Key(day, mark.milestone.value, mark.role, mark.phase, mark.business, mark.gap)
                self._pending[key] += 1

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
            self._files.add(batch)
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
