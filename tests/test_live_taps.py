"""A tap on a button of the chat's live question is answered before the step (issue 24).

In-process, through the conversation service: `decided` (the channel's callback answer) starts on
the event loop before the worker thread loads the record, for a button of the question the chat's
last saved turn asked, and only then. The Telegram transport test of the early answer is
`tests/test_telegram_early_answer.py`.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest
from dialog_helpers import engine

from bot.conversation import ANSWER_HEAD_START, Conversation, Request, Status, Turn
from bot.live_taps import MAX_AGE, MAX_CHATS, LiveTaps, Remembering
from bot.persistence import ChatRecord
from bot.persistence.memory import MemoryStore
from bot.persistence.store import LoadResult
from dialogs import Event

KEY = "2424"
# How long a test waits for the answer before it calls it late; a bound on failure only.
PATIENCE = 20.0
T = TypeVar("T")


class WaitsForTheAnswer(MemoryStore):
    """A store whose load waits, while `hold` is set, until the tap was answered.

    The early answer runs on the event loop while the step's worker waits here; an answer that
    waits for the step instead lets this wait run out, and `late` says so.
    """

    def __init__(self) -> None:
        super().__init__()
        self.answered = threading.Event()
        self.hold = False
        self.late = False

    def load_result(self, key: str) -> LoadResult:
        if self.hold and not self.answered.wait(PATIENCE):
            self.late = True
        return super().load_result(key)


def service(store: MemoryStore) -> Conversation:
    return Conversation(engine(), store, retention_days=30)


async def tap(
    conversation: Conversation,
    store: WaitsForTheAnswer,
    update: int,
    choice: str,
    turn: int,
    *,
    hold: bool = False,
) -> tuple[Turn, list[str]]:
    """Tap `choice` on the buttons of `turn`: the turn, and what the channel saw in order."""
    seen: list[str] = []

    async def decided() -> None:
        seen.append("answered")
        store.answered.set()

    async def deliver(shown: Turn) -> int | None:
        seen.append("delivered")
        return None

    store.answered.clear()
    store.hold = hold
    try:
        result = await conversation.handle(
            KEY, update, Event.option(choice), tap_turn=turn, deliver=deliver, decided=decided
        )
    finally:
        store.hold = False
    return result, seen


async def test_a_tap_on_the_live_question_is_answered_before_the_record_is_read() -> None:
    store = WaitsForTheAnswer()
    conversation = service(store)
    first = await conversation.handle(KEY, 1, Event.start())
    assert conversation.answers_at_once(KEY, Event.option("anders"), first.turn)
    turn, seen = await tap(conversation, store, 2, "anders", first.turn, hold=True)
    assert turn.status is Status.DONE
    assert not store.late, "the answer went out while the step was still loading"
    assert seen == ["answered", "delivered"]


async def test_the_answer_is_on_its_way_before_the_step_competes_for_the_interpreter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The answer's request needs a few turns of the loop (PTB, httpx, httpcore) before its bytes
    leave; the step's worker thread, which would hold the interpreter meanwhile, is started only
    after the answer had them."""
    conversation = service(MemoryStore())
    first = await conversation.handle(KEY, 1, Event.start())
    progress = {"written": False}
    written_when_handed_over: list[bool] = []
    to_thread = asyncio.to_thread

    async def handed_over(work: Callable[..., T], /, *args: object) -> T:
        written_when_handed_over.append(progress["written"])
        return await to_thread(work, *args)

    async def decided() -> None:
        # A request that hands the loop back this often before its bytes leave: the answer runs
        # one stretch in each turn of its head start.
        for _ in range(ANSWER_HEAD_START - 1):
            await asyncio.sleep(0)
        progress["written"] = True

    monkeypatch.setattr(asyncio, "to_thread", handed_over)
    await conversation.handle(KEY, 2, Event.option("anders"), tap_turn=first.turn, decided=decided)
    assert written_when_handed_over[:1] == [True]


