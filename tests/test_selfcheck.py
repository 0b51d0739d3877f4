"""The employee's self-check (issue 21, part 2), in-process through the conversation service.

Two chats: a manager who got advice for Medewerker A and made a link, and the employee who opens
it in their own chat. Nothing goes back without "Delen"; a share reaches the manager's slot once.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from dialog_helpers import engine

from bot.conversation import FORGET_CONFIRM, Conversation, Request, Status, Turn
from bot.invites import LIFETIME, InviteStore, digest
from bot.persistence import SessionStore
from bot.persistence.records import utc_now
from bot.selfchecks import Handed
from dialogs import Command, Event
from dialogs.selfcheck import FIVE, SelfCheckDialog
from locales import load_bundle

MANAGER = "1001"
EMPLOYEE = "2002"
TEXTS = load_bundle().selfcheck


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path


def service(data: Path) -> Conversation:
    return Conversation(engine(), SessionStore(data), retention_days=30, invites=InviteStore(data))


def ids(turn: Turn) -> list[str]:
    return [option.id for option in turn.replies[-1].options] if turn.replies else []


async def to_advice(conversation: Conversation, key: str) -> Turn:
    """An owner without HR, no kind of work, fase 5, and "ja" to every check until the advice."""
    turn = await conversation.handle(key, 1, Event.start())
    number = 1
    for choice in ["mkb", "geen", "ja", "ja", "ok"]:
        number += 1
        turn = await conversation.handle(key, number, Event.option(choice), tap_turn=turn.turn)
    while turn.session is not None and turn.session.state != "advies" and number < 20:
        number += 1
        turn = await conversation.handle(key, number, Event.option("ja"), tap_turn=turn.turn)
    assert turn.session is not None and turn.session.state == "advies"
    return turn


async def manager_with_advice(conversation: Conversation) -> None:
    turn = await to_advice(conversation, MANAGER)
    assert turn.session is not None and turn.session.slot("A") is not None


async def tap(conversation: Conversation, turn: Turn, choice: str, update: int) -> Turn:
    assert choice in ids(turn), f"{choice} not offered: {ids(turn)}"
    return await conversation.handle(EMPLOYEE, update, Event.option(choice), tap_turn=turn.turn)


async def to_consent(conversation: Conversation, token: str) -> Turn:
    """Open the link and answer: staging yes, yes (fase 5), then the five W's."""
    turn = await conversation.handle(EMPLOYEE, 1, Event.start(token))
    assert TEXTS.welcome.splitlines()[0] in turn.replies[0].text
    turn = await tap(conversation, turn, "z.go", 2)
    assert turn.replies[-1].text == TEXTS.staging["s_toepassen"]
    turn = await tap(conversation, turn, "z.ja", 3)
    turn = await conversation.handle(EMPLOYEE, 4, Event.text("ja hoor, elke week"))
    assert turn.replies[-1].text == TEXTS.five.willen, "a typed yes counts as the button"
    answers = ["z.ja", "z.nee", "z.wn", "z.ja"]
    for number, choice in enumerate(answers, start=5):
        turn = await tap(conversation, turn, choice, number)
    turn = await conversation.handle(EMPLOYEE, 9, Event.text("nee, niet echt"))
    assert "fase 5" in turn.replies[-1].text and ids(turn) == ["z.next"]
    return await tap(conversation, turn, "z.next", 10)


async def test_the_whole_round_shares_exactly_what_the_consent_showed(data: Path) -> None:
    conversation = service(data)
    await manager_with_advice(conversation)
    token = InviteStore(data).create(MANAGER, "A")
    turn = await to_consent(conversation, token)
    shown = "fase 5; willen ja, weten nee, kunnen weet ik niet, durven ja, mogen nee"
    assert shown in turn.replies[-1].text and ids(turn) == ["z.share", "z.keep"]
    store = SessionStore(data)
    manager = store.load(MANAGER)
    assert manager is not None and manager.session is not None
    slot = manager.session.slot("A")
    assert slot is not None and slot.shared is None, "nothing goes back before Delen"
    turn = await tap(conversation, turn, "z.share", 11)
    assert turn.replies[-1].text == TEXTS.shared
    manager = store.load(MANAGER)
    assert manager is not None and manager.session is not None
    slot = manager.session.slot("A")
    assert slot is not None and slot.shared is not None
    assert slot.shared.view.phase == "continu"
    assert slot.shared.view.answers == {
        "willen": "ja",
        "weten": "nee",
        "kunnen": "wn",
        "durven": "ja",
        "mogen": "nee",
    }
    employee = store.load(EMPLOYEE)
    assert employee is not None and employee.selfcheck is not None
    assert employee.selfcheck.handed_over and not employee.selfcheck.dropped
    assert employee.session is None, "the employee's chat keeps only the self-check"
    assert EMPLOYEE not in manager.model_dump_json(), "the manager's side never has the chat"
    assert InviteStore(data).pending() == []


