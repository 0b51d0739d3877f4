"""Delivery marks: how far a saved outbox got, written in place beside the record (issue 24).

The marks keep the promise of the outbox (no message twice after a kill, none lost) at a sixth of
the cost of rewriting the record: they must never change the record file, never apply to another
record than their own, never survive the record they count, and a torn one must count as none.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest

from bot.persistence import ChatRecord, SessionStore
from bot.persistence.marks import MARK_WIDTH, Mark, mark_path, read_mark
from bot.persistence.memory import MemoryStore
from bot.persistence.records import Delivery, StoredReply, utc_now
from bot.turns import RecordStore
from dialogs.session import Session

KEY = "77"


def _unsent(update_id: int = 5) -> ChatRecord:
    replies = [StoredReply(text="Een bericht."), StoredReply(text="Nog een.")]
    delivery = Delivery(update_id=update_id, turn=1, replies=replies)
    return ChatRecord(session=Session(), last_update_id=update_id, delivery=delivery)


def _taken(record: ChatRecord, sent: int, *, last: bool, keyboard: int | None) -> ChatRecord:
    assert record.delivery is not None
    record.delivery.sent = sent
    record.delivery.delivered = last
    record.keyboard_message = keyboard
    return record


def _counts(store: RecordStore) -> tuple[int, bool, int | None]:
    record = store.load(KEY)
    assert record is not None and record.delivery is not None
    return record.delivery.sent, record.delivery.delivered, record.keyboard_message


def test_a_note_keeps_the_count_without_touching_the_record_file(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    record = _unsent()
    store.save(KEY, record)
    path = store.path_for(KEY)
    before = (path.stat().st_ino, path.read_bytes())

    store.note(KEY, _taken(record, 1, last=False, keyboard=None))
    assert _counts(store) == (1, False, None)
    store.note(KEY, _taken(record, 2, last=True, keyboard=31))
    assert _counts(store) == (2, True, 31)

    assert (path.stat().st_ino, path.read_bytes()) == before, "the record was rewritten"
    assert mark_path(path).stat().st_size == MARK_WIDTH


def test_the_next_save_carries_the_marks_and_a_new_turn_starts_from_its_own(
    tmp_path: Path,
) -> None:
    store = SessionStore(tmp_path)
    record = _unsent()
    store.save(KEY, record)
    store.note(KEY, _taken(record, 2, last=True, keyboard=31))

    loaded = store.load(KEY)
    assert loaded is not None
    loaded.last_update_id = 6
    store.save(KEY, loaded)  # a turn that keeps the old outbox (a side request, say)
    assert _counts(store) == (2, True, 31)

    store.save(KEY, _unsent(update_id=7))  # a new turn's outbox: the old mark is not its own
    assert _counts(store) == (0, False, None)


@pytest.mark.parametrize(
    "content",
    [
        b"\0" * MARK_WIDTH,  # a power cut after the size reached the disk, before the data
        b"",
        b"1 2 1 31",  # too short: a write that never finished
        b"garbage".ljust(MARK_WIDTH - 1) + b"\n",
        b"\xff" * MARK_WIDTH,
        b"x" * 10_000,
    ],
)
def test_a_torn_or_foreign_mark_counts_as_none(tmp_path: Path, content: bytes) -> None:
    store = SessionStore(tmp_path)
    store.save(KEY, _unsent())
    mark_path(store.path_for(KEY)).write_bytes(content)
    assert _counts(store) == (0, False, None)


def test_a_mark_with_a_changed_digit_fails_its_checksum(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    record = _unsent()
    store.save(KEY, record)
    store.note(KEY, _taken(record, 1, last=False, keyboard=None))
    path = mark_path(store.path_for(KEY))
    raw = path.read_bytes()
    stamp, rest = raw.split(b" ", 1)
    path.write_bytes(stamp + b" " + rest.replace(b"1", b"2", 1))
    assert read_mark(path) is None
    assert _counts(store) == (0, False, None)


def test_a_shorter_mark_covers_a_longer_one_whole(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    record = _unsent()
    store.save(KEY, record)
    store.note(KEY, _taken(record, 1, last=False, keyboard=2**40))
    store.note(KEY, _taken(record, 2, last=True, keyboard=None))
    assert _counts(store) == (2, True, None)


def test_marks_out_of_bounds_are_refused() -> None:
    good = Mark(stamp=1, sent=3, delivered=False, keyboard=9)
    assert Mark.decoded(good.encoded()) == good
    for bad in (
        Mark(stamp=1, sent=1001, delivered=False, keyboard=9),
        Mark(stamp=1, sent=3, delivered=False, keyboard=2**54),
    ):
        assert Mark.decoded(bad.encoded()) is None


def test_a_note_without_a_saved_record_writes_nothing(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    store.note(KEY, _unsent())
    assert store.load(KEY) is None
    assert not any(store.files())


def test_erase_takes_the_marks_too(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    record = _unsent()
    store.save(KEY, record)
    store.note(KEY, _taken(record, 2, last=True, keyboard=31))
    assert store.erase(KEY)
    assert not mark_path(store.path_for(KEY)).exists()
    assert list(store.files()) == []


def test_a_record_set_aside_leaves_no_marks_behind(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    record = _unsent()
    store.save(KEY, record)
    store.note(KEY, _taken(record, 2, last=True, keyboard=31))
    assert store.set_aside(KEY, "test")
    assert not mark_path(store.path_for(KEY)).exists()


def test_an_unreadable_record_goes_to_quarantine_without_its_marks(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    record = _unsent()
    store.save(KEY, record)
    store.note(KEY, _taken(record, 1, last=False, keyboard=None))
    store.path_for(KEY).write_text("[]")
    assert store.load_result(KEY).quarantined
    assert not mark_path(store.path_for(KEY)).exists()


def test_the_purge_deletes_an_idle_records_marks_with_it(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    record = _unsent()
    record.saved_at = utc_now() - timedelta(days=40)
    store.path_for(KEY).parent.mkdir(parents=True)
    store.path_for(KEY).write_text(record.model_dump_json())
    store.note(KEY, _taken(record, 1, last=False, keyboard=None))
    old = time.time() - 40 * 86400
    os.utime(store.path_for(KEY), (old, old))
    assert store.purge_idle(timedelta(days=30)) == 1
    assert list(store.files()) == []


def test_the_memory_store_keeps_marks_as_the_file_store_does() -> None:
    store = MemoryStore()
    record = _unsent()
    store.save(KEY, record)
    store.note(KEY, _taken(record, 2, last=True, keyboard=31))
    assert _counts(store) == (2, True, 31)
    store.save(KEY, _unsent(update_id=7))
    store.note(KEY, _taken(record, 1, last=False, keyboard=5))  # the earlier record's
    assert _counts(store) == (0, False, None)
