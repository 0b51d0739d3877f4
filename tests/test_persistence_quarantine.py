"""Storage that heals and tells the truth: bad files go to quarantine, failed saves say so."""

from __future__ import annotations

import errno
import json
import logging
import os
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from record_helpers import record_with, valid_record
from storage_helpers import ReadOnlyDir

from bot.persistence import ChatRecord, LoadResult, SaveFailed, SessionStore
from bot.persistence.records import MAX_UPDATE_ID, RECORD_VERSION, utc_now
from dialogs.session import Session

KEY = "424242"
SECRET = "Geheime Naam"  # stands for anything personal a broken file might hold


def _as_v1(raw: bytes) -> bytes:
    data = json.loads(raw)
    del data["schema_version"]
    return json.dumps({"chat": {"1": data}}).encode()


FUTURE = (utc_now() + timedelta(days=3)).isoformat()
BROKEN: dict[str, bytes] = {
    "not json": b"{not json",
    "empty file": b"",
    "empty list": b"[]",
    "list document": json.dumps([valid_record()]).encode(),
    "null": b"null",
    "number": b"42",
    "string": json.dumps(SECRET).encode(),
    "empty object": b"{}",
    "invalid utf-8": b'{"session": "\xff\xfe"}',
    "deep nesting": b"[" * 100_000 + b"]" * 100_000,
    "foreign v1 shape": json.dumps({"chat": {"1": {"session": {"x": SECRET}}}}).encode(),
    "foreign v2 shape": record_with(session={"x": SECRET}),
    "unknown field": record_with(name=SECRET),
    "missing field": json.dumps(
        {k: v for k, v in valid_record().items() if k != "blocked"}
    ).encode(),
    "turn -5": record_with(session__turn=-5),
    "turn 10**13": record_with(session__turn=10**13),
    "v1 turn -5": _as_v1(record_with(session__turn=-5)),
    "v1 turn 10**13": _as_v1(record_with(session__turn=10**13)),
    "update id -1": record_with(last_update_id=-1),
    "update id over 2**53": record_with(last_update_id=MAX_UPDATE_ID + 1),
    "future saved_at, huge update id": record_with(saved_at=FUTURE, last_update_id=MAX_UPDATE_ID),
    "v1 future saved_at": _as_v1(record_with(saved_at=FUTURE)),
    "naive saved_at": record_with(saved_at="2026-01-01T00:00:00"),
    "newer format": record_with(schema_version=RECORD_VERSION + 1),
    "version as text": record_with(schema_version="2"),
    "role as list": record_with(session__role=[SECRET]),
}


