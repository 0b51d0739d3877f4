"""The service tells the truth about storage: an unreadable file and an answer that was not saved.

In-process, through the same service every channel uses; `tests/test_telegram_storage_faults.py`
checks the same promises through the real bot process.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dialog_helpers import engine

from bot.conversation import FORGET_CANCEL, FORGET_CONFIRM, Conversation, Request, Status, Turn
from bot.persistence import ChatRecord, SaveFailed, SessionStore
from bot.persistence.records import StoredReply
from bot.persistence.store import StagedRecord
from dialogs import Event, EventKind
from dialogs.session import Answer
from locales import load_bundle

KEY = "5150"
MAX_STORED_TEXT = StoredReply.model_fields["text"].metadata[0].max_length


class FailingSaves(SessionStore):
    """A store whose disk is full while `full` is set: every save raises SaveFailed at its
    write, also one a step on the event loop stages (see bot/conversation.py)."""

    full = False

    def stage(self, key: str, record: ChatRecord) -> StagedRecord:
        if self.full:
            raise SaveFailed(28, "session not saved: No space left on device")
        return super().stage(key, record)


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


# ---- chats that heal within one input (issue 18, part 8) -------------------------------------

ADVICE = ["mkb", "geen", "nee", "ja", "ok", "nee", "ja", "ja", "ja"]
# Longer than a stored reply may be: the answers' trail above every question outgrows it.
LONG_HISTORY = [Answer(step="rol", option="mkb")] * 1000


async def stored_record(store: SessionStore, choices: list[str], **changes: object) -> int:
    """Walk the dialog for KEY, then store its record with `changes` made to the session (as an
    old file or a knowledge change would leave it); returns the stored session's turn."""
    conversation = service(store)
    turn = await conversation.handle(KEY, 1, Event.start())
    for number, choice in enumerate(choices, start=2):
        turn = await conversation.handle(KEY, number, Event.option(choice), tap_turn=turn.turn)
    record = store.load(KEY)
    assert record is not None and record.session is not None
    for name, value in changes.items():
        setattr(record.session, name, value)
    store.save(KEY, record)
    return record.session.turn


def assert_healed(turn: Turn, store: SessionStore) -> None:
    """The user was told, and got a normal answer to this very input in a fresh conversation."""
    texts = load_bundle().telegram
    assert turn.status is Status.DONE
    assert turn.replies[0].text == texts.unreadable
    assert texts.error not in [reply.text for reply in turn.replies]
    assert turn.replies[-1].options, "a question with buttons to go on with"
    assert store.quarantine.count() == 1, "the old record is kept aside, not deleted"
    record = store.load(KEY)
    assert record is not None and record.session is not None
    assert record.session.history == [] and record.session.role is None
    assert record.delivery is not None and record.delivery.replies[0].text == texts.unreadable


async def test_a_directory_in_place_of_the_session_file_heals_within_one_input(
    tmp_path: Path,
) -> None:
    store = SessionStore(tmp_path)
    store.path_for(KEY).mkdir(parents=True)
    (store.path_for(KEY) / "inside").write_text("x")
    turn = await service(store).handle(KEY, 1, Event.text("hallo"))
    assert_healed(turn, store)
    assert store.path_for(KEY).is_file()


LONG_INPUTS = {
    "start": Event.start(),
    "text": Event.text("hallo"),
    "tap": Event.option("ja"),
}


@pytest.mark.parametrize("event", LONG_INPUTS.values(), ids=LONG_INPUTS.keys())
async def test_a_history_too_long_for_any_reply_heals_within_one_input(
    tmp_path: Path, event: Event
) -> None:
    """~1,000 role answers: the trail above every question outgrew the stored-reply limit, so
    every input got an apology, /start included. However long the history the dialog keeps, an
    old file can hold this one."""
    store = SessionStore(tmp_path)
    stored_turn = await stored_record(store, ["mkb"])
    # Written as an old file holds it: the session's own bound on the history came later.
    path = store.path_for(KEY)
    raw = json.loads(path.read_bytes())
    raw["session"]["history"] = [answer.model_dump(mode="json") for answer in LONG_HISTORY]
    path.write_text(json.dumps(raw), encoding="utf-8")
    tap_turn = stored_turn if event.kind is EventKind.OPTION else None
    turn = await service(store).handle(KEY, 50, event, tap_turn=tap_turn)
    assert turn.status is Status.DONE and turn.replies[-1].options
    assert all(len(reply.text) <= MAX_STORED_TEXT for reply in turn.replies)
    told = turn.replies[0].text == load_bundle().telegram.unreadable
    assert told == (store.quarantine.count() == 1), "set aside and told, or repaired in place"
    assert store.load(KEY) is not None


UNKNOWN: dict[str, tuple[list[str], dict[str, object]]] = {
    "role": (ADVICE, {"role": "verdwenen_rol"}),
    "phase": (ADVICE, {"phase": "verdwenen_fase"}),
    "answer": (["mkb"], {"history": [Answer(step="rol", option="verdwenen_rol")]}),
}


@pytest.mark.parametrize(("choices", "changes"), UNKNOWN.values(), ids=UNKNOWN.keys())
async def test_a_record_the_knowledge_no_longer_fits_heals_on_its_first_message(
    tmp_path: Path, choices: list[str], changes: dict[str, object]
) -> None:
    """A role, phase or answer the knowledge no longer has (at the advice, or in the trail of
    answers above a question): the first message got no reply at all, as the apology failed
    too, or an apology for ever."""
    store = SessionStore(tmp_path)
    await stored_record(store, choices, **changes)
    turn = await service(store).handle(KEY, 50, Event.text("hallo"))
    assert_healed(turn, store)
    again = await service(store).handle(KEY, 51, Event.option("mkb"), tap_turn=turn.turn)
    assert again.status is Status.DONE and load_bundle().telegram.unreadable not in [
        reply.text for reply in again.replies
    ]