async def test_a_stale_tap_waits_for_the_step_and_gets_its_notice() -> None:
    store = WaitsForTheAnswer()
    conversation = service(store)
    first = await conversation.handle(KEY, 1, Event.start())
    await conversation.handle(KEY, 2, Event.option("anders"), tap_turn=first.turn)
    assert not conversation.answers_at_once(KEY, Event.option("lijn"), first.turn)
    turn, seen = await tap(conversation, store, 3, "lijn", first.turn)
    assert turn.status is Status.STALE
    # Not answered early: the channel answers it with the notice that the button is old.
    assert seen == ["delivered"]


async def test_a_forged_button_of_the_live_turn_waits_for_the_step() -> None:
    store = WaitsForTheAnswer()
    conversation = service(store)
    first = await conversation.handle(KEY, 1, Event.start())
    assert not conversation.answers_at_once(KEY, Event.option("nope"), first.turn)
    turn, seen = await tap(conversation, store, 2, "nope", first.turn)
    assert turn.status is Status.STALE and seen == ["delivered"]


def test_any_durable_change_forgets_the_live_buttons_a_note_does_not() -> None:
    taps = LiveTaps()
    store = Remembering(MemoryStore(), taps)
    changes: list[Callable[[], object]] = [
        lambda: store.save(KEY, ChatRecord()),
        lambda: store.erase(KEY),
        lambda: store.mark_blocked(KEY),
        lambda: store.set_aside(KEY, "test"),
    ]
    for change in changes:
        taps.remember(KEY, 4, frozenset({"a"}))
        change()
        assert not taps.accepts(KEY, 4, "a")
    taps.remember(KEY, 4, frozenset({"a"}))
    store.note(KEY, ChatRecord())
    assert taps.accepts(KEY, 4, "a")


async def test_a_question_in_between_makes_the_next_tap_wait_for_the_step() -> None:
    """Every route that saves the chat goes through the same store: no entry outlives a save.
    Here /vergeet asks its question (saved), and a tap on the advice question comes after it."""
    store = MemoryStore()
    conversation = service(store)
    first = await conversation.handle(KEY, 1, Event.start())
    await conversation.handle(KEY, 2, Request.FORGET)
    record = store.load(KEY)
    assert record is not None and record.asked == "forget"
    assert not conversation.answers_at_once(KEY, Event.option("anders"), first.turn)
    turn = await conversation.handle(KEY, 3, Event.option("anders"), tap_turn=first.turn)
    assert turn.status is Status.DONE, "the step takes it, and answers it after deciding"
    assert conversation.answers_at_once(KEY, Event.option("collega"), turn.turn)


def test_the_table_is_bounded_in_size_and_age() -> None:
    now = [0.0]
    taps = LiveTaps(clock=lambda: now[0])
    for number in range(MAX_CHATS + 10):
        taps.remember(str(number), 1, frozenset({"a"}))
    assert len(taps) == MAX_CHATS
    assert not taps.accepts("0", 1, "a"), "the oldest went first"
    assert taps.accepts(str(MAX_CHATS + 9), 1, "a")
    now[0] = MAX_AGE + 1
    assert not taps.accepts(str(MAX_CHATS + 9), 1, "a"), "too old to trust"


def test_only_the_turn_and_the_buttons_it_showed_count() -> None:
    taps = LiveTaps()
    taps.remember(KEY, 3, frozenset({"a", "b"}))
    assert taps.accepts(KEY, 3, "a") and taps.accepts(KEY, 3, "b")
    assert not taps.accepts(KEY, 2, "a") and not taps.accepts(KEY, 3, "c")
    assert not taps.accepts("other", 3, "a")


async def test_many_chats_tapping_side_by_side_each_get_one_answer() -> None:
    store = MemoryStore()
    conversation = service(store)
    keys = [str(5000 + number) for number in range(20)]
    firsts = await asyncio.gather(*(conversation.handle(key, 1, Event.start()) for key in keys))
    answers: dict[str, int] = dict.fromkeys(keys, 0)

    def answered(key: str) -> Callable[[], Awaitable[None]]:
        async def decided() -> None:
            answers[key] += 1

        return decided

    turns = await asyncio.gather(
        *(
            conversation.handle(
                key,
                2,
                Event.option("anders"),
                tap_turn=first.turn,
                deliver=None,
                decided=answered(key),
            )
            for key, first in zip(keys, firsts, strict=True)
        )
    )
    assert all(turn.status is Status.DONE for turn in turns)
    assert answers == dict.fromkeys(keys, 1)