@pytest.mark.parametrize("content", BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_file_goes_to_quarantine_and_the_chat_starts_afresh(
    tmp_path: Path, content: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    store = SessionStore(tmp_path)
    path = store.path_for(KEY)
    path.parent.mkdir(parents=True)
    path.write_bytes(content)

    with caplog.at_level(logging.WARNING):
        result = store.load_result(KEY)
    assert result == LoadResult(record=None, quarantined=True)
    assert not path.exists(), "nothing is left in the way of the next save"
    moved = store.quarantine.files()
    assert [p.read_bytes() for p in moved] == [content], "moved aside byte for byte, not deleted"
    assert moved[0].parent == tmp_path / "quarantine"
    assert store.quarantine.moved == 1 and store.quarantine.count() == 1
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "quarantine" in logged
    assert KEY not in logged and SECRET not in logged, "the log line holds no personal data"

    assert store.load_result(KEY) == LoadResult(), "told once; afterwards simply nothing stored"
    store.save(KEY, ChatRecord(session=Session()))
    assert store.load(KEY) is not None and store.count() == 1


def test_load_and_is_blocked_quarantine_too(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    for key in ("1", "2"):
        store.path_for(key).parent.mkdir(parents=True, exist_ok=True)
        store.path_for(key).write_text("[]")
    assert store.load("1") is None
    assert store.is_blocked("2") is False
    assert store.quarantine.moved == 2 and store.quarantine.count() == 2


def test_a_good_file_is_not_quarantined(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    store.save(KEY, ChatRecord(session=Session(turn=10**9), last_update_id=MAX_UPDATE_ID))
    result = store.load_result(KEY)
    assert result.record is not None and not result.quarantined
    assert store.quarantine.moved == 0 and not store.quarantine.path.exists()


def test_a_slightly_fast_clock_is_tolerated(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    store.path_for(KEY).parent.mkdir(parents=True)
    soon = (utc_now() + timedelta(hours=20)).isoformat()
    store.path_for(KEY).write_bytes(record_with(saved_at=soon))
    assert store.load(KEY) is not None


def test_the_counter_counts_only_this_stores_moves(tmp_path: Path) -> None:
    first = SessionStore(tmp_path)
    first.path_for(KEY).parent.mkdir(parents=True)
    first.path_for(KEY).write_text("[]")
    first.load(KEY)
    second = SessionStore(tmp_path)
    assert second.quarantine.moved == 0 and second.quarantine.count() == 1


# ---- bounds in the models ---------------------------------------------------------------------


@pytest.mark.parametrize("turn", [-5, -1, 10**9 + 1, 10**13])
def test_session_turn_is_bounded(turn: int) -> None:
    with pytest.raises(ValidationError):
        Session(turn=turn)
    session = Session()
    with pytest.raises(ValidationError):
        session.turn = turn


@pytest.mark.parametrize("update_id", [-1, MAX_UPDATE_ID + 1])
def test_record_update_id_is_bounded(update_id: int) -> None:
    with pytest.raises(ValidationError):
        ChatRecord(last_update_id=update_id)


def test_record_saved_at_is_aware_and_not_in_the_future() -> None:
    with pytest.raises(ValidationError):
        ChatRecord(saved_at=utc_now() + timedelta(days=2))
    with pytest.raises(ValidationError):
        ChatRecord(saved_at=utc_now().replace(tzinfo=None))
    assert ChatRecord(saved_at=utc_now() - timedelta(days=4000)).saved_at.year > 2000


# ---- saves that fail say so --------------------------------------------------------------------


def _no_space(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_a_failed_write_raises_save_failed_and_keeps_the_old_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    store = SessionStore(tmp_path)
    store.save(KEY, ChatRecord(session=Session(turn=1), last_update_id=1))
    before = store.path_for(KEY).read_bytes()

    monkeypatch.setattr(os, failing, _no_space)
    with pytest.raises(SaveFailed) as caught:
        store.save(KEY, ChatRecord(session=Session(turn=2), last_update_id=2))
    monkeypatch.undo()

    assert isinstance(caught.value, OSError) and caught.value.errno == errno.ENOSPC
    assert KEY not in str(caught.value), "the message holds no chat key"
    assert store.path_for(KEY).read_bytes() == before, "the stored record is the old one, whole"
    assert [p.name for p in store.files()] == [f"{KEY}.json"], "no temp file left behind"


def test_mark_blocked_on_a_failing_disk_raises_save_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SessionStore(tmp_path)
    store.save(KEY, ChatRecord())
    monkeypatch.setattr(os, "replace", _no_space)
    with pytest.raises(SaveFailed):
        store.mark_blocked(KEY)


def test_a_read_only_directory_raises_save_failed(read_only: ReadOnlyDir) -> None:
    store = SessionStore(read_only.path)
    store.save(KEY, ChatRecord(session=Session(turn=1), last_update_id=1))
    with read_only.locked():
        loaded = store.load(KEY)
        assert loaded is not None and loaded.last_update_id == 1, "reading still works"
        with pytest.raises(SaveFailed) as caught:
            store.save(KEY, ChatRecord(session=Session(turn=2), last_update_id=2))
        assert caught.value.errno in (errno.EACCES, errno.EROFS, errno.EPERM)
        with pytest.raises(SaveFailed):
            store.save("new-chat", ChatRecord())
    again = store.load(KEY)
    assert again is not None and again.last_update_id == 1


def test_a_directory_in_place_of_the_file_goes_to_quarantine(tmp_path: Path) -> None:
    """IsADirectoryError on every load made a permanent apology; now the chat starts afresh."""
    store = SessionStore(tmp_path)
    path = store.path_for(KEY)
    path.mkdir(parents=True)
    (path / "inside").write_text(SECRET)
    assert store.load_result(KEY) == LoadResult(record=None, quarantined=True)
    assert not path.exists()
    [moved] = store.quarantine.files()
    assert (moved / "inside").read_text() == SECRET, "moved aside whole, not deleted"
    store.save(KEY, ChatRecord(session=Session(turn=1)))
    assert store.load(KEY) is not None


def test_erase_removes_the_chats_quarantined_copies_and_no_others(tmp_path: Path) -> None:
    """/vergeet forgets an earlier conversation kept in quarantine too (issue 18, part 7)."""
    store = SessionStore(tmp_path)
    for key, content in ((KEY, b"[]"), (f"{KEY}1", b"[]"), (KEY[:-1], b"[]")):
        path = store.path_for(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        assert store.load_result(key).quarantined
    path = store.path_for(KEY)
    path.mkdir()  # a second copy of the same chat, of another kind
    assert store.load_result(KEY).quarantined
    assert store.quarantined_copies(KEY) == 2 and store.quarantine.count() == 4
    assert store.erase(KEY), "something was erased, though no record was stored"
    assert store.quarantined_copies(KEY) == 0
    assert store.quarantined_copies(f"{KEY}1") == 1 and store.quarantined_copies(KEY[:-1]) == 1
    assert not store.erase(KEY)


def test_set_aside_moves_a_readable_record_the_dialog_cannot_use(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    assert not store.set_aside(KEY, "test")
    store.save(KEY, ChatRecord(session=Session(turn=3)))
    assert store.set_aside(KEY, "test")
    assert store.load(KEY) is None and store.quarantined_copies(KEY) == 1
