"""The per-chat session store: round trips, erasure, retention, crash safety, flat save cost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.persistence import ChatLocks, ChatRecord, LoadResult, SessionStore
from bot.persistence.atomic import TEMP_SUFFIX
from bot.persistence.keys import shard_of
from bot.persistence.memory import MemoryStore
from bot.persistence.records import RECORD_VERSION, utc_now
from bot.persistence.store import record_bytes
from dialogs.session import Answer, Session


def _session(turn: int = 3) -> Session:
    return Session(
        state="vraag-fase",
        turn=turn,
        role="mkb",
        layers=["leidinggevende"],
        history=[Answer(step="rol", option="mkb")],
    )


def test_missing_chat_loads_as_none(tmp_path: Path) -> None:
    assert SessionStore(tmp_path).load("42") is None


def test_round_trip_keeps_everything(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    record = ChatRecord(session=_session(), last_update_id=17)
    store.save("42", record)
    loaded = SessionStore(tmp_path).load("42")
    assert loaded is not None
    assert loaded.session == record.session
    assert loaded.last_update_id == 17
    assert loaded.blocked is False


def test_file_is_the_records_own_json_in_a_hashed_shard(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    record = ChatRecord(session=_session(), last_update_id=5)
    store.save("-100123", record)
    path = tmp_path / "sessions" / shard_of("-100123") / "-100123.json"
    assert path.is_file()
    stored = json.loads(path.read_bytes())
    assert stored["schema_version"] == RECORD_VERSION == 8
    assert stored["session"]["role"] == "mkb" and stored["last_update_id"] == 5
    assert set(stored) == {
        "schema_version",
        "session",
        "blocked",
        "last_update_id",
        "saved_at",
        "delivery",
        "asked",
        "checkin_day",
        "keyboard_message",
        "selfcheck",
    }
    assert path.stat().st_mode & 0o077 == 0, "session files must be private to the bot's user"


def test_save_writes_without_reading_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No read-modify-write: a save is one atomic write, whatever is on disk."""
    store = SessionStore(tmp_path)
    store.save("8", ChatRecord(session=_session(turn=1)))

    def no_reading(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("save read a file")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    monkeypatch.setattr(Path, "read_text", no_reading)
    store.save("8", ChatRecord(session=_session(turn=2)))
    monkeypatch.undo()
    loaded = store.load("8")
    assert loaded is not None and loaded.session is not None and loaded.session.turn == 2


def test_record_bytes_equal_what_save_writes(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    record = ChatRecord(session=_session())
    store.save("7", record)
    assert store.path_for("7").read_bytes() == record_bytes(record)


@pytest.mark.parametrize("key", ["42", "-100123", "web:ab12_CD-9", "x" * 64])
def test_safe_keys_name_their_own_file(tmp_path: Path, key: str) -> None:
    store = SessionStore(tmp_path)
    store.save(key, ChatRecord(session=_session()))
    assert store.path_for(key).name == f"{key}.json"
    assert store.path_for(key).parent.parent == store.root
    assert store.load(key) is not None and store.count() == 1


@pytest.mark.parametrize(
    "key", ["", "x" * 65, "../1", "a/b", "1.json", " 1", "1\n", "ä", "a b", ".", "..", "a\x00"]
)
def test_unsafe_keys_are_refused_before_touching_the_disk(tmp_path: Path, key: str) -> None:
    store = SessionStore(tmp_path)
    for call in (store.load, store.erase, store.mark_blocked, store.path_for):
        with pytest.raises(ValueError):
            call(key)
    with pytest.raises(ValueError):
        store.save(key, ChatRecord())
    assert not tmp_path.joinpath("sessions").exists()


def test_a_number_is_not_a_key(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        SessionStore(tmp_path).load(42)  # type: ignore[arg-type]


def test_chats_do_not_share_state(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    store.save("1", ChatRecord(session=_session(turn=1)))
    store.save("2", ChatRecord(session=_session(turn=9)))
    one, two = store.load("1"), store.load("2")
    assert one is not None and one.session is not None and one.session.turn == 1
    assert two is not None and two.session is not None and two.session.turn == 9


def test_erase_removes_everything(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    store.save("5", ChatRecord(session=_session()))
    assert store.erase("5") is True
    assert store.load("5") is None
    assert store.erase("5") is False
    assert store.count() == 0


def test_mark_blocked_persists(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    session = _session()
    store.save("5", ChatRecord(session=session))
    store.mark_blocked("5")
    loaded = store.load("5")
    assert loaded is not None and loaded.blocked and loaded.session == session


def test_blocked_is_read_back_until_the_user_writes_again(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    assert store.is_blocked("5") is False and store.load_result("5").blocked is False
    store.save("5", ChatRecord(session=_session()))
    assert store.is_blocked("5") is False
    store.mark_blocked("5")
    assert store.is_blocked("5") is True
    assert SessionStore(tmp_path).load_result("5").blocked is True, "it survives a restart"
    # The user writes again: the service saves their update's record with blocked cleared.
    record = store.load("5")
    assert record is not None
    record.blocked = False
    store.save("5", record)
    assert store.is_blocked("5") is False


def test_marking_an_unknown_chat_blocked_remembers_it(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    store.mark_blocked("6")
    result = store.load_result("6")
    assert result.blocked and result.record is not None and result.record.session is None


def test_purge_deletes_only_idle_records(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    store.save("1", ChatRecord(session=_session()))
    store.save("2", ChatRecord(session=_session()))
    old = utc_now() - timedelta(days=40)
    # Chat 1 was last saved 40 days ago (content and mtime both say so).
    store.path_for("1").write_bytes(record_bytes(ChatRecord(session=_session(), saved_at=old)))
    os.utime(store.path_for("1"), (old.timestamp(), old.timestamp()))
    assert store.purge_idle(timedelta(days=30)) == 1
    assert store.load("1") is None
    assert store.load("2") is not None


def test_purge_keeps_a_fresh_file_without_reading_it(tmp_path: Path) -> None:
    """A file changed since the cutoff is kept on its mtime alone: no parsing of active chats."""
    store = SessionStore(tmp_path)
    store.save("1", ChatRecord(session=_session()))
    store.path_for("1").write_text("[]")  # unreadable, but fresh: the purge does not even look
    assert store.purge_idle(timedelta(days=30)) == 0
    assert store.path_for("1").exists() and store.quarantine.moved == 0


def test_purge_judges_an_old_mtime_by_the_stored_saved_at(tmp_path: Path) -> None:
    """A restore may keep old mtimes: an old file whose content was saved recently stays."""
    store = SessionStore(tmp_path)
    old = utc_now() - timedelta(days=40)
    store.save("1", ChatRecord(session=_session()))
    os.utime(store.path_for("1"), (old.timestamp(), old.timestamp()))
    store.save("2", ChatRecord())
    store.path_for("2").write_bytes(record_bytes(ChatRecord(session=_session(), saved_at=old)))
    os.utime(store.path_for("2"), (old.timestamp(), old.timestamp()))
    assert store.purge_idle(timedelta(days=30)) == 1
    assert store.load("1") is not None and store.load("2") is None


def test_purge_reads_old_files_of_the_previous_format(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    old = utc_now() - timedelta(days=40)
    v1 = {"chat": {"1": {**ChatRecord(saved_at=old).model_dump(mode="json")}}}
    del v1["chat"]["1"]["schema_version"]
    store.path_for("3").parent.mkdir(parents=True)
    store.path_for("3").write_text(json.dumps(v1))
    os.utime(store.path_for("3"), (old.timestamp(), old.timestamp()))
    assert store.purge_idle(timedelta(days=30)) == 1 and store.quarantine.moved == 0


def test_prepare_removes_leftover_temp_files(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    store.save("1", ChatRecord(session=_session()))
    leftover = store.path_for("1").parent / ".1.json.abc.tmp"
    leftover.write_text("half")
    assert store.prepare() == 1
    assert not leftover.exists()
    assert store.load("1") is not None


def test_prepare_spares_a_save_in_progress_and_sweeps_earlier_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The start-up sweep runs while updates are handled: a save held between writing its temp
    file and renaming it, during the sweep, still completes, and its data is there."""
    store = SessionStore(tmp_path)
    store.save("1", ChatRecord(session=_session()))
    shard = store.path_for("1").parent
    earlier = [shard / ".1.json.abc.tmp", shard / ".1.json.7-0123456789ab.x1y2.tmp"]
    for leftover in earlier:
        leftover.write_text("half")
    (tmp_path / "checkins").mkdir()
    (tmp_path / "checkins" / ".20270101T080000Z_1.7-0123456789ab.xy.tmp").write_text("")
    written, go = threading.Event(), threading.Event()
    real_replace = os.replace

    def held(source: str, target: Path) -> None:
        if str(source).endswith(TEMP_SUFFIX) and Path(target).name == "2.json":
            written.set()
            go.wait()
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", held)
    failures: list[BaseException] = []

    def save() -> None:
        try:
            store.save("2", ChatRecord(session=Session(turn=7), last_update_id=7))
        except BaseException as err:
            failures.append(err)

    saver = threading.Thread(target=save)
    saver.start()
    written.wait()
    removed = store.prepare()
    go.set()
    saver.join()
    assert failures == [], "the save in progress completed"
    assert removed == 3, "the temp files of earlier processes went, this process's stayed"
    loaded = store.load("2")
    assert loaded is not None and loaded.last_update_id == 7
    assert not any(path.exists() for path in earlier)
    assert [path.name for path in store.files() if path.name.endswith(TEMP_SUFFIX)] == []


@settings(max_examples=40, deadline=None)
@given(
    chat_id=st.integers(min_value=-(10**13), max_value=10**13),
    turn=st.integers(min_value=0, max_value=10_000),
    layers=st.lists(st.sampled_from(["leidinggevende", "collegas", "taken"]), max_size=3),
)
def test_any_session_survives_a_round_trip(
    tmp_path_factory: pytest.TempPathFactory, chat_id: int, turn: int, layers: list[str]
) -> None:
    store = SessionStore(tmp_path_factory.mktemp("s"))
    session = Session(turn=turn, layers=layers)
    store.save(str(chat_id), ChatRecord(session=session, last_update_id=turn))
    loaded = store.load(str(chat_id))
    assert loaded is not None and loaded.session == session and loaded.last_update_id == turn


_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from bot.persistence import ChatRecord, SessionStore
    from dialogs.session import Session
    store = SessionStore(Path(sys.argv[1]))
    existing = store.load("1")
    turn = existing.last_update_id if existing else 0
    print("ready", flush=True)
    while True:
        turn += 1
        store.save("1", ChatRecord(session=Session(turn=turn, layers=["x" * 2000]),
                                 last_update_id=turn))
    """
)


def test_sigkill_during_saves_never_leaves_a_corrupt_file(tmp_path: Path) -> None:
    """Kill a process that saves in a tight loop, several times: the file always loads."""
    seen: list[int] = []
    for _ in range(5):
        proc = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(tmp_path)],
            stdout=subprocess.PIPE,
            cwd=Path(__file__).resolve().parents[1],
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == b"ready"
        store = SessionStore(tmp_path)
        before = seen[-1] if seen else 0
        # Wait until this writer has saved a few times, then kill it wherever it is.
        while (current := store.load("1")) is None or current.last_update_id < before + 3:
            pass
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        loaded = store.load("1")
        assert loaded is not None and loaded.session is not None
        assert loaded.session.turn == loaded.last_update_id
        seen.append(loaded.last_update_id)
        store.prepare()
    assert seen == sorted(seen) and seen[0] > 0, "each restart continued from the saved turn"
    assert SessionStore(tmp_path).quarantine.count() == 0, "no file was ever judged unreadable"


async def test_chat_locks_serialise_one_chat_but_not_others() -> None:
    locks = ChatLocks()
    assert locks.for_chat("1") is locks.for_chat("1")
    async with locks.for_chat("1"):
        assert locks.for_chat("1").locked()
        assert not locks.for_chat("2").locked()


def test_the_memory_store_offers_the_same_record_api(tmp_path: Path) -> None:
    files, memory = SessionStore(tmp_path), MemoryStore()
    for store in (files, memory):
        assert store.load_result("9") == LoadResult()
        store.save("9", ChatRecord(session=_session()))
        store.mark_blocked("9")
        assert store.is_blocked("9") and store.load_result("9").blocked
        assert store.erase("9") and store.load("9") is None
        store.save("9", ChatRecord(session=_session()))
        assert store.set_aside("9", "test") and store.load("9") is None
        assert store.quarantined_copies("9") == 1 and not store.set_aside("9", "test")
        assert store.erase("9") and store.quarantined_copies("9") == 0
        with pytest.raises(ValueError):
            store.load("../9")
