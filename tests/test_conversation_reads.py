"""The chat's record is read on the event loop, and a read that fails there is tried again."""

from __future__ import annotations

import errno
from pathlib import Path

from dialog_helpers import engine
from thread_helpers import on_a_loop

from bot.conversation import Conversation, Status
from bot.persistence import SessionStore
from bot.persistence.store import LoadResult
from dialogs import Event

KEY = "4242"


class WatchedReads(SessionStore):
    """Notes where each read ran, and fails the next `failures` reads with a disk error."""

    def __init__(self, data_dir: Path, failures: int = 0) -> None:
        super().__init__(data_dir)
        self.failures = failures
        self.on_loop: list[bool] = []

    def load_result(self, key: str) -> LoadResult:
        self.on_loop.append(on_a_loop())
        if self.failures:
            self.failures -= 1
            raise OSError(errno.EIO, "Input/output error")
        return super().load_result(key)


async def _talk(conversation: Conversation) -> list[Status]:
    first = await conversation.handle(KEY, 1, Event.start())
    statuses = [first.status]
    option = first.replies[-1].options[0]
    tapped = await conversation.handle(KEY, 2, Event.option(option.id), tap_turn=first.turn)
    statuses.append(tapped.status)
    return statuses


async def test_the_steps_read_runs_on_the_event_loop_not_in_its_worker_thread(
    tmp_path: Path,
) -> None:
    """Why it matters: each system call in the step's worker thread hands the interpreter lock
    back and forth with the busy event loop (bot/conversation.py, `_read`)."""
    store = WatchedReads(tmp_path)
    statuses = await _talk(Conversation(engine(), store, retention_days=30))
    assert statuses == [Status.DONE, Status.DONE]
    assert store.on_loop == [True, True]


async def test_a_read_that_failed_on_the_loop_is_tried_again_in_the_step(tmp_path: Path) -> None:
    store = WatchedReads(tmp_path, failures=1)
    statuses = await _talk(Conversation(engine(), store, retention_days=30))
    assert statuses == [Status.DONE, Status.DONE]
    assert store.on_loop == [True, False, True]  # the second try ran in the worker thread


async def test_a_disk_that_cannot_be_read_at_all_still_gets_an_answer(tmp_path: Path) -> None:
    store = WatchedReads(tmp_path, failures=10)
    turn = await Conversation(engine(), store, retention_days=30).handle(KEY, 1, Event.start())
    assert turn.status is not Status.DONE and turn.replies, "an apology, not silence"
