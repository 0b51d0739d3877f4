"""The count in memory: each accepted step is queued here; a flush writes the counts to disk.

Why queued and batched: a step must stay cheap (bench/stats_cost.py measures it against the count
switched off). At the step the count only keeps two snapshots of the session (tuples of
references, see dialogs.milestones.snapshot) and the time; the milestones are worked out later,
a batch at a time, where their code stays warm in the processor's caches (worked out one by one
between steps, they cost several times more on a busy machine). The files are rewritten every
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
from dialogs.milestones import Before, between, snapshot
from dialogs.session import Session

log = logging.getLogger(__name__)

FLUSH_SECONDS = 60.0
HOUR = 3600.0
# Steps queued before they are worked out in the observing thread: bounds the memory the queue
# holds (old session values it keeps alive) between two flushes.
BATCH = 1000

Step = tuple[Before | None, Before, float]


class Tally:
    """Thread-safe: the conversation service observes steps from its worker threads."""

    def __init__(self, data_dir: Path, clock: Callable[[], float] = time.time) -> None:
        """`clock`: POSIX seconds now (a test sets its own day with it)."""
        self._files = CountFiles(data_dir)
        self._clock = clock
        self._lock = threading.Lock()
        self._folding = threading.Lock()
        self._queue: list[Step] = []
        self._pending: Counter[tuple[str, ...]] = Counter()
        self._hour = -HOUR  # the UTC hour `_day` was worked out for (a POSIX time)
        self._day = ""

    @property
    def files(self) -> CountFiles:
        return self._files

    def observe(self, before: Before | None, after: Session) -> None:
        """Queue one accepted step (`before`: dialogs.milestones.snapshot taken before it).

        Never raises: the step is saved already, and a count must not turn it into an apology.
        """
        try:
            step = (before, snapshot(after), self._clock())
            with self._lock:
                self._queue.append(step)
                full = len(self._queue) >= BATCH
            if full:
                self._fold()
        except Exception as err:
            log.warning("A step was not counted (%s)", type(err).__name__)

    def _fold(self) -> None:
        """Work out the milestones of the queued steps and add them to the pending counts.

        One fold at a time (a flush and a full queue may meet): the day's cache is not shared.
        """
        with self._folding:
            self._fold_queued()

    def _fold_queued(self) -> None:
        with self._lock:
            queue, self._queue = self._queue, []
        counts: Counter[tuple[str, ...]] = Counter()
        for before, after, stamp in queue:
            try:
                marks = between(before, after)
            except Exception as err:
                log.warning("A step was not counted (%s)", type(err).__name__)
                continue
            if marks:
                day = self._day_of(stamp)
                for mark in marks:  # a plain tuple: a Key is made at the flush
                    counts[(day, *mark)] += 1
        with self._lock:
            self._pending.update(counts)

    def _day_of(self, stamp: float) -> str:
        """The Amsterdam day, worked out once per UTC hour (Amsterdam's midnight is on the hour):
        the time zone conversion would cost more than the rest of the count."""
        if not self._hour <= stamp < self._hour + HOUR:
            self._hour = stamp - stamp % HOUR
            self._day = local_day(datetime.fromtimestamp(self._hour, UTC))
        return self._day

    def pending(self) -> int:
        """How many increments wait for the next flush."""
        self._fold()
        with self._lock:
            return sum(self._pending.values())

    def flush(self) -> int:
        """Write what is pending; returns how many increments were written (0 on a failure)."""
        self._fold()
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
