"""The manager's side of the self-check (issue 21, part 3), in-process: the invitation under an
employee, the message back with both views (once, in civil hours, through the outbox), taking over
the employee's phase, and withdrawing a link."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from dialog_helpers import engine
from test_selfcheck import (
    EMPLOYEE,
    MANAGER,
    TEXTS,
    ids,
    manager_with_advice,
    tap,
    to_advice,
    to_consent,
)

from bot.conversation import Conversation, Deliver, Status, Turn
from bot.invites import Claim, InviteStore
from bot.persistence import SessionStore
from bot.selfchecks import ADOPT, GO_ON, INVITE, WITHDRAW, Handed, with_invite
from dialogs import Command, Event, Option, Session
from dialogs.engine import MAX_OPTIONS, NAV_BACK, NAV_MORE
from dialogs.milestones import Before, Mark, Milestone, milestones

MONDAY_MORNING = datetime(2026, 3, 9, 9, 30, tzinfo=UTC)  # 10:30 in Amsterdam
SUNDAY = datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
BOT = "leercultuur_bot"


class Sent:
    """The message back as a channel would deliver it: every turn, by chat."""

    def __init__(self) -> None:
        self.turns: list[tuple[str, Turn]] = []

    def to(self, key: str) -> Deliver:
        async def deliver(turn: Turn) -> int | None:
            for number in range(turn.sent, len(turn.replies)):
                await turn.taken(number + 1, 900 + number, number + 1 == len(turn.replies))
            self.turns.append((key, turn))
            return 900

        return deliver


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path


def service(data: Path, sent: Sent, now: datetime = MONDAY_MORNING) -> Conversation:
    conversation = Conversation(
        engine(),
        SessionStore(data),
        retention_days=30,
        invites=InviteStore(data),
        deep_link=lambda token: f"https://t.me/{BOT}?start={token}",
    )
    conversation.notify_to = sent.to
    conversation.clock = lambda: now
    return conversation


async def at_employee_a(conversation: Conversation) -> Turn:
    await manager_with_advice(conversation)
    turn = await conversation.handle(MANAGER, 20, Event.command(Command.TEAM))
    # Delivered, as a channel would: the manager's outbox is free for the message back.
    return await conversation.handle(
        MANAGER, 21, Event.option("s.A"), tap_turn=turn.turn, deliver=Sent().to(MANAGER)
    )


def token_of(turn: Turn) -> str:
    link = next(word for word in turn.replies[0].text.split() if word.startswith("https://"))
    query = parse_qs(urlparse(link).query)
    return query["start"][0]


async def test_the_manager_gets_a_link_to_forward_for_one_employee(data: Path) -> None:
    conversation = service(data, Sent())
    turn = await at_employee_a(conversation)
    assert INVITE in ids(turn), "offered under the employee"
    asked = await conversation.handle(MANAGER, 22, Event.option(INVITE), tap_turn=turn.turn)
    assert asked.status is Status.DONE
    invitation = asked.replies[0]
    token = token_of(asked)
    assert f"https://t.me/{BOT}?start={token}" in invitation.text
    share = invitation.options[0]
    assert (
        share.id.startswith("https://t.me/share/url?url=")
        and token in parse_qs(urlparse(share.id).query)["url"][0]
    )
    assert invitation.options[1].id == f"{WITHDRAW}.A"
    stored = SessionStore(data).load(MANAGER)
    assert stored is not None and token not in stored.model_dump_json(), "only the digest is kept"
    assert InviteStore(data).check(token, EMPLOYEE) is Claim.OK
    again = await conversation.handle(MANAGER, 23, Event.option(f"{WITHDRAW}.A"), tap_turn=0)
    assert again.replies[0].text == TEXTS.manager.withdrawn.format(letter="A")
    assert InviteStore(data).check(token, EMPLOYEE) is Claim.WITHDRAWN


async def test_the_message_back_comes_once_with_both_views_and_the_phase_can_be_taken(
    data: Path,
) -> None:
    sent = Sent()
    conversation = service(data, sent)
    turn = await at_employee_a(conversation)
    asked = await conversation.handle(MANAGER, 22, Event.option(INVITE), tap_turn=turn.turn)
    consent = await to_consent(conversation, token_of(asked))
    await tap(conversation, consent, "z.share", 11)
    told = [turn for key, turn in sent.turns if key == MANAGER]
    assert len(told) == 1
    text = told[0].replies[0].text
    assert text.startswith("Jij: fase 5 · Medewerker A zelf: fase 5")
    assert TEXTS.manager.questions.mogen in text and TEXTS.manager.questions.weten in text
    assert EMPLOYEE not in text
    assert [option.id for option in told[0].replies[0].options] == [GO_ON]  # same phase
    stored = SessionStore(data).load(MANAGER)
    assert stored is not None and stored.delivery is not None and stored.delivery.delivered
    await conversation.finish_hand_overs()
    assert len([key for key, _ in sent.turns if key == MANAGER]) == 1, "never twice"


async def test_a_different_phase_can_be_taken_over_with_one_tap(data: Path) -> None:
    sent = Sent()
    conversation = service(data, sent)
    turn = await at_employee_a(conversation)
    asked = await conversation.handle(MANAGER, 22, Event.option(INVITE), tap_turn=turn.turn)
    opened = await conversation.handle(EMPLOYEE, 1, Event.start(token_of(asked)))
    steps = ["z.go", "z.nee", "z.ja", "z.ja", "z.ja", "z.ja", "z.ja", "z.ja", "z.next"]
    for number, choice in enumerate(steps, start=2):
        opened = await tap(conversation, opened, choice, number)
    await tap(conversation, opened, "z.share", 20)
    told = next(turn for key, turn in sent.turns if key == MANAGER)
    assert told.replies[0].text.startswith("Jij: fase 5 · Medewerker A zelf: fase 3")
    assert TEXTS.manager.phase_question in told.replies[0].text
    adopt = told.replies[0].options[0]
    assert adopt.id == f"{ADOPT}.A"
    taken = await conversation.handle(MANAGER, 30, Event.option(adopt.id), tap_turn=told.turn)
    assert taken.replies[0].text == TEXTS.manager.adopted.format(letter="A", phase=3)
    stored = SessionStore(data).load(MANAGER)
    assert stored is not None and stored.session is not None
    slot = stored.session.slot("A")
    assert slot is not None and slot.phase == "actie" and slot.shared is not None


async def test_outside_civil_hours_the_message_back_waits_for_the_tick(data: Path) -> None:
    sent = Sent()
    conversation = service(data, sent, now=SUNDAY)
    turn = await at_employee_a(conversation)
    asked = await conversation.handle(MANAGER, 22, Event.option(INVITE), tap_turn=turn.turn)
    consent = await to_consent(conversation, token_of(asked))
    await tap(conversation, consent, "z.share", 11)
    assert [key for key, _ in sent.turns if key == MANAGER] == []
    assert await conversation.tell_shares(SUNDAY) == 0
    assert await conversation.tell_shares(MONDAY_MORNING) == 1
    assert await conversation.tell_shares(MONDAY_MORNING) == 0, "once"
    assert len([key for key, _ in sent.turns if key == MANAGER]) == 1


async def test_team_shows_both_views(data: Path) -> None:
    conversation = service(data, Sent())
    turn = await at_employee_a(conversation)
    asked = await conversation.handle(MANAGER, 22, Event.option(INVITE), tap_turn=turn.turn)
    consent = await to_consent(conversation, token_of(asked))
    await tap(conversation, consent, "z.share", 11)
    team = await conversation.handle(MANAGER, 40, Event.command(Command.TEAM))
    text = team.replies[0].text
    own = TEXTS.manager.team_line.format(letter="A", self="fase 5")
    assert "Medewerker A: fase 5" in text and own in text
    detail = await conversation.handle(MANAGER, 41, Event.option("s.A"), tap_turn=team.turn)
    assert own in detail.replies[0].text


async def test_a_share_is_counted_once_without_knowing_who(data: Path) -> None:
    marks: list[Mark] = []

    def observe(before: Before | None, session: Session) -> None:
        marks.extend(milestones(before, session))

    conversation = Conversation(
        engine(),
        SessionStore(data),
        retention_days=30,
        stats=observe,
        invites=InviteStore(data),
        deep_link=lambda token: f"https://t.me/{BOT}?start={token}",
    )
    conversation.clock = lambda: MONDAY_MORNING
    turn = await at_employee_a(conversation)
    asked = await conversation.handle(MANAGER, 22, Event.option(INVITE), tap_turn=turn.turn)
    consent = await to_consent(conversation, token_of(asked))
    await tap(conversation, consent, "z.share", 11)
    await conversation.finish_hand_overs()
    shared = [mark for mark in marks if mark.milestone is Milestone.SELF_SHARED]
    assert shared == [Mark(Milestone.SELF_SHARED, "mkb", "continu")]


async def test_a_slot_removed_after_the_thanks_is_corrected_honestly(data: Path) -> None:
    """The slot goes between the employee's "Delen" and the hand-over: told, not hidden."""
    sent = Sent()
    conversation = service(data, sent)
    turn = await at_employee_a(conversation)
    asked = await conversation.handle(MANAGER, 22, Event.option(INVITE), tap_turn=turn.turn)
    consent = await to_consent(conversation, token_of(asked))
    store = SessionStore(data)
    real = conversation.hand_over

    async def slot_goes_first(key: str) -> Handed | None:
        manager = store.load(MANAGER)
        assert manager is not None and manager.session is not None
        manager.session.slots = []
        store.save(MANAGER, manager)
        return await real(key)

    conversation.hand_over = slot_goes_first  # type: ignore[method-assign]
    thanked = await conversation.handle(
        EMPLOYEE, 11, Event.option("z.share"), tap_turn=consent.turn, deliver=Sent().to(EMPLOYEE)
    )
    assert thanked.replies[-1].text == TEXTS.shared
    said = [turn.replies[0].text for key, turn in sent.turns if key == EMPLOYEE]
    assert said == [TEXTS.dropped]
    employee = store.load(EMPLOYEE)
    assert employee is not None and employee.selfcheck is not None and employee.selfcheck.dropped


