"""Housekeeping never dies and the health check tells the truth about the disk."""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import FAKE_TOKEN
from fake_bot_api.harness import clean_environ
from storage_helpers import ReadOnlyDir

import bot.persistence.codec as codec
import bot.persistence.store as store_module
import bot.telegram.housekeeping as housekeeping_module
from bot.persistence import ChatRecord, SessionStore
from bot.persistence.records import Delivery, utc_now
from bot.persistence.store import record_bytes
from bot.settings import load_settings
from bot.telegram.health import PROBE_NAME, check_health, health_report, touch_heartbeat
from bot.telegram.housekeeping import TEST_HEARTBEAT_ENV, heartbeat_interval_from_env, housekeeping
from dialogs.session import Session

RETENTION = timedelta(days=30)


def _age(path: Path, days: float) -> None:
    moment = time.time() - days * 86400
    os.utime(path, (moment, moment))


def _old_sessions(store: SessionStore, count: int, days: float = 40) -> list[str]:
    keys = [str(1000 + i) for i in range(count)]
    saved_at = utc_now() - timedelta(days=days)
    for key in keys:
        store.save(key, ChatRecord(session=Session(turn=2)))
        store.path_for(key).write_bytes(
            record_bytes(ChatRecord(session=Session(), saved_at=saved_at))
        )
        _age(store.path_for(key), days)
    return keys


def _counted_fsyncs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """From now on every fsync still happens, and its file descriptor is listed here."""
    synced: list[int] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return synced


