"""A live tap's step runs on the event loop; only its save's flush waits in a worker thread.

Why: in a worker thread every system call of the step hands the interpreter lock back and forth
with the busy event loop, which cost more CPU than the step itself (issue 24). The promises stay:
a turn whose flush failed says so and changes nothing, and what a saved step sets going (its
live buttons, its count) waits for the flush.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from dialog_helpers import engine
from thread_helpers import on_a_loop

from bot.conversation import Conversation, Status, Turn
from bot.persistence import ChatRecord, SessionStore
from bot.persistence.store import StagedRecord
from dialogs import Event
from dialogs.milestones import Before
from dialogs.session import Session
from locales import load_bundle

KEY = "6161"


@dataclass
class _WatchedCommit(StagedRecord):
    """A record's staged save that notes where its flush ran."""

    where: list[str]

    def commit(self) -> None:
        self.where.append("flush on loop" if on_a_loop() else "flush in thread")
        super().commit()


class WatchedSaves(SessionStore):
    """Notes where each save's write and its flush ran."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__(data_dir)
        self.where: list[str] = []

    def stage(self, key: str, record: ChatRecord) -> StagedRecord:
        self.where.append("write on loop" if on_a_loop() else "write in thread")
        staged = super().stage(key, record)
        return _WatchedCommit(**vars(staged), where=self.where)


class Counted:
    """The anonymous count's hook: notes each step it is told."""

    def __init__(self) -> None:
        self.steps = 0

    def __call__(self, before: Before | None, after: Session) -> None:
        self.steps += 1


async def _started(store: SessionStore, **options: Any) -> tuple[Conversation, Turn]:
    """A conversation service on `store`, and the first question of its chat KEY."""
    conversation = Conversation(engine(), store, retention_days=30, **options)
    turn = await conversation.handle(KEY, 1, Event.start())
    assert turn.status is Status.DONE
    return conversation, turn


def _first_option(turn: Turn) -> str:
    return turn.replies[-1].options[0].id


async def test_a_live_tap_is_decided_on_the_loop_and_only_flushed_in_a_thread(
    tmp_path: Path,
) -> None:
    store = WatchedSaves(tmp_path)
    conversation, first = await _started(store)
    assert store.where == ["write in thread", "flush in thread"], "a typed input: all in a thread"
    store.where.clear()

    assert conversation.answers_at_once(KEY, Event.option(_first_option(first)), first.turn)
    tapped = await conversation.handle(
        KEY, 2, Event.option(_first_option(first)), tap_turn=first.turn
    )
    assert tapped.status is Status.DONE
    assert store.where == ["write on loop", "flush in thread"]
    record = store.load(KEY)
    assert record is not None and record.session is not None
    assert [answer.option for answer in record.session.history] == [_first_option(first)]


async def test_a_redelivered_live_tap_saves_nothing_and_waits_for_no_thread(
    tmp_path: Path,
) -> None:
    store = WatchedSaves(tmp_path)
    conversation, first = await _started(store)
    option = _first_option(first)
    await conversation.handle(KEY, 2, Event.option(option), tap_turn=first.turn)
    store.where.clear()
    again = await conversation.handle(KEY, 2, Event.option(option), tap_turn=first.turn)
    assert again.status is Status.REDELIVERED
    assert store.where == []


async def test_a_live_taps_flush_that_fails_says_not_saved_and_sets_nothing_going(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = load_bundle().telegram
    store = SessionStore(tmp_path)
    counted = Counted()
    conversation, first = await _started(store, stats=counted)
    before = store.load(KEY)
    assert before is not None and counted.steps == 1
    option = _first_option(first)
    assert conversation.answers_at_once(KEY, Event.option(option), first.turn)

    def broken_disk(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken_disk)
    failed = await conversation.handle(KEY, 2, Event.option(option), tap_turn=first.turn)
    monkeypatch.undo()

    assert failed.status is Status.FAILED
    assert failed.replies[0].text == texts.not_saved
    assert failed.turn == first.turn, "the buttons are those of the step that still stands"
    after = store.load(KEY)
    assert after is not None and after.session == before.session
    assert counted.steps == 1, "a step that never reached the disk is not counted"
    leftovers = [name for _, _, names in os.walk(tmp_path) for name in names if ".tmp" in name]
    assert leftovers == [], "the temp file of the failed flush is gone"

    retried = await conversation.handle(KEY, 3, Event.option(option), tap_turn=failed.turn)
    assert retried.status is Status.DONE
    kept = store.load(KEY)
    assert kept is not None and kept.session is not None
    assert [answer.option for answer in kept.session.history] == [option]
    assert counted.steps == 2


async def test_the_live_buttons_of_a_tap_on_the_loop_are_kept_once_it_is_on_disk(
    tmp_path: Path,
) -> None:
    store = WatchedSaves(tmp_path)
    conversation, turn = await _started(store)
    for number in range(2, 5):
        option = _first_option(turn)
        assert conversation.answers_at_once(KEY, Event.option(option), turn.turn), number
        turn = await conversation.handle(KEY, number, Event.option(option), tap_turn=turn.turn)
        assert turn.status is Status.DONE
    assert store.where.count("write on loop") == 3
