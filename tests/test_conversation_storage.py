"""The service tells the truth about storage: an unreadable file and an answer that was not saved.

In-process, through the same service every channel uses; `tests/test_telegram_storage_faults.py`
checks the same promises through the real bot process.
"""

from __future__ import annotations

from pathlib import Path

from dialog_helpers import engine

from bot.conversation import Conversation, Status
from bot.persistence import ChatRecord, SaveFailed, SessionStore
from dialogs import Event
from locales import load_bundle

KEY = "5150"


class FailingSaves(SessionStore):
    """A store whose disk is full while `full` is set: every save raises SaveFailed."""

    full = False

    def save(self, key: str, record: ChatRecord, *, durable: bool = True) -> None:
        if self.full:
            raise SaveFailed(28, "session not saved: No space left on device")
        super().save(key, record, durable=durable)


def unreadable_store(directory: Path, data: bytes) -> SessionStore:
    """A store whose file for KEY holds `data`, which is no readable record."""
    store = SessionStore(directory)
    path = store.path_for(KEY)
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    return store


def service(store: SessionStore) -> Conversation:
    return Conversation(engine(), store, retention_days=30)


async def test_an_unreadable_file_is_told_once_and_the_chat_starts_afresh(
    tmp_path: Path,
) -> None:
    texts = load_bundle().telegram
    store = unreadable_store(tmp_path, b"[]")
    conversation = service(store)

    turn = await conversation.handle(KEY, 1, Event.text("hallo"))
    assert turn.status is Status.DONE
    assert turn.replies[0].text == texts.unreadable
    assert turn.replies[-1].options, "the fresh conversation's first question follows"
    assert store.quarantine.count() == 1
    record = store.load(KEY)
    assert record is not None and record.session is not None and record.session.history == []
    assert record.delivery is not None and record.delivery.replies[0].text == texts.unreadable

    again = await conversation.handle(KEY, 2, Event.option("mkb"), tap_turn=turn.turn)
    assert again.status is Status.DONE and texts.unreadable not in [r.text for r in again.replies]


async def test_a_tap_from_an_unreadable_conversation_starts_afresh_not_a_toast(
    tmp_path: Path,
) -> None:
    texts = load_bundle().telegram
    store = unreadable_store(tmp_path, b"{not json")

    turn = await service(store).handle(KEY, 7, Event.option("ja"), tap_turn=4)
    assert turn.status is Status.DONE
    assert turn.replies[0].text == texts.unreadable and turn.replies[-1].options
    record = store.load(KEY)
    assert record is not None and record.session is not None
    assert record.session.turn == turn.turn and record.session.history == []


async def test_a_failed_save_says_not_saved_with_the_question_that_still_stands(
    tmp_path: Path,
) -> None:
    texts = load_bundle().telegram
    store = FailingSaves(tmp_path)
    conversation = service(store)
    start = await conversation.handle(KEY, 1, Event.start())
    before = store.load(KEY)
    assert before is not None and before.session is not None

    store.full = True
    failed = await conversation.handle(KEY, 2, Event.option("mkb"), tap_turn=start.turn)
    assert failed.status is Status.FAILED
    assert failed.replies[0].text == texts.not_saved
    assert failed.turn == start.turn, "the buttons are those of the step that still stands"
    assert [o.id for o in failed.replies[-1].options] == [o.id for o in start.replies[-1].options]
    after = store.load(KEY)
    assert after is not None and after.session == before.session and after.last_update_id == 1

    store.full = False  # space again: the same tap, tried again, is kept
    retried = await conversation.handle(KEY, 3, Event.option("mkb"), tap_turn=failed.turn)
    assert retried.status is Status.DONE
    kept = store.load(KEY)
    assert kept is not None and kept.session is not None
    assert [a.option for a in kept.session.history] == ["mkb"]


async def test_a_failed_first_save_says_not_saved_and_keeps_nothing(tmp_path: Path) -> None:
    texts = load_bundle().telegram
    store = FailingSaves(tmp_path)
    store.full = True
    turn = await service(store).handle(KEY, 1, Event.start())
    assert turn.status is Status.FAILED
    assert [r.text for r in turn.replies] == [texts.not_saved]
    assert store.load(KEY) is None
