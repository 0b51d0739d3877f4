"""The organisation's answers belong to the chat: asked once, reused for every employee.

Through the conversation service, in-process with a controlled clock. Whichever way an employee's
phase is found (the staging questions, or picked by hand with "Ik kies de fase zelf" or "Andere
fase kiezen"), recent answers about the organisation are offered for reuse instead of asked again;
they are asked again when they are older than the longest check-in period, or on request.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from dialog_helpers import engine, stable

from bot.conversation import Conversation, Status, Turn
from bot.persistence.memory import MemoryStore
from dialogs import Event

KEY = "6240"
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# Employee A: an owner, phase 3 by the staging questions, then the three organisation questions.
FIRST = ["mkb", "geen", "nee", "ja", "ok", "nee", "ja", "ja", "ja"]
# Employee B's phase, found three ways: picked at the first staging question, picked instead of
# the found one, and found by the staging questions.
PICKED = ["ander", "kies", "f4"]
CHANGED = ["ander", "nee", "ja", "wijzig", "f4"]
STAGED = ["ander", "ja", "nee", "ok"]


def ids(turn: Turn) -> list[str]:
    return [option.id for option in turn.replies[-1].options]


class Chat:
    """One chat through the service; each tap must be on the buttons of the turn before it."""

    def __init__(self) -> None:
        self.conversation = Conversation(engine(), MemoryStore(), retention_days=30)
        self.update = 0
        self.states: list[str] = []

    async def start(self) -> Turn:
        self.update += 1
        self.turn = await self.conversation.handle(KEY, self.update, Event.start())
        return self.turn

    async def tap(self, *choices: str) -> Turn:
        for shorthand in choices:
            # On offer, also when it sits on another page of buttons ("Meer opties").
            assert self.turn.session is not None
            choice = stable(self.turn.session, shorthand)
            offered = [option.id for option in engine().current_options(self.turn.session)]
            assert choice in offered, f"{choice} not offered: {offered}"
            self.update += 1
            self.turn = await self.conversation.handle(
                KEY, self.update, Event.option(choice), tap_turn=self.turn.turn
            )
            assert self.turn.status is Status.DONE and self.turn.session is not None
            self.states.append(self.turn.session.state)
        return self.turn


@pytest.mark.parametrize("way", [PICKED, CHANGED, STAGED], ids=["picked", "changed", "staged"])
async def test_a_second_employee_reuses_the_organisation_answers(way: list[str]) -> None:
    chat = Chat()
    with time_machine.travel(MONDAY, tick=False) as clock:
        await chat.start()
        first = await chat.tap(*FIRST)
        assert first.session is not None
        gaps, asked_at = first.session.precondition_gaps, first.session.org_checked_at
        assert gaps and asked_at is not None
        clock.shift(timedelta(days=10))
        chat.states.clear()
        turn = await chat.tap(*way)
        assert turn.session is not None and turn.session.state == "org"
        assert turn.session.phase == "toepassen"
        assert ids(turn) == ["ja", "nee", "_terug"]  # and back to the question before
        assert "2 maart 2026" in turn.replies[-1].text  # when the answers were given
        turn = await chat.tap("ja")
    assert "check" not in chat.states, "no organisation question asked again"
    session = turn.session
    assert session is not None and session.state == "advies"
    assert session.precondition_gaps == gaps and session.org_checked_at == asked_at
    a, b = session.slots
    assert (a.letter, a.phase, b.letter, b.phase) == ("A", "actie", "B", "toepassen")


async def test_asked_again_on_request_when_the_phase_is_picked() -> None:
    chat = Chat()
    await chat.start()
    await chat.tap(*FIRST, *PICKED)
    turn = await chat.tap("nee")  # "Nee, vraag ze opnieuw"
    assert turn.session is not None and turn.session.state == "check"
    assert turn.session.precondition_gaps == []


async def test_asked_again_when_older_than_the_longest_check_in_period() -> None:
    chat = Chat()
    with time_machine.travel(MONDAY, tick=False) as clock:
        await chat.start()
        await chat.tap(*FIRST)
        fresh_days = engine().flow.team.org_fresh_days
        clock.shift(timedelta(days=fresh_days, hours=1))
        turn = await chat.tap(*PICKED)
    assert turn.session is not None and turn.session.state == "check"
    assert "org" not in chat.states


async def test_the_first_employee_s_picked_phase_asks_the_organisation_questions() -> None:
    chat = Chat()
    await chat.start()
    turn = await chat.tap("mkb", "geen", "kies", "f2")
    assert turn.session is not None and turn.session.state == "check"
    assert turn.session.phase == "overwegen"