async def test_not_sharing_sends_nothing_back_and_can_be_undone(data: Path) -> None:
    conversation = service(data)
    await manager_with_advice(conversation)
    turn = await to_consent(conversation, InviteStore(data).create(MANAGER, "A"))
    turn = await tap(conversation, turn, "z.keep", 11)
    assert turn.replies[-1].text == TEXTS.not_shared and ids(turn) == ["z.share"]
    manager = SessionStore(data).load(MANAGER)
    assert manager is not None and manager.session is not None
    assert manager.session.slots[0].shared is None
    turn = await tap(conversation, turn, "z.share", 12)
    assert turn.replies[-1].text == TEXTS.shared


async def test_a_share_for_a_slot_removed_meanwhile_is_dropped_honestly(data: Path) -> None:
    conversation = service(data)
    await manager_with_advice(conversation)
    turn = await to_consent(conversation, InviteStore(data).create(MANAGER, "A"))
    store = SessionStore(data)
    manager = store.load(MANAGER)
    assert manager is not None and manager.session is not None
    manager.session.slots = []
    store.save(MANAGER, manager)
    turn = await tap(conversation, turn, "z.share", 11)
    assert turn.replies[-1].text == TEXTS.dropped
    employee = store.load(EMPLOYEE)
    assert employee is not None and employee.selfcheck is not None
    assert employee.selfcheck.dropped


async def test_a_share_applied_twice_counts_once(data: Path) -> None:
    """A kill after the manager's save and before the employee's mark: the retry changes
    nothing at the manager's side."""
    conversation = service(data)
    await manager_with_advice(conversation)
    turn = await to_consent(conversation, InviteStore(data).create(MANAGER, "A"))
    await tap(conversation, turn, "z.share", 11)
    store = SessionStore(data)
    employee = store.load(EMPLOYEE)
    assert employee is not None and employee.selfcheck is not None
    employee.selfcheck.handed_over = False  # as if killed before the last step
    store.save(EMPLOYEE, employee)
    InviteStore(data).mark_pending(EMPLOYEE)
    before = store.load(MANAGER)
    assert await conversation.finish_hand_overs() == 1
    assert store.load(MANAGER) == before
    assert await conversation.hand_over(EMPLOYEE) is None, "done: nothing waits"


async def test_both_chats_busy_at_once_never_deadlock(data: Path) -> None:
    """Two managers who invited each other share at the same moment: every hand-over takes
    one chat's lock at a time, so both finish."""
    conversation = service(data)
    await manager_with_advice(conversation)
    other = "3003"
    await to_advice(conversation, other)
    invites = InviteStore(data)
    first = invites.create(MANAGER, "A")
    second = invites.create(other, "A")

    async def employee_of(key: str, token: str, base: int) -> Handed | None:
        turn = await conversation.handle(key, base, Event.start(token))
        steps = ["z.go", "z.nee", "z.nee", "z.nee", *(["z.ja"] * len(FIVE)), "z.next"]
        for number, choice in enumerate(steps, start=base + 1):
            turn = await conversation.handle(key, number, Event.option(choice), tap_turn=turn.turn)
        await conversation.handle(key, base + 50, Event.option("z.share"), tap_turn=turn.turn)
        return await conversation.hand_over(key)

    await asyncio.wait_for(
        asyncio.gather(employee_of(other, first, 100), employee_of(MANAGER, second, 200)),
        timeout=None,
    )
    store = SessionStore(data)
    for key in (MANAGER, other):
        record = store.load(key)
        assert record is not None and record.session is not None
        slot = record.session.slot("A")
        assert slot is not None and slot.shared is not None
        assert slot.shared.view.phase == "onbewust"


