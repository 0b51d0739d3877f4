"""The conversation service on its own: lock, load, redelivery, engine, save, side requests.

These tests drive whole conversations in-process, with no Telegram and no network: the service is
the one per-chat step every channel calls, so what holds here holds for Telegram and the console.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from dialog_helpers import engine

from bot.conversation import (
    FORGET_CANCEL,
    FORGET_CONFIRM,
    Conversation,
    Deliver,
    Request,
    Status,
    Turn,
)
from bot.persistence import ChatRecord, SessionStore
from bot.persistence.memory import MemoryStore
from bot.persistence.records import utc_now
from dialogs import Command, Event

KEY = "4711"


def service(store: MemoryStore | SessionStore | None = None) -> Conversation:
    return Conversation(engine(), store or MemoryStore(), retention_days=30)


def ids(turn: Turn) -> list[str]:
    """The option ids of the turn's last reply (the question the user is at)."""
    return [option.id for option in turn.replies[-1].options] if turn.replies else []


async def walk(conversation: Conversation, choices: list[str], key: str = KEY) -> Turn:
    """Start, then tap each choice on the buttons of the turn before it."""
    turn = await conversation.handle(key, 1, Event.start())
    for number, choice in enumerate(choices, start=2):
        assert choice in ids(turn), f"{choice} not offered: {ids(turn)}"
        turn = await conversation.handle(key, number, Event.option(choice), tap_turn=turn.turn)
        assert turn.status is Status.DONE
    return turn


