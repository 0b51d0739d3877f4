"""Storage faults through the real bot process: unreadable session files and a full disk.

The user is told the truth either way: that their earlier conversation could not be read (and it
starts afresh), or that their answer was NOT saved and they can try again with the same question.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from dialog_helpers import engine
from fake_bot_api.harness import BotProcess, User, clean_environ, option_id
from fake_bot_api.server import FakeBotApi
from record_helpers import record_with, valid_record

from bot.conversation import Conversation
from bot.persistence import ChatRecord, SessionStore
from bot.persistence.memory import MemoryStore
from bot.persistence.records import MAX_UPDATE_ID, utc_now
from dialogs import Event
from dialogs.session import Answer
from locales import load_bundle

# The corrupt files of issue 13, each as the stored file of its own chat.
FUTURE = (utc_now() + timedelta(days=3)).isoformat()
CORRUPT: dict[int, bytes] = {
    7101: b"{not json",
    7102: b"[]",
    7103: json.dumps([valid_record()]).encode(),  # a list as the document
    7104: json.dumps({"chat": {"1": {"session": {"x": 1}}}}).encode(),  # JSON, wrong shape
    7105: record_with(session__turn=-5),
    7106: record_with(session__turn=10**13),
    # Would make every new update look like a redelivery if it were believed.
    7107: record_with(saved_at=FUTURE, last_update_id=MAX_UPDATE_ID),
}


def _healthcheck(bot: BotProcess) -> subprocess.CompletedProcess[str]:
    env = clean_environ()
    env.update(TELEGRAM_BOT_TOKEN=bot.api.token, BOT_DATA_DIR=str(bot.data_dir))
    return subprocess.run(
        [sys.executable, "-m", "bot", "healthcheck"],
        cwd=bot.workdir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.slow
async def test_a_corrupt_session_file_is_quarantined_and_the_user_is_told(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    texts = load_bundle().telegram
    store = SessionStore(bot_process.data_dir)
    for chat_id, content in CORRUPT.items():
        path = store.path_for(str(chat_id))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)

    for chat_id in CORRUPT:
        user = User(bot_process, chat_id)
        await user.send("/start")
        first = user.messages()[0].text or ""
        assert first.startswith(texts.unreadable), chat_id
        record = store.load(str(chat_id))
        assert record is not None and record.session is not None, chat_id
        assert record.session.history == [] and record.session.role is None
        assert record.last_update_id < MAX_UPDATE_ID
        await user.choose(user.options()[0])  # the fresh conversation goes on, told only once
        assert all(not (m.text or "").startswith(texts.unreadable) for m in user.messages()[1:])

    assert store.quarantine.count() == len(CORRUPT)
    health = _healthcheck(bot_process)
    assert health.returncode == 0, health.stderr
    assert f"{len(CORRUPT)} unreadable session files in quarantine" in health.stdout
    assert bot_api.rejections == [] and bot_api.unanswered_callbacks() == []


async def _record_after(choices: list[str], **changes: object) -> ChatRecord:
    """A record as the dialog leaves it after `choices`, with `changes` made to its session (as
    an old file or a knowledge change leaves it)."""
    store = MemoryStore()
    conversation = Conversation(engine(), store, retention_days=30)
    turn = await conversation.handle("1", 1, Event.start())
    for number, choice in enumerate(choices, start=2):
        turn = await conversation.handle("1", number, Event.option(choice), tap_turn=turn.turn)
    record = store.load("1")
    assert record is not None and record.session is not None
    for name, value in changes.items():
        setattr(record.session, name, value)
    record.last_update_id = 0  # the fake Bot API numbers its updates from 1
    return record


@pytest.mark.slow
async def test_stored_chats_that_never_healed_heal_on_their_first_message(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    """Issue 18, part 8: a directory for a file (a permanent apology), a history whose trail
    outgrew every reply (an apology for every input, /start too), an unknown role or phase (no
    reply at all). Each chat is told, and its first message gets a normal answer."""
    texts = load_bundle().telegram
    store = SessionStore(bot_process.data_dir)
    advice = ["mkb", "geen", "nee", "ja", "ok", "nee", "ja", "ja", "ja"]
    store.path_for("7301").mkdir(parents=True)
    store.save("7302", await _record_after(["mkb"]))
    # Written as an old file holds it: the session's own bound on the history came later.
    long_file = json.loads(store.path_for("7302").read_bytes())
    long_file["session"]["history"] = [
        Answer(step="rol", option="mkb").model_dump(mode="json")
    ] * 1000
    store.path_for("7302").write_text(json.dumps(long_file), encoding="utf-8")
    store.save("7303", await _record_after(advice, role="verdwenen_rol"))
    store.save("7304", await _record_after(advice, phase="verdwenen_fase"))

    for chat_id, first in ((7301, "hallo"), (7302, "/start"), (7303, "hallo"), (7304, "hallo")):
        user = User(bot_process, chat_id)
        await user.send(first)
        told = [m.text or "" for m in user.messages()]
        assert told[0].startswith(texts.unreadable), chat_id
        assert not any(text.startswith(texts.error) for text in told), chat_id
        record = store.load(str(chat_id))
        assert record is not None and record.session is not None, chat_id
        assert record.session.history == [] and record.session.role is None
        await user.choose(user.options()[0])  # the fresh conversation goes on
        assert store.quarantined_copies(str(chat_id)) == 1, chat_id
    assert bot_api.rejections == [] and bot_api.unanswered_callbacks() == []


@contextlib.contextmanager
def _small_disk(directory: Path) -> Iterator[Path]:
    """`directory` on a file system of its own that a filler file can fill up (a tmpfs).

    As root a tmpfs is mounted; a user who may not mount gets a read-only directory instead (the
    permission bits bind them), which fails a save just the same. Yields the filler's path.
    """
    directory.mkdir(parents=True)
    mounted = False
    if os.geteuid() == 0:
        result = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(directory)],
            capture_output=True,
            check=False,
        )
        assert result.returncode == 0, f"cannot mount a tmpfs as root: {result.stderr!r}"
        mounted = True
    try:
        yield directory / "filler"
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(directory)], check=True)
        else:
            for path in [directory, *directory.rglob("*")]:
                if path.is_dir():
                    path.chmod(0o700)


def _fill(directory: Path, filler: Path) -> None:
    """Use up every byte (as root) or take away write permission (otherwise)."""
    if os.geteuid() != 0:
        for path in [directory, *directory.rglob("*")]:
            if path.is_dir():
                path.chmod(0o500)
        return
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for size in (1 << 16, 1 << 12, 1):  # big writes first, then the last partial page
            while True:
                try:
                    os.write(fd, b"\0" * size)
                except OSError as err:
                    assert err.errno == errno.ENOSPC
                    break
    finally:
        os.close(fd)


def _free(directory: Path, filler: Path) -> None:
    if os.geteuid() != 0:
        for path in [directory, *directory.rglob("*")]:
            if path.is_dir():
                path.chmod(0o700)
        return
    filler.unlink()


@pytest.mark.slow
async def test_a_full_disk_is_told_as_not_saved_and_the_retry_is_kept(
    bot_api: FakeBotApi, tmp_path: Path
) -> None:
    texts = load_bundle().telegram
    bot = BotProcess(bot_api, tmp_path)
    store = SessionStore(bot.data_dir)
    with _small_disk(store.root) as filler:
        await bot.start()
        try:
            user = User(bot, 7201)
            await user.send("/start")
            question = user.question()
            offered = [option_id(b) for b in question.buttons()]
            # The note of which message carries the buttons is written just after the send.
            await bot.wait_for(
                lambda: (r := store.load("7201")) is not None and r.keyboard_message is not None,
                what="the live buttons noted",
            )
            before = store.load("7201")
            assert before is not None and before.session is not None

            _fill(store.root, filler)
            health = _healthcheck(bot)
            assert health.returncode == 1 and "is not writable" in health.stderr
            newest = user.messages()[-1].message_id
            failed = await user.choose("mkb")
            told = [m.text or "" for m in user.messages() if m.message_id > newest]
            assert any(text.startswith(texts.not_saved) for text in told), told
            assert failed.message_id > question.message_id
            assert [option_id(b) for b in failed.buttons()] == offered, (
                "the same question again, with buttons of the turn that still stands"
            )
            assert not question.buttons(), "the old question's buttons are taken away"
            after = store.load("7201")
            assert after is not None and after.session == before.session

            _free(store.root, filler)
            await user.choose("mkb")  # trying again works once there is space
            kept = store.load("7201")
            assert kept is not None and kept.session is not None
            assert [a.option for a in kept.session.history] == ["mkb"]
            assert _healthcheck(bot).returncode == 0
        finally:
            if bot.proc is not None and bot.proc.poll() is None:
                bot.proc.kill()
                bot.proc.wait()
    # Which message carries the live buttons is noted after the send; on the full disk that note
    # may fail too. The next turn then clears the old question's buttons once more, which
    # Telegram refuses as already done: a repeat, kept apart; no refusal is allowed.
    assert bot_api.rejections == []
    assert bot_api.unanswered_callbacks() == []