async def test_refused_links_change_nothing(data: Path) -> None:
    conversation = service(data)
    await manager_with_advice(conversation)
    invites = InviteStore(data)
    used = invites.create(MANAGER, "A")
    assert invites.claim(used, "9999")[0].value == "ok"
    expired = invites.create(MANAGER, "B", utc_now() - LIFETIME - timedelta(seconds=1))
    withdrawn = invites.create(MANAGER, "C")
    invites.withdraw(MANAGER, "C")
    own = invites.create(MANAGER, "D")
    cases = [
        (EMPLOYEE, used, TEXTS.refused.used),
        (EMPLOYEE, expired, TEXTS.refused.expired),
        (EMPLOYEE, withdrawn, TEXTS.refused.withdrawn),
        (EMPLOYEE, "A" * 32, TEXTS.refused.unknown),
        (EMPLOYEE, "../../etc/passwd", TEXTS.refused.unknown),
        (MANAGER, own, TEXTS.refused.own),
    ]
    manager_before = SessionStore(data).load(MANAGER)
    for number, (key, token, said) in enumerate(cases, start=50):
        turn = await conversation.handle(key, number, Event.start(token))
        assert turn.replies[0].text == said
    assert SessionStore(data).load(EMPLOYEE) is None, "a refusal stores nothing"
    after = SessionStore(data).load(MANAGER)
    assert after is not None and manager_before is not None and after.session is not None
    assert after.session == manager_before.session, "the manager's advice is untouched"
    assert ids(turn) == [option.id for option in engine().shown_options(after.session)]


async def test_the_employee_opening_their_link_again_resumes(data: Path) -> None:
    conversation = service(data)
    await manager_with_advice(conversation)
    token = InviteStore(data).create(MANAGER, "A")
    turn = await conversation.handle(EMPLOYEE, 1, Event.start(token))
    turn = await tap(conversation, turn, "z.go", 2)
    again = await conversation.handle(EMPLOYEE, 3, Event.start(token))
    assert again.replies[-1].text == TEXTS.staging["s_toepassen"]
    stale = await conversation.handle(EMPLOYEE, 4, Event.option("z.go"), tap_turn=1)
    assert stale.status is Status.STALE
    helped = await conversation.handle(EMPLOYEE, 5, Event.command(Command.HELP))
    assert helped.replies[0].text == TEXTS.help
    odd = await conversation.handle(EMPLOYEE, 6, Event.text("banaan"))
    assert odd.replies[0].text == TEXTS.not_understood


async def test_declining_and_leaving_share_nothing(data: Path) -> None:
    conversation = service(data)
    await manager_with_advice(conversation)
    token = InviteStore(data).create(MANAGER, "A")
    turn = await conversation.handle(EMPLOYEE, 1, Event.start(token))
    turn = await tap(conversation, turn, "z.stop", 2)
    assert turn.replies[-1].text == TEXTS.declined
    turn = await conversation.handle(EMPLOYEE, 3, Event.text("hallo"))
    assert turn.session is not None, "after the self-check the chat is an ordinary one"


def test_every_staging_question_of_the_flow_has_a_text_for_the_employee() -> None:
    dialog = SelfCheckDialog(engine().flow, load_bundle(), engine().knowledge)
    assert dialog.problems() == []
    for phase in engine().knowledge.phases:
        first, second = dialog.first_steps(phase.key)
        assert first != second


def test_the_employee_texts_speak_to_the_employee() -> None:
    employee_side = TEXTS.model_dump(exclude={"manager", "refused"})
    flat = str(employee_side).casefold()
    assert "de medewerker" not in flat and "je medewerker" not in flat
    assert digest("x" * 32) not in flat


# ---- /privacy and /vergeet on both sides (part 4) ------------------------------------------------


async def forget(conversation: Conversation, key: str, update: int) -> Turn:
    asked = await conversation.handle(key, update, Request.FORGET)
    return await conversation.handle(
        key, update + 1, Event.option(FORGET_CONFIRM), tap_turn=asked.turn
    )


async def shared_round(conversation: Conversation, data: Path) -> str:
    await manager_with_advice(conversation)
    token = InviteStore(data).create(MANAGER, "A")
    turn = await to_consent(conversation, token)
    await tap(conversation, turn, "z.share", 11)
    return digest(token)