async def test_a_whole_conversation_reaches_the_advice_and_is_stored(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    conversation = service(store)
    turn = await walk(conversation, ["mkb", "geen", "ja", "ja", "ok", "ja", "ja", "ja", "ja"])
    assert turn.session is not None and turn.session.state == "advies"
    advised = [f"i.{item}" for item in turn.session.advised]
    # The advice's first page: its first titles, then the plan and help (on every page).
    assert ids(turn)[:4] == [*advised[:2], "plan", "hulp"]
    assert "klaar" in [option.id for option in engine().current_options(turn.session)]
    stored = store.load(KEY)
    assert stored is not None and stored.session == turn.session
    assert stored.last_update_id == 10
    assert turn.chosen == "Ja"


async def test_typed_numbers_and_labels_count_as_choices() -> None:
    conversation = service()
    await conversation.handle(KEY, 1, Event.start())
    turn = await conversation.handle(KEY, 2, Event.text("anders"))
    assert ids(turn) == ["collega", "onderwijs", "zzp", "hrzl", "_terug"]
    turn = await conversation.handle(KEY, 3, Event.text("3"))
    assert turn.session is not None and turn.session.role == "zzp"
    await conversation.handle(KEY, 4, Event.command(Command.RESTART))
    await conversation.handle(KEY, 5, Event.text("Ja."))  # answers would be lost: asked first
    turn = await conversation.handle(KEY, 6, Event.text(" eigenaar mkb zonder HR "))
    assert turn.session is not None and turn.session.role == "mkb"
    assert turn.chosen is None  # nothing to mark under a tapped question


async def test_a_tap_from_an_older_turn_is_stale_and_changes_nothing() -> None:
    store = MemoryStore()
    conversation = service(store)
    first = await conversation.handle(KEY, 1, Event.start())
    second = await conversation.handle(KEY, 2, Event.option("anders"), tap_turn=first.turn)
    before = store.load(KEY)
    stale = await conversation.handle(KEY, 3, Event.option("lijn"), tap_turn=first.turn)
    forged = await conversation.handle(KEY, 4, Event.option("nope"), tap_turn=second.turn)
    assert stale.status is forged.status is Status.STALE
    # Both get the question of now, with its buttons, so the user is never left with dead ones.
    assert stale.replies == forged.replies
    assert ids(stale) == ids(second) == ["collega", "onderwijs", "zzp", "hrzl", "_terug"]
    assert stale.turn == second.turn
    assert store.load(KEY) == before


async def test_a_redelivered_input_whose_replies_went_out_sends_nothing() -> None:
    store = MemoryStore()
    conversation = service(store)
    delivered: list[Turn] = []

    async def deliver(turn: Turn) -> None:
        delivered.append(turn)

    first = await conversation.handle(KEY, 10, Event.start(), deliver=deliver)
    turn = await conversation.handle(
        KEY, 11, Event.option("lijn"), tap_turn=first.turn, deliver=deliver
    )
    again = await conversation.handle(KEY, 11, Event.option("lijn"), tap_turn=first.turn)
    assert again.status is Status.REDELIVERED and again.replies == ()
    record = store.load(KEY)
    assert record is not None and record.session is not None and record.delivery is not None
    assert record.session.turn == turn.turn and record.delivery.delivered


async def test_a_redelivered_input_whose_replies_never_went_out_gets_them() -> None:
    store = MemoryStore()
    conversation = service(store)
    first = await conversation.handle(KEY, 10, Event.start())
    # Saved, then the process died before the replies were sent: no delivery happened.
    turn = await conversation.handle(KEY, 11, Event.option("lijn"), tap_turn=first.turn)
    record = store.load(KEY)
    assert record is not None and record.delivery is not None
    assert not record.delivery.delivered and record.delivery.update_id == 11
    sent: list[Turn] = []

    async def deliver(again: Turn) -> None:
        sent.append(again)

    await conversation.handle(KEY, 11, Event.option("lijn"), tap_turn=first.turn, deliver=deliver)
    assert sent[0].status is Status.REDELIVERED
    assert sent[0].replies == turn.replies and sent[0].chosen == turn.chosen
    assert sent[0].turn == turn.turn
    record = store.load(KEY)
    assert record is not None and record.delivery is not None and record.delivery.delivered


async def test_an_older_redelivered_input_changes_and_sends_nothing() -> None:
    store = MemoryStore()
    conversation = service(store)
    sent: list[Turn] = []

    async def deliver(turn: Turn) -> None:
        sent.append(turn)

    first = await conversation.handle(KEY, 10, Event.start(), deliver=deliver)
    await conversation.handle(KEY, 11, Event.option("lijn"), tap_turn=first.turn, deliver=deliver)
    before = store.load(KEY)
    older = await conversation.handle(KEY, 10, Event.start(), deliver=deliver)
    # The user already has the newer question: repeating it would only make them scroll.
    assert older.status is Status.REDELIVERED and older.replies == ()
    assert sent[-1] is older and store.load(KEY) == before


async def test_the_start_up_sweep_sends_what_a_crash_left_and_skips_blocked_chats() -> None:
    store = MemoryStore()
    conversation = service(store)
    for key in ("1", "2", "3"):
        await conversation.handle(key, 5, Event.start())  # saved, never delivered
    await conversation.mark_blocked("3")
    sent: list[str] = []

    def deliver_to(key: str) -> Deliver:
        async def deliver(turn: Turn) -> None:
            assert turn.replies and turn.status is Status.REDELIVERED
            sent.append(key)

        return deliver

    assert await conversation.resend(["1", "2", "3", "missing"], deliver_to) == 2
    assert sent == ["1", "2"]
    assert await conversation.resend(["1", "2"], deliver_to) == 0  # never twice


async def test_an_old_delivery_id_after_a_day_is_new_again() -> None:
    store = MemoryStore()
    conversation = service(store)
    await conversation.handle(KEY, 50, Event.start())
    record = store.load(KEY)
    assert record is not None
    record.saved_at = utc_now() - timedelta(days=2)
    store._records[KEY] = record.model_dump_json()  # as if saved two days ago
    turn = await conversation.handle(KEY, 5, Event.command(Command.HELP))
    assert turn.status is Status.DONE


async def test_privacy_shows_the_stored_record_and_forget_erases_after_confirmation() -> None:
    store = MemoryStore()
    conversation = service(store)
    nothing = await conversation.handle(KEY, 1, Request.PRIVACY)
    assert engine().bundle.telegram.stored.nothing in nothing.replies[0].text
    await walk(conversation, ["lijn"])
    shown = await conversation.handle(KEY, 20, Request.PRIVACY)
    assert "Leidinggevende of teamleider" in shown.replies[0].text
    forged = await conversation.handle(KEY, 21, Event.option(FORGET_CONFIRM), tap_turn=shown.turn)
    assert forged.status is Status.STALE and store.load(KEY) is not None  # not asked: no erase
    question = await conversation.handle(KEY, 22, Request.FORGET)
    assert ids(question) == [FORGET_CONFIRM, FORGET_CANCEL]
    kept = await conversation.handle(KEY, 23, Event.option(FORGET_CANCEL), tap_turn=question.turn)
    assert kept.chosen == engine().bundle.telegram.forget.cancel
    assert store.load(KEY) is not None
    cancelled_again = await conversation.handle(
        KEY, 24, Event.option(FORGET_CONFIRM), tap_turn=question.turn
    )
    assert cancelled_again.status is Status.STALE  # the question was answered: its buttons expire
    await conversation.handle(KEY, 25, Request.FORGET)
    erased = await conversation.handle(
        KEY, 26, Event.option(FORGET_CONFIRM), tap_turn=question.turn
    )
    assert erased.replies[0].text == engine().bundle.telegram.forget.done
    assert store.load(KEY) is None
    again = await conversation.handle(KEY, 27, Request.FORGET)
    assert again.replies[0].text == engine().bundle.telegram.forget.nothing


async def test_side_requests_change_nothing() -> None:
    store = MemoryStore()
    conversation = service(store)
    await walk(conversation, ["hr"])
    before = store.load(KEY)
    model = await conversation.handle(KEY, 30, Request.MODEL)
    assert model.replies[0].attachment == "model_picture"
    for request in (Request.UNSUPPORTED, Request.EDITED):
        turn = await conversation.handle(KEY, 31, request)
        assert turn.replies[0].text in (
            engine().bundle.telegram.unsupported,
            engine().bundle.telegram.edited,
        )
    assert store.load(KEY) == before


async def test_a_first_contact_of_any_kind_starts_the_conversation() -> None:
    turn = await service().handle(KEY, 1, Event.text("hallo"))
    assert turn.replies[0].text == engine().texts.welcome
    assert ids(turn) == ["lijn", "hr", "dir", "mkb", "anders"]


async def test_a_failing_engine_gives_an_apology_with_the_current_buttons(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = MemoryStore()
    conversation = service(store)
    turn = await walk(conversation, ["anders"])

    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(conversation.engine, "decide", broken)
    failed = await conversation.handle(KEY, 40, Event.option("zzp"), tap_turn=turn.turn)
    assert failed.status is Status.FAILED
    assert failed.replies[0].text == engine().bundle.telegram.error
    assert ids(failed) == ids(turn)


async def test_turns_of_one_chat_are_delivered_in_order_while_others_run() -> None:
    conversation = service()
    delivered: list[tuple[str, int]] = []

    def recorder(key: str) -> Deliver:
        async def deliver(turn: Turn) -> None:
            await asyncio.sleep(0.01 if key == "a" else 0)
            delivered.append((key, turn.turn))

        return deliver

    await asyncio.gather(
        *(
            conversation.handle(key, number, Event.command(Command.HELP), deliver=recorder(key))
            for number in range(1, 4)
            for key in ("a", "b")
        )
    )
    assert [turn for key, turn in delivered if key == "a"] == sorted(
        turn for key, turn in delivered if key == "a"
    )
    assert len(delivered) == 6


async def test_blocked_is_recorded_only_for_a_known_chat() -> None:
    store = MemoryStore()
    conversation = service(store)
    await conversation.mark_blocked("nobody")
    assert store.load("nobody") is None
    await conversation.handle(KEY, 1, Event.start())
    await conversation.mark_blocked(KEY)
    record = store.load(KEY)
    assert record is not None and record.blocked
    await conversation.handle(KEY, 2, Event.command(Command.HELP))
    record = store.load(KEY)
    assert record is not None and not record.blocked


async def test_the_message_with_live_buttons_is_remembered_for_the_next_turn() -> None:
    store = MemoryStore()
    conversation = service(store)
    shown = iter(range(500, 600))
    seen: list[Turn] = []

    async def deliver(turn: Turn) -> int | None:
        seen.append(turn)
        return next(shown) if any(reply.options for reply in turn.replies) else None

    first = await conversation.handle(KEY, 1, Event.start(), deliver=deliver)
    assert first.keyboard_message is None  # nothing was shown before
    record = store.load(KEY)
    assert record is not None and record.keyboard_message == 500
    typed = await conversation.handle(KEY, 2, Event.text("teamleider"), deliver=deliver)
    assert typed.keyboard_message == 500, "the channel can take those buttons away"
    # A typed answer never takes the place of the question: it comes as a new message.
    assert not any(reply.replaces for reply in typed.replies)
    record = store.load(KEY)
    assert record is not None and record.keyboard_message == 501
    # A stale tap saves no turn, but the question it brings back carries the live buttons now.
    stale = await conversation.handle(
        KEY, 3, Event.option("hr"), tap_turn=first.turn, deliver=deliver
    )
    assert stale.status is Status.STALE and stale.keyboard_message == 501
    record = store.load(KEY)
    assert record is not None and record.keyboard_message == 502
    tapped = await conversation.handle(
        KEY, 4, Event.option("geen"), tap_turn=typed.turn, deliver=deliver
    )
    assert tapped.replies[-1].replaces, "a tapped intake question may be edited in place"
    assert tapped.keyboard_message == 502


async def test_a_side_request_remembers_its_buttons_but_leaves_an_unsent_outbox_waiting() -> None:
    store = MemoryStore()
    conversation = service(store)
    await conversation.handle(KEY, 1, Event.start())  # saved, not delivered (a crash)

    async def deliver(turn: Turn) -> int:
        return 900

    await conversation.handle(KEY, 2, Request.PRIVACY, deliver=deliver)
    record = store.load(KEY)
    assert record is not None and record.keyboard_message == 900
    assert record.delivery is not None and not record.delivery.delivered


class CountedSaves(MemoryStore):
    """Counts the notes (delivery marks, not forced to disk) that marking a delivery writes."""

    def __init__(self) -> None:
        super().__init__()
        self.notes = 0

    def note(self, key: str, record: ChatRecord) -> None:
        self.notes += 1
        super().note(key, record)


def sending(messages: int, fail_after: int | None = None) -> Deliver:
    """A channel that sends every turn as `messages` messages and reports each one taken, as the
    Telegram channel does; with `fail_after` the connection breaks after that many."""

    async def deliver(turn: Turn) -> int | None:
        for number in range(turn.sent, messages):
            if number == fail_after:
                raise ConnectionError("the connection broke")
            await turn.taken(number + 1, 700 + number, number + 1 == messages)
        return 700 + messages - 1

    return deliver


@pytest.mark.parametrize("messages", [1, 2, 3])
async def test_each_message_is_one_note_and_the_last_one_also_marks_the_outbox_delivered(
    messages: int,
) -> None:
    """The last message's count and the outbox's end are one write, not two (issue 24)."""
    store = CountedSaves()
    await service(store).handle(KEY, 1, Event.start(), deliver=sending(messages))
    record = store.load(KEY)
    assert record is not None and record.delivery is not None
    assert record.delivery.delivered and record.delivery.sent == messages
    assert record.keyboard_message == 700 + messages - 1
    assert store.notes == messages


async def test_a_turn_cut_short_keeps_its_count_and_stays_undelivered() -> None:
    store = CountedSaves()
    with pytest.raises(ConnectionError):
        await service(store).handle(KEY, 1, Event.start(), deliver=sending(3, fail_after=2))
    record = store.load(KEY)
    assert record is not None and record.delivery is not None
    assert not record.delivery.delivered and record.delivery.sent == 2