def answers_of(turn: Turn) -> list[str]:
    """The answer buttons of a turn's question: all but "Terug", which has a row of its own."""
    return [option for option in ids(turn) if option != NAV_BACK]


async def test_after_the_advice_the_invitation_is_its_last_option_and_gives_the_link(
    data: Path,
) -> None:
    """Issue 21: "Vraag het je medewerker zelf" under the employee after the advice too, as the
    last option of the advice's last page: no page of it gets more than five answers."""
    conversation = service(data, Sent())
    turn = await to_advice(conversation, MANAGER)
    first = ids(turn)
    assert first[2:4] == ["plan", "hulp"] and INVITE not in first, "the first page is full"
    number = 30
    while INVITE not in ids(turn):
        assert NAV_MORE in ids(turn) and len(answers_of(turn)) <= MAX_OPTIONS
        number += 1
        turn = await conversation.handle(
            MANAGER, number, Event.option(NAV_MORE), tap_turn=turn.turn
        )
        assert ids(turn) != first, "round the pages without finding the invitation"
    assert len(answers_of(turn)) <= MAX_OPTIONS
    shown = ids(turn)
    assert "klaar" in shown and shown.index(INVITE) < shown.index(NAV_MORE), "the last option"
    asked = await conversation.handle(MANAGER, 50, Event.option(INVITE), tap_turn=turn.turn)
    assert asked.status is Status.DONE
    token = token_of(asked)
    assert f"https://t.me/{BOT}?start={token}" in asked.replies[0].text
    assert InviteStore(data).check(token, EMPLOYEE) is Claim.OK
    assert asked.session is not None and asked.session.state == "advies", "the advice goes on"
    assert INVITE in ids(asked) and len(answers_of(asked)) <= MAX_OPTIONS


def test_a_full_keyboard_gets_no_extra_button() -> None:
    """The rule behind it: the manager's buttons only where the keyboard has room."""
    extra = [Option(INVITE, "Vraag"), Option(f"{WITHDRAW}.A", "Trek in")]
    full = tuple(Option(f"o{number}", "x") for number in range(MAX_OPTIONS - 1))
    paged = (*full, Option(NAV_MORE, "Meer"), Option(NAV_BACK, "Terug"))
    assert with_invite(paged, extra) == paged
    roomy = (*full[:2], Option(NAV_MORE, "Meer"), Option(NAV_BACK, "Terug"))
    assert [option.id for option in with_invite(roomy, extra)] == [
        "o0",
        "o1",
        INVITE,
        f"{WITHDRAW}.A",
        NAV_MORE,
        NAV_BACK,
    ]
