"""PTB's Application without its per-user leak: persistence bookkeeping for a bot with none.

Why: after every update PTB adds the chat id and the user id to two sets of ids "to be updated in
persistence". Only a persistence run empties them, and without a persistence (this bot keeps its
own store) none ever runs, so both sets grow by every distinct user for the life of the process —
the memory growth a soak with many users showed (found with tracemalloc: the only structure that
grew with the number of users). This class skips the marking when there is no persistence; the
sets then stay empty. `tests/test_telegram_memory.py` checks it against the real handlers, and
fails loudly if a PTB release renames what it relies on.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, Job


class LeanApplication(Application):  # type: ignore[type-arg]
    """An Application that remembers nothing per user unless a persistence asks for it."""

    def _mark_for_persistence_update(
        self, *, update: object | None = None, job: Job[Any] | None = None
    ) -> None:
        if self.persistence is not None:
            super()._mark_for_persistence_update(update=update, job=job)