def _broken(store: SessionStore, key: str, content: bytes, days: float) -> Path:
    path = store.path_for(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    _age(path, days)
    return path


# ---- the purge --------------------------------------------------------------------------------


def test_an_empty_list_among_old_sessions_is_quarantined_and_the_rest_purged(
    tmp_path: Path,
) -> None:
    store = SessionStore(tmp_path)
    _old_sessions(store, 20)
    _broken(store, "7", b"[]", days=40)
    store.save("8", ChatRecord(session=Session()))  # active: stays
    assert store.purge_idle(RETENTION) == 20
    assert [p.name for p in store.files()] == ["8.json"]
    assert [p.read_bytes() for p in store.quarantine.files()] == [b"[]"], "moved, not deleted"
    assert store.quarantine.moved == 1


def test_the_walk_deletes_without_a_flush_per_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A directory fsync per deleted record queued behind the answers' saves (issue 24.3); a
    deletion a power loss undoes is made again by the next walk."""
    store = SessionStore(tmp_path)
    _old_sessions(store, 12)
    flushed = _counted_fsyncs(monkeypatch)
    assert store.upkeep(RETENTION, share=1.0).deleted == 12
    assert flushed == []
    assert store.count() == 0


@pytest.mark.parametrize(
    "content", [b"{not json", b"", b"null", b'{"chat": 1}', b'{"schema_version": 9}']
)
def test_any_unreadable_old_file_is_quarantined_by_the_purge(
    tmp_path: Path, content: bytes
) -> None:
    store = SessionStore(tmp_path)
    _old_sessions(store, 3)
    _broken(store, "7", content, days=40)
    assert store.purge_idle(RETENTION) == 3
    assert store.count() == 0 and store.quarantine.count() == 1


def test_an_unexpected_error_on_one_file_does_not_stop_the_purge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store = SessionStore(tmp_path)
    keys = _old_sessions(store, 10)
    real = codec.decode_saved_at
    calls = 0

    def sometimes_crashes(raw: bytes) -> object:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise TypeError("a bug we did not foresee")
        return real(raw)

    monkeypatch.setattr(store_module, "decode_saved_at", sometimes_crashes)
    with caplog.at_level(logging.WARNING):
        assert store.purge_idle(RETENTION) == 9
    assert store.count() == 1 and calls == 10
    assert "TypeError" in caplog.text and "foresee" not in caplog.text
    assert all(k not in caplog.text for k in keys)


def test_quarantined_files_follow_the_retention_too(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    _broken(store, "1", b"[]", days=40)
    _broken(store, "2", b"[]", days=40)
    store.purge_idle(RETENTION)
    first, second = store.quarantine.files()
    assert store.quarantine.count() == 2, "a fresh quarantine is kept for the operator"
    _age(first, 31)
    store.purge_idle(RETENTION)
    assert store.quarantine.files() == [second]


def test_a_directory_in_a_session_files_place_is_quarantined_and_later_purged(
    tmp_path: Path,
) -> None:
    """Found by the purge (an idle chat) it goes to quarantine like any unreadable file, and
    after the retention it is deleted with all it holds: no copy outlives the promise."""
    store = SessionStore(tmp_path)
    directory = store.path_for("7")
    directory.mkdir(parents=True)
    (directory / "inside.json").write_text("{}")
    _age(directory, 40)
    store.purge_idle(RETENTION)
    assert not directory.exists()
    [moved] = store.quarantine.files()
    assert (moved / "inside.json").is_file() and store.quarantined_copies("7") == 1
    _age(moved, 31)
    store.purge_idle(RETENTION)
    assert store.quarantine.files() == [] and not moved.exists()


# ---- the housekeeping task -------------------------------------------------------------------


async def _until(condition: object, rounds: int = 5000) -> None:
    for _ in range(rounds):
        if callable(condition) and condition():
            return
        await asyncio.sleep(0.002)
    raise AssertionError("condition never became true")


@pytest.fixture
def fast_rounds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(housekeeping_module, "HEARTBEAT_INTERVAL", 0.001)
    monkeypatch.setattr(housekeeping_module, "PURGE_INTERVAL", 0.0)


def _beats(data_dir: Path) -> float:
    return (data_dir / "heartbeat").stat().st_mtime_ns


@pytest.mark.usefixtures("fast_rounds")
async def test_housekeeping_survives_a_broken_file_and_keeps_its_heartbeat(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    _old_sessions(store, 20)
    _broken(store, "7", b"[]", days=40)
    task = asyncio.create_task(housekeeping(store, tmp_path, RETENTION))
    try:
        await _until(lambda: store.count() == 0 and store.quarantine.count() == 1)
        _age(tmp_path / "heartbeat", 1)
        stale = _beats(tmp_path)
        await _until(lambda: _beats(tmp_path) != stale)
        assert not task.done(), "the task is alive"
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


@pytest.mark.usefixtures("fast_rounds")
async def test_housekeeping_survives_any_exception_in_a_round(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store = SessionStore(tmp_path)
    failures = 0

    def purge_fails(retention: timedelta) -> int:
        nonlocal failures
        failures += 1
        raise RuntimeError("geheim: a message that may quote user data")

    monkeypatch.setattr(store, "upkeep", purge_fails)
    task = asyncio.create_task(housekeeping(store, tmp_path, RETENTION))
    try:
        await _until(lambda: failures >= 3)
        _age(tmp_path / "heartbeat", 1)
        stale = _beats(tmp_path)
        await _until(lambda: _beats(tmp_path) != stale)
        assert not task.done()
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert "RuntimeError" in caplog.text and "geheim" not in caplog.text


@pytest.mark.parametrize(
    ("raw", "interval"),
    [("", None), ("0.2", 0.2), ("30", 30.0), ("0", None), ("31", None), ("nan", None), ("x", None)],
)
def test_the_test_only_heartbeat_interval_is_above_0_and_at_most_the_real_one_or_ignored(
    monkeypatch: pytest.MonkeyPatch, raw: str, interval: float | None
) -> None:
    monkeypatch.setenv(TEST_HEARTBEAT_ENV, raw)
    assert heartbeat_interval_from_env() == interval


# ---- the health check -----------------------------------------------------------------------


def test_health_writes_and_syncs_a_probe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings(_env_file=None, telegram_bot_token=FAKE_TOKEN, bot_data_dir=tmp_path)
    touch_heartbeat(tmp_path)
    SessionStore(tmp_path).prepare()
    synced = _counted_fsyncs(monkeypatch)
    assert check_health(settings) == []
    assert len(synced) >= 2, "data and sessions directory, each written and synced"
    assert (tmp_path / PROBE_NAME).read_bytes() == b"probe\n"
    assert (tmp_path / "sessions" / PROBE_NAME).is_file()
    assert SessionStore(tmp_path).count() == 0, "the probe is no session"


@pytest.mark.parametrize("failing", ["os.open", "os.write", "os.fsync", "os.replace"])
def test_health_reports_a_disk_where_writes_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    settings = load_settings(_env_file=None, telegram_bot_token=FAKE_TOKEN, bot_data_dir=tmp_path)
    touch_heartbeat(tmp_path)

    def no_space(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(failing, no_space)
    problems = check_health(settings)
    monkeypatch.undo()
    assert len(problems) == 1 and "not writable" in problems[0]
    assert "No space left" in problems[0]


def test_health_reports_a_read_only_sessions_directory(read_only: ReadOnlyDir) -> None:
    data_dir = read_only.path
    settings = load_settings(_env_file=None, telegram_bot_token=FAKE_TOKEN, bot_data_dir=data_dir)
    SessionStore(data_dir).prepare()
    touch_heartbeat(data_dir)
    assert check_health(settings) == []
    with read_only.locked():
        problems = check_health(settings)
    assert len(problems) == 1 and "not writable" in problems[0]


def test_health_counts_quarantined_files_without_failing(tmp_path: Path) -> None:
    settings = load_settings(_env_file=None, telegram_bot_token=FAKE_TOKEN, bot_data_dir=tmp_path)
    touch_heartbeat(tmp_path)
    store = SessionStore(tmp_path)
    for key in ("1", "2"):
        _broken(store, key, b"[]", days=0)
        store.load(key)
    report = health_report(settings)
    assert report.problems == [] and report.quarantined == 2
    assert report.notes() == ["2 unreadable session files in quarantine"]


def test_healthcheck_command_prints_the_quarantine_note(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    _broken(store, "1", b"[]", days=0)
    store.load("1")
    touch_heartbeat(tmp_path)
    clean = clean_environ()
    env = {**clean, "TELEGRAM_BOT_TOKEN": FAKE_TOKEN, "BOT_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "healthcheck"],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok; 1 unreadable session file in quarantine"


def test_the_start_up_look_lists_only_recent_chats_with_unsent_replies(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    unsent = ChatRecord(session=Session(), delivery=Delivery(update_id=5, turn=1, replies=[]))
    sent = unsent.model_copy(
        update={"delivery": Delivery(update_id=5, turn=1, replies=[], delivered=True)}
    )
    store.save("1", unsent)
    store.save("2", sent)
    store.save("3", ChatRecord(session=Session()))
    store.save("4", unsent)
    _age(store.path_for("4"), days=2)  # too old to have replies worth sending
    assert list(store.recent_keys(utc_now() - timedelta(days=1))) == ["1"]


# ---- one walk at a start (issue 24.3) ----------------------------------------------------------


def test_unsent_outboxes_are_found_from_their_index_without_a_walk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SessionStore(tmp_path)
    unsent = ChatRecord(session=Session(), delivery=Delivery(update_id=5, turn=1, replies=[]))
    store.save("1", unsent)
    assert store.unsent_keys() is None, "not known to be complete: a store from before the index"
    store.indexed()
    store.save("2", unsent.model_copy(deep=True))
    store.save("3", ChatRecord(session=Session()))
    store.save("4", unsent.model_copy(deep=True))
    delivered = unsent.model_copy(deep=True)
    assert delivered.delivery is not None
    delivered.delivery.delivered = True
    store.note("4", delivered)  # marked delivered: out of the index
    store.save("5", unsent.model_copy(deep=True))
    store.erase("5")

    def no_walk() -> None:
        raise AssertionError("the records were walked")

    monkeypatch.setattr(store, "files", no_walk)
    assert store.unsent_keys() == ["1", "2"]


async def test_a_start_sends_unsent_replies_from_the_index_and_walks_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.telegram.app import catch_up

    store = SessionStore(tmp_path)
    store.save("1", ChatRecord(session=Session()))
    asked: list[list[str]] = []

    class HandOvers:
        async def finish_hand_overs(self) -> int:
            return 0

    class Resender:
        conversation = HandOvers()

        async def resend(self, bot: object, keys: list[str]) -> int:
            asked.append(list(keys))
            return 0

    # A store from before the index: its recent records are looked through once ...
    await catch_up(store, Resender(), None)  # type: ignore[arg-type]
    assert store.unsent_keys() == []
    unsent = ChatRecord(session=Session(), delivery=Delivery(update_id=5, turn=1, replies=[]))
    store.save("2", unsent)

    def no_walk() -> None:
        raise AssertionError("the records were walked")

    monkeypatch.setattr(store, "files", no_walk)
    await catch_up(store, Resender(), None)  # type: ignore[arg-type]
    assert asked == [[], ["2"]], "... and then only the index is read"


def test_the_upkeep_walk_reads_each_shard_once_for_temps_and_purge_and_paces_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SessionStore(tmp_path)
    old = _old_sessions(store, 6)
    store.save("k", ChatRecord(session=Session()))
    leftovers = [store.path_for(key).parent / f".{key}.json.abc.tmp" for key in ("k", old[0])]
    for path in leftovers:
        path.write_text("half")
    shards = {store.path_for(key).parent for key in [*old, "k"]}
    scanned: list[str] = []
    real_scandir = os.scandir

    def scandir(path: object) -> object:
        scanned.append(str(path))
        return real_scandir(path)  # type: ignore[call-overload]

    slept: list[float] = []
    monkeypatch.setattr(os, "scandir", scandir)
    done = store.upkeep(RETENTION, share=0.5, sleep=slept.append)
    monkeypatch.undo()
    assert (done.temps, done.deleted) == (2, 6)
    assert not any(path.exists() for path in leftovers) and store.load("k") is not None
    walked = [path for path in scanned if Path(path) in shards]
    assert sorted(walked) == sorted(str(shard) for shard in shards), "each shard once"
    assert len(slept) >= len(shards) and all(pause >= 0 for pause in slept), "paced per shard"