async def test_privacy_on_a_record_the_knowledge_no_longer_fits_heals_too(
    tmp_path: Path,
) -> None:
    store = SessionStore(tmp_path)
    await stored_record(store, ADVICE, role="verdwenen_rol")
    turn = await service(store).handle(KEY, 50, Request.PRIVACY)
    texts = load_bundle().telegram
    assert turn.status is Status.DONE and turn.replies[0].text == texts.unreadable
    assert texts.stored.quarantined.format(retention_days="30") in turn.replies[1].text
    assert store.quarantine.count() == 1


async def test_an_engine_that_fails_for_everyone_keeps_the_conversation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Healing sets a record aside only when a fresh conversation would answer: a broken engine
    (or a bug in one step) gets the apology, and nobody's conversation is moved."""
    store = SessionStore(tmp_path)
    await stored_record(store, ["mkb"])
    conversation = service(store)

    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(conversation.engine, "decide", broken)
    monkeypatch.setattr(conversation.engine, "prompt", broken)
    turn = await conversation.handle(KEY, 50, Event.text("hallo"))
    assert turn.status is Status.FAILED
    assert turn.replies[0].text == load_bundle().telegram.error
    assert store.quarantine.count() == 0
    record = store.load(KEY)
    assert record is not None and record.session is not None and record.session.role == "mkb"


# ---- /privacy and /vergeet and the quarantine (issue 18, part 7) -----------------------------


async def test_forget_erases_the_quarantined_copy_and_privacy_shows_it_until_then(
    tmp_path: Path,
) -> None:
    texts = load_bundle().telegram
    kept = texts.stored.quarantined.format(retention_days="30")
    store = unreadable_store(tmp_path, b'{"old": "conversation"')
    conversation = service(store)
    first = await conversation.handle(KEY, 1, Event.text("hallo"))
    assert first.replies[0].text == texts.unreadable and store.quarantine.count() == 1
    shown = await conversation.handle(KEY, 2, Request.PRIVACY)
    assert kept in shown.replies[0].text and texts.stored.nothing not in shown.replies[0].text

    question = await conversation.handle(KEY, 3, Request.FORGET)
    await conversation.handle(KEY, 4, Event.option(FORGET_CONFIRM), tap_turn=question.turn)
    assert store.load(KEY) is None
    assert store.quarantine.count() == 0, "the old conversation is forgotten too"
    after = await conversation.handle(KEY, 5, Request.PRIVACY)
    assert texts.stored.nothing in after.replies[0].text and kept not in after.replies[0].text


async def test_a_quarantined_copy_alone_is_shown_and_erased_after_the_question(
    tmp_path: Path,
) -> None:
    """/privacy as the first input after the file went to quarantine: not "niets"; /vergeet
    asks, as for any stored data, and erases the copy."""
    texts = load_bundle().telegram
    kept = texts.stored.quarantined.format(retention_days="30")
    store = unreadable_store(tmp_path, b"[]")
    conversation = service(store)
    shown = await conversation.handle(KEY, 1, Request.PRIVACY)
    assert shown.replies[0].text == texts.unreadable
    assert kept in shown.replies[1].text and texts.stored.nothing not in shown.replies[1].text
    assert store.load(KEY) is None and store.quarantine.count() == 1

    question = await conversation.handle(KEY, 2, Request.FORGET)
    assert [o.id for o in question.replies[-1].options] == [FORGET_CONFIRM, FORGET_CANCEL]
    kept_turn = await conversation.handle(
        KEY, 3, Event.option(FORGET_CANCEL), tap_turn=question.turn
    )
    assert kept_turn.replies[0].text == texts.forget.cancelled and store.quarantine.count() == 1
    forged = await conversation.handle(KEY, 4, Event.option(FORGET_CONFIRM), tap_turn=question.turn)
    assert forged.status is Status.STALE and store.quarantine.count() == 1, "answered: expired"
    await conversation.handle(KEY, 5, Request.FORGET)
    done = await conversation.handle(KEY, 6, Event.option(FORGET_CONFIRM), tap_turn=question.turn)
    assert done.replies[0].text == texts.forget.done
    assert store.quarantine.count() == 0 and store.load(KEY) is None
    nothing = await conversation.handle(KEY, 7, Request.FORGET)
    assert nothing.replies[0].text == texts.forget.nothing


@pytest.mark.parametrize("message", [Event.text("hallo"), Request.FORGET], ids=["text", "forget"])
async def test_a_full_disk_and_a_record_the_dialog_cannot_use_still_get_an_answer(
    tmp_path: Path, message: Event | Request
) -> None:
    """A save fails (healing needs one; /vergeet saves its question) and the record's question
    cannot be shown: the user still hears that nothing was saved, not silence."""
    texts = load_bundle().telegram
    store = FailingSaves(tmp_path)
    await stored_record(store, ADVICE, role="verdwenen_rol")
    store.full = True
    turn = await service(store).handle(KEY, 50, message)
    assert turn.status is Status.FAILED and [r.text for r in turn.replies] == [texts.not_saved]
    assert store.load(KEY) is not None or store.quarantined_copies(KEY) == 1, "kept, not lost"