async def test_the_employees_forget_removes_the_share_at_the_manager_too(data: Path) -> None:
    conversation = service(data)
    name = await shared_round(conversation, data)
    turn = await forget(conversation, EMPLOYEE, 30)
    assert turn.withdraw == name
    store = SessionStore(data)
    assert store.load(EMPLOYEE) is None
    manager = store.load(MANAGER)
    assert manager is not None and manager.session is not None
    slot = manager.session.slot("A")
    assert slot is not None and slot.shared is None and slot.phase is not None
    invites = InviteStore(data)
    assert invites.get(name) is None and invites.withdrawals() == []


async def test_a_withdrawal_cut_short_by_a_kill_is_finished_at_start(data: Path) -> None:
    conversation = service(data)
    name = await shared_round(conversation, data)
    store = SessionStore(data)
    InviteStore(data).mark_withdrawn(name)  # as if killed right after the erase
    store.erase(EMPLOYEE)
    await conversation.finish_hand_overs()
    manager = store.load(MANAGER)
    assert manager is not None and manager.session is not None
    assert manager.session.slots[0].shared is None


async def test_the_managers_forget_erases_their_links(data: Path) -> None:
    conversation = service(data)
    await manager_with_advice(conversation)
    token = InviteStore(data).create(MANAGER, "A")
    await forget(conversation, MANAGER, 40)
    assert InviteStore(data).get(digest(token)) is None
    turn = await conversation.handle(EMPLOYEE, 1, Event.start(token))
    assert turn.replies[0].text == TEXTS.refused.unknown


async def test_privacy_says_what_each_side_keeps(data: Path) -> None:
    conversation = service(data)
    await shared_round(conversation, data)
    employee = await conversation.handle(EMPLOYEE, 40, Request.PRIVACY)
    said = employee.replies[0].text
    assert TEXTS.privacy.general in said and TEXTS.privacy.shared in said
    assert "fase 5; willen ja, weten nee" in said
    manager = await conversation.handle(MANAGER, 40, Request.PRIVACY)
    said = manager.replies[0].text
    assert "Medewerker A deelde zelf: fase 5; willen ja" in said
    assert EMPLOYEE not in said
    InviteStore(data).create(MANAGER, "A")
    manager = await conversation.handle(MANAGER, 41, Request.PRIVACY)
    assert TEXTS.manager.invited.format(letter="A") in manager.replies[0].text


async def test_forget_still_works_during_a_self_check(data: Path) -> None:
    conversation = service(data)
    await manager_with_advice(conversation)
    token = InviteStore(data).create(MANAGER, "A")
    turn = await conversation.handle(EMPLOYEE, 1, Event.start(token))
    await tap(conversation, turn, "z.go", 2)
    done = await forget(conversation, EMPLOYEE, 3)
    assert done.status is Status.DONE and done.withdraw is None
    assert SessionStore(data).load(EMPLOYEE) is None


def test_the_committed_selfcheck_diagram_is_the_generated_one() -> None:
    from dialogs.diagram import README
    from dialogs.selfcheck_diagram import embed_selfcheck, selfcheck_mermaid

    dialog = SelfCheckDialog(engine().flow, load_bundle(), engine().knowledge)
    drawn = selfcheck_mermaid(dialog)
    committed = README.read_text(encoding="utf-8")
    assert embed_selfcheck(committed, drawn) == committed, "run `make diagram`"
    for state in ("welcome", "s_toepassen", "w_mogen", "result", "consent", "shared", "kept"):
        assert f"as {state}" in drawn


async def test_a_flood_of_made_up_start_payloads_never_writes(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conversation = service(data)
    await manager_with_advice(conversation)
    saves: list[str] = []
    real_save = SessionStore.save

    def counted(self: SessionStore, key: str, record: object) -> None:
        saves.append(key)
        real_save(self, key, record)  # type: ignore[arg-type]

    monkeypatch.setattr(SessionStore, "save", counted)
    for number in range(1000):
        payload = f"{number:032d}" if number % 2 else f"try{number}"
        turn = await conversation.handle(MANAGER, 100 + number, Event.start(payload))
        assert turn.replies[0].text == TEXTS.refused.unknown
    assert saves == [], "answered without a disk write"
