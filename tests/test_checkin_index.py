"""The check-in index: each chat's entry kept in step with its record, at a cost that does not grow
with the number of pending check-ins (a save once listed them all: 134 ms at 10,000)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.persistence import ChatRecord, SessionStore
from bot.persistence.checkin_index import CheckinIndex, marker_name
from bot.persistence.store import CHECKINS_DIR

DUE = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def _names(folder: Path) -> set[str]:
    return {path.name for path in folder.iterdir()} if folder.exists() else set()


@pytest.fixture
def listings(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The folders listed with os.scandir while the test runs."""
    seen: list[str] = []
    real = os.scandir

    def counting(path: Any = ".") -> Any:
        seen.append(os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", counting)
    yield seen


def test_saves_list_the_pending_check_ins_once_not_at_every_save(
    tmp_path: Path, listings: list[str]
) -> None:
    folder = tmp_path / CHECKINS_DIR
    folder.mkdir()
    for number in range(300):  # other chats' pending check-ins
        (folder / marker_name(str(5000 + number), DUE + timedelta(days=number % 40))).touch()
    store = SessionStore(tmp_path)
    for turn in range(20):
        store.save("42", ChatRecord(last_update_id=turn))
    assert sum(path.endswith(CHECKINS_DIR) for path in listings) == 1
    assert len(_names(folder)) == 300, "no other chat's entry touched"


def test_an_entry_follows_its_due_and_goes_when_there_is_none(tmp_path: Path) -> None:
    index = CheckinIndex(tmp_path / CHECKINS_DIR)
    index.put("7", DUE)
    assert _names(index.directory) == {marker_name("7", DUE)}
    later = DUE + timedelta(weeks=2)
    index.put("7", later)
    assert _names(index.directory) == {marker_name("7", later)}
    index.put("7", None)
    assert _names(index.directory) == set()
    assert index.entries() == []


def test_an_entry_removed_behind_the_index_is_written_again(tmp_path: Path) -> None:
    index = CheckinIndex(tmp_path / CHECKINS_DIR)
    index.put("7", DUE)
    (index.directory / marker_name("7", DUE)).unlink()  # a restore, a hand in the folder
    index.put("7", DUE)
    assert _names(index.directory) == {marker_name("7", DUE)}


def test_stale_entries_a_crash_left_go_at_the_chats_next_save(tmp_path: Path) -> None:
    folder = tmp_path / CHECKINS_DIR
    folder.mkdir()
    for days in (1, 2):  # written before a crash kept the record from moving on
        (folder / marker_name("7", DUE + timedelta(days=days))).touch()
    (folder / marker_name("8", DUE)).touch()
    index = CheckinIndex(folder)
    index.put("7", DUE + timedelta(days=3))
    assert _names(folder) == {marker_name("7", DUE + timedelta(days=3)), marker_name("8", DUE)}


def test_what_is_due_is_read_from_the_folder_the_longest_waiting_first(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    folder = tmp_path / CHECKINS_DIR
    folder.mkdir()
    (folder / marker_name("b", DUE)).touch()
    (folder / marker_name("a", DUE + timedelta(hours=1))).touch()
    (folder / marker_name("c", DUE + timedelta(days=9))).touch()
    (folder / "stray-name").touch()
    assert store.due_checkins(DUE + timedelta(days=1)) == ["b", "a"]
    assert set(store.pending_checkins()) == {"a", "b", "c"}


def test_a_note_leaves_the_check_in_index_alone(tmp_path: Path, listings: list[str]) -> None:
    """A note (no fsync, written on the event loop) changes only delivery marks: it must not
    wait for the index's first read of the folder, nor for its lock."""
    folder = tmp_path / CHECKINS_DIR
    folder.mkdir()
    (folder / marker_name("42", DUE)).touch()
    SessionStore(tmp_path).note("42", ChatRecord(last_update_id=3))
    assert not any(path.endswith(CHECKINS_DIR) for path in listings)
    assert _names(folder) == {marker_name("42", DUE)}
