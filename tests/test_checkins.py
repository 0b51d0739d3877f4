"""Check-ins on a review date, in-process with a controlled clock (time-machine).

The service and the scheduler are driven directly over a real file store: opting in and out, a
check-in sent exactly once, one that fell due while the bot was down, a kill during sending, a
blocked user, /vergeet, the retention purge, and civil hours.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
import time_machine
from conftest import FAKE_TOKEN
from dialog_helpers import engine, stable
from fake_bot_api.server import FakeBotApi
from telegram import Bot
from time_machine import Traveller as Clock

from bot.conversation import FORGET_CONFIRM, Conversation, Deliver, Request, Turn
from bot.persistence import SessionStore
from bot.scheduler import CheckInScheduler
from bot.telegram.handlers import Handlers
from dialogs import Command, Event
from dialogs.civil import AMSTERDAM, civil_moment, is_civil, review_moment
from dialogs.session import utc_now

KEY = "5150"
# Monday 2 March 2026, 10:00 in Amsterdam (CET, UTC+1).
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ADVICE = ["mkb", "geen", "nee", "ja", "ok", "nee", "ja", "ja", "ja"]


class Killed(BaseException):
    """The process dies mid-send: no clean-up of the bot's runs (unlike for an Exception)."""


class Inbox:
    """What was delivered, per chat; `fail` makes the next delivery raise it (a broken send)."""

    def __init__(self) -> None:
        self.turns: dict[str, list[Turn]] = {}
        self.fail: BaseException | None = None

    def to(self, key: str) -> Deliver:
        async def deliver(turn: Turn) -> None:
            if self.fail is not None:
                failure, self.fail = self.fail, None
                raise failure
            self.turns.setdefault(key, []).append(turn)

        return deliver

    def checkins(self, key: str = KEY) -> list[Turn]:
        return [t for t in self.turns.get(key, []) if t.session and t.session.state == "ci_stap"]


def service(store: SessionStore) -> Conversation:
    return Conversation(engine(), store, retention_days=30)


async def delivered(turn: Turn) -> None:
    """The user's own turns reach them (so their outbox counts as delivered)."""


async def advise(conversation: Conversation, choices: list[str], key: str = KEY) -> Turn:
    turn = await conversation.handle(key, 1, Event.start(), deliver=delivered)
    return await tap(conversation, turn, choices, key, start=2)


async def tap(
    conversation: Conversation, turn: Turn, choices: list[str], key: str = KEY, start: int = 100
) -> Turn:
    """Tap each choice on the buttons of the turn before it (update ids from `start`).

    A choice may sit on another page of the buttons ("Meer opties"): the step accepts it.
    """
    for number, shorthand in enumerate(choices, start=start):
        assert turn.session is not None
        choice = stable(turn.session, shorthand)
        assert choice in [o.id for o in engine().current_options(turn.session)], choice
        turn = await conversation.handle(
            key, number, Event.option(choice), tap_turn=turn.turn, deliver=delivered
        )
    return turn


def scheduler(store: SessionStore, conversation: Conversation, inbox: Inbox) -> CheckInScheduler:
    return CheckInScheduler(store, conversation, inbox.to, poll_seconds=60, clock=utc_now)


async def test_no_reminder_is_the_default_and_opting_out_sends_nothing(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    conversation, inbox = service(store), Inbox()
    with time_machine.travel(MONDAY, tick=False) as clock:
        turn = await advise(conversation, ADVICE)
        assert store.due_checkins(MONDAY + timedelta(days=400)) == []
        turn = await tap(conversation, turn, ["herinner", "w2", "herinner", "geen"])
        assert turn.session is not None and turn.session.next_review() is None
        clock.shift(timedelta(weeks=10))
        assert await scheduler(store, conversation, inbox).tick() == 0
    assert inbox.turns == {}


async def test_a_check_in_is_sent_once_when_due_and_moves_the_phase(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    conversation, inbox = service(store), Inbox()
    with time_machine.travel(MONDAY, tick=False) as clock:
        turn = await advise(conversation, [*ADVICE, "herinner", "w2"])
        assert turn.session is not None
        due = turn.session.next_review()
        assert due == MONDAY + timedelta(weeks=2)
        ticker = scheduler(store, conversation, inbox)
        clock.move_to(due - timedelta(minutes=1))
        assert await ticker.tick() == 0
        clock.move_to(due + timedelta(seconds=30))  # within a minute of becoming due
        assert await ticker.tick() == 1
        assert await ticker.tick() == 0
        clock.shift(timedelta(days=3))
        assert await ticker.tick() == 0
        (sent,) = inbox.checkins()
        assert sent.replies[-1].text.startswith("Hoe gaat het met medewerker A?")
        assert [o.id for o in sent.replies[-1].options] == ["gedaan", "bezig", "nognie"]
        record = store.load(KEY)
        assert record is not None and record.delivery is not None and record.delivery.delivered
        assert store.due_checkins(utc_now()) == []

        # Answered: both steps, then "a step further": congratulations and the advice for the
        # next phase; a new review date is one tap away in its menu.
        turn = await tap(conversation, sent, ["gedaan", "bezig", "verder"])
        assert turn.session is not None and turn.session.state == "advies"
        slot = turn.session.slots[0]
        assert [a.phase for a in slot.assessments] == ["actie", "toepassen"]
        assert "Mooi!" in turn.replies[0].text
        assert "Fase 4" in turn.replies[-1].text or "fase 4" in turn.replies[-1].text
        turn = await tap(conversation, turn, ["herinner", "w4"], start=200)
        assert turn.session is not None and turn.session.next_review() is not None


async def test_same_phase_names_the_obstacle_and_a_different_first_step(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    conversation, inbox = service(store), Inbox()
    with time_machine.travel(MONDAY, tick=False) as clock:
        await advise(conversation, [*ADVICE, "herinner", "w4"])
        clock.shift(timedelta(weeks=4, hours=1))
        await scheduler(store, conversation, inbox).tick()
        (turn,) = inbox.checkins()
        before = turn.session.slots[0].steps if turn.session else []
        turn = await tap(conversation, turn, ["nognie", "nognie", "zelfde"])
    assert turn.session is not None
    text = "\n".join(reply.text for reply in turn.replies)
    gap = engine().knowledge.precondition(turn.session.precondition_gaps[0])
    assert gap.title in text
    steps = turn.session.slots[0].steps
    assert len(steps) == 1 and steps[0].item not in {step.item for step in before}


async def checked_in(conversation: Conversation, store: SessionStore, clock: Clock) -> Turn:
    """Employee A advised (phase 3), a check-in after two weeks, both first steps answered."""
    await advise(conversation, [*ADVICE, "herinner", "w2"])
    clock.shift(timedelta(weeks=2, hours=1))
    inbox = Inbox()
    await scheduler(store, conversation, inbox).tick()
    (turn,) = inbox.checkins()
    return await tap(conversation, turn, ["gedaan", "nognie"])


async def test_picking_the_same_phase_in_a_check_in_counts_as_not_moved(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    conversation = service(store)
    with time_machine.travel(MONDAY, tick=False) as clock:
        turn = await checked_in(conversation, store, clock)
        before = turn.session.slots[0].steps if turn.session else []
        turn = await tap(conversation, turn, ["kies", "f3"], start=300)
    session = turn.session
    assert session is not None and session.state == "herinnering"
    text = "\n".join(reply.text for reply in turn.replies)
    gap = engine().knowledge.precondition(session.precondition_gaps[0])
    assert gap.title in text and "Mooi!" not in text
    a = session.slots[0]
    assert [look.phase for look in a.assessments] == ["actie", "actie"]
    assert len(a.steps) == 1 and a.steps[0].item not in {step.item for step in before}


async def test_picking_a_later_phase_in_a_check_in_counts_as_moved_up(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    conversation = service(store)
    with time_machine.travel(MONDAY, tick=False) as clock:
        turn = await checked_in(conversation, store, clock)
        turn = await tap(conversation, turn, ["kies", "f5"], start=300)
    session = turn.session
    assert session is not None and session.state == "advies" and session.phase == "continu"
    assert turn.replies[0].text.startswith("Mooi! Medewerker A zit nu in fase 5")
    assert [look.phase for look in session.slots[0].assessments] == ["actie", "continu"]
    assert "herinner" in [option.id for option in engine().current_options(session)]


async def test_picking_an_earlier_phase_in_a_check_in_is_a_new_look(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    conversation = service(store)
    with time_machine.travel(MONDAY, tick=False) as clock:
        turn = await checked_in(conversation, store, clock)
        gaps = turn.session.precondition_gaps if turn.session else []
        turn = await tap(conversation, turn, ["kies", "f2"], start=300)
        assert turn.session is not None and turn.session.state == "org"  # recent: offered again
        turn = await tap(conversation, turn, ["ja"], start=400)
    session = turn.session
    assert session is not None and session.state == "advies"
    assert session.precondition_gaps == gaps
    assert [look.phase for look in session.slots[0].assessments] == ["actie", "overwegen"]
    assert all("Mooi!" not in reply.text for reply in turn.replies)


async def test_one_due_during_downtime_is_sent_once_after_a_restart(tmp_path: Path) -> None:
    with time_machine.travel(MONDAY, tick=False) as clock:
        await advise(service(SessionStore(tmp_path)), [*ADVICE, "herinner", "w2"])
        clock.shift(timedelta(weeks=3))  # the bot was down when it fell due
        inbox = Inbox()
        for _ in range(2):  # two starts: a fresh store and service each time
            store = SessionStore(tmp_path)
            await scheduler(store, service(store), inbox).tick()
    assert len(inbox.checkins()) == 1


async def test_a_kill_during_sending_neither_loses_nor_duplicates(tmp_path: Path) -> None:
    with time_machine.travel(MONDAY, tick=False) as clock:
        store = SessionStore(tmp_path)
        await advise(service(store), [*ADVICE, "herinner", "w2"])
        clock.shift(timedelta(weeks=2, minutes=1))
        inbox = Inbox()
        inbox.fail = Killed()  # the process dies after the save, during the send
        with pytest.raises(Killed):
            await scheduler(store, service(store), inbox).tick()
        record = store.load(KEY)
        assert record is not None and record.delivery is not None
        assert not record.delivery.delivered and record.next_checkin() is None
        # After the restart: the scheduler does not send it again; the start-up sweep does.
        store = SessionStore(tmp_path)
        conversation = service(store)
        assert await scheduler(store, conversation, inbox).tick() == 0
        assert await conversation.resend([KEY], inbox.to) == 1
        assert await conversation.resend([KEY], inbox.to) == 0
    (turn,) = inbox.turns[KEY]
    assert turn.replies[-1].text.startswith("Hoe gaat het met medewerker A?")


async def test_a_check_in_whose_send_failed_is_not_used_up_and_comes_on_a_later_tick(
    tmp_path: Path,
) -> None:
    with time_machine.travel(MONDAY, tick=False) as clock:
        store = SessionStore(tmp_path)
        conversation = service(store)
        await advise(conversation, [*ADVICE, "herinner", "w2"])
        due = MONDAY + timedelta(weeks=2)
        clock.move_to(due + timedelta(minutes=1))
        inbox = Inbox()
        inbox.fail = ConnectionError("reset")  # the channel could not get it out
        ticker = scheduler(store, conversation, inbox)
        assert await ticker.tick() == 0
        record = store.load(KEY)
        assert record is not None and record.next_checkin() == due, "not used up"
        assert record.checkin_day is None and store.due_checkins(utc_now()) == [KEY]
        clock.shift(timedelta(minutes=1))
        assert await ticker.tick() == 1
        assert await ticker.tick() == 0
    assert len(inbox.checkins()) == 1


async def test_no_check_in_to_a_user_who_blocked_the_bot(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    conversation, inbox = service(store), Inbox()
    with time_machine.travel(MONDAY, tick=False) as clock:
        await advise(conversation, [*ADVICE, "herinner", "w2"])
        await conversation.mark_blocked(KEY)
        clock.shift(timedelta(weeks=2, hours=1))
        assert await scheduler(store, conversation, inbox).tick() == 0
    assert inbox.turns == {}


async def test_a_user_who_blocked_the_bot_unnoticed_gets_one_try_and_no_more(
    bot_api: FakeBotApi, tmp_path: Path
) -> None:
    """Over the Telegram adapter: the check-in's send gets 403, and that is the last attempt."""
    store = SessionStore(tmp_path)
    conversation = service(store)
    with time_machine.travel(MONDAY, tick=False):
        turn = await advise(conversation, [*ADVICE, "herinner", "w2", "ander"])
        await tap(conversation, turn, ["nee", "ja", "ok", "ja", "herinner", "w2"])
    record = store.load(KEY)
    due = record.next_checkin() if record else None
    assert due is not None
    bot_api.send_text(int(KEY), "/start")  # Telegram knows the chat (its update is not read)
    bot_api.block(int(KEY))  # the bot has not heard of it yet
    now = [due + timedelta(minutes=5)]
    async with Bot(FAKE_TOKEN, base_url=f"{bot_api.url}/bot") as bot:
        handlers = Handlers(conversation, engine().bundle.telegram)
        ticker = CheckInScheduler(
            store, conversation, handlers.check_in_delivery(bot), clock=lambda: now[0]
        )
        assert await ticker.tick() == 0
        await bot_api.wait_for(
            lambda: (r := store.load(KEY)) is not None and r.blocked, what="the blocked mark"
        )
        now[0] += timedelta(days=1)  # employee B's check-in is due too, a day later
        assert await ticker.tick() == 0
        assert await handlers.resend(bot, [KEY]) == 0  # nor does a restart send it
    assert len(bot_api.method_calls("sendMessage")) == 1, "one 403, never tried again"
    assert bot_api.chat(int(KEY)) == []


TEAM_CHATS = [str(5200 + n) for n in range(5)]


async def _teams_due(conversation: Conversation, store: SessionStore, api: FakeBotApi) -> datetime:
    """Five chats, each with employees A and B and a check-in for both in two weeks; Telegram
    knows the chats. Returns when the check-ins are due."""
    with time_machine.travel(MONDAY, tick=False):
        for key in TEAM_CHATS:
            turn = await advise(conversation, [*ADVICE, "herinner", "w2", "ander"], key)
            await tap(conversation, turn, ["nee", "ja", "ok", "ja", "herinner", "w2"], key)
    for key in TEAM_CHATS:
        api.send_text(int(key), "/start")  # its update is not read: the chat exists
    due = store.load(TEAM_CHATS[0])
    assert due is not None and due.next_checkin() is not None
    return due.next_checkin()  # type: ignore[return-value]


def _check_ins_in(api: FakeBotApi, key: str) -> list[str]:
    """The employee letter of each check-in that reached the chat (Telegram took it), in order."""
    heading = engine().bundle.dialog.team.checkin_heading
    return [
        letter
        for message in api.chat(int(key))
        for letter in "AB"
        if heading.format(letter=letter) in (message.text or "")
    ]


async def test_check_ins_cut_off_by_a_reset_connection_still_arrive_on_a_later_tick(
    bot_api: FakeBotApi, tmp_path: Path
) -> None:
    """Five chats with employees A and B: every A check-in meets a broken connection (twice: the
    send and its one retry). None is used up; the next tick sends them, B's come a day later."""
    store = SessionStore(tmp_path)
    conversation = service(store)
    due = await _teams_due(conversation, store, bot_api)
    now = [due + timedelta(minutes=5)]
    bot_api.reset_next("sendMessage", 2 * len(TEAM_CHATS))  # never taken by Telegram
    async with Bot(FAKE_TOKEN, base_url=f"{bot_api.url}/bot") as bot:
        handlers = Handlers(conversation, engine().bundle.telegram)
        ticker = CheckInScheduler(
            store, conversation, handlers.check_in_delivery(bot), clock=lambda: now[0]
        )
        assert await ticker.tick() == 0
        assert sorted(store.due_checkins(now[0])) == TEAM_CHATS, "none used up"
        now[0] += timedelta(seconds=30)
        assert await ticker.tick() == len(TEAM_CHATS)
        assert await ticker.tick() == 0
        for day in range(1, 4):  # the days after: B's check-ins, and nothing more
            now[0] = due + timedelta(days=day, minutes=5)
            await ticker.tick()
    for key in TEAM_CHATS:
        assert _check_ins_in(bot_api, key) == ["A", "B"], key
    assert bot_api.rejections == []


async def test_a_check_in_refused_by_a_block_comes_once_the_user_writes_again(
    bot_api: FakeBotApi, tmp_path: Path
) -> None:
    store = SessionStore(tmp_path)
    conversation = service(store)
    due = await _teams_due(conversation, store, bot_api)
    blocked = TEAM_CHATS[0]
    bot_api.block(int(blocked))
    now = [due + timedelta(minutes=5)]
    async with Bot(FAKE_TOKEN, base_url=f"{bot_api.url}/bot") as bot:
        handlers = Handlers(conversation, engine().bundle.telegram)
        ticker = CheckInScheduler(
            store, conversation, handlers.check_in_delivery(bot), clock=lambda: now[0]
        )
        assert await ticker.tick() == len(TEAM_CHATS) - 1
        await bot_api.wait_for(
            lambda: (r := store.load(blocked)) is not None and r.blocked, what="the blocked mark"
        )
        record = store.load(blocked)
        assert record is not None and record.next_checkin() == due, "A's check-in not used up"
        now[0] += timedelta(hours=1)
        assert await ticker.tick() == 0, "nothing to a user who blocked the bot"
        bot_api.blocked.discard(int(blocked))  # unblocked: the user writes again
        await conversation.handle(blocked, 900, Event.command(Command.HELP), deliver=delivered)
        now[0] += timedelta(minutes=1)
        assert await ticker.tick() == 1
    assert _check_ins_in(bot_api, blocked) == ["A"]
    assert all(_check_ins_in(bot_api, key) == ["A"] for key in TEAM_CHATS)


async def test_forget_cancels_the_pending_check_in(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    conversation, inbox = service(store), Inbox()
    with time_machine.travel(MONDAY, tick=False) as clock:
        await advise(conversation, [*ADVICE, "herinner", "w2"])
        turn = await conversation.handle(KEY, 40, Request.FORGET, deliver=delivered)
        await conversation.handle(
            KEY, 41, Event.option(FORGET_CONFIRM), tap_turn=turn.turn, deliver=delivered
        )
        assert store.pending_checkins() == {}
        clock.shift(timedelta(weeks=2, hours=1))
        assert await scheduler(store, conversation, inbox).tick() == 0
    assert inbox.turns == {}


async def test_retention_keeps_a_chat_with_a_pending_check_in(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    conversation = Conversation(engine(), store, retention_days=7)
    with time_machine.travel(MONDAY, tick=False):
        await advise(conversation, [*ADVICE, "herinner", "w8"])
        await advise(conversation, ADVICE, key="6160")  # no check-in: purged as before
    for key in (KEY, "6160"):  # the files were written "then", as the clock said
        os.utime(store.path_for(key), (MONDAY.timestamp(), MONDAY.timestamp()))
    due = MONDAY + timedelta(weeks=8)
    assert store.purge_idle(timedelta(days=7), now=MONDAY + timedelta(days=30)) == 1
    assert store.load(KEY) is not None and store.load("6160") is None
    assert store.purge_idle(timedelta(days=7), now=due + timedelta(days=6)) == 0
    assert store.load(KEY) is not None
    # Never sent (say the user blocked the bot) and the retention period passed after it: gone.
    assert store.purge_idle(timedelta(days=7), now=due + timedelta(days=8)) == 1
    assert store.load(KEY) is None and store.pending_checkins() == {}


async def test_privacy_shows_the_employees_and_the_pending_check_in(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    conversation = service(store)
    with time_machine.travel(MONDAY, tick=False):
        await advise(conversation, [*ADVICE, "herinner", "w2"])
        turn = await conversation.handle(KEY, 50, Request.PRIVACY)
    text = turn.replies[0].text
    assert "Medewerker A" in text and "16 maart 2026" in text


def test_civil_hours_in_amsterdam() -> None:
    # Friday 6 March 2026 17:30 CET: moved to Monday 9:00 CET.
    friday_evening = datetime(2026, 3, 6, 16, 30, tzinfo=UTC)
    assert not is_civil(friday_evening)
    assert civil_moment(friday_evening) == datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
    # Early on a working day: the same day at 9:00.
    assert civil_moment(datetime(2026, 3, 3, 5, 0, tzinfo=UTC)) == datetime(
        2026, 3, 3, 8, 0, tzinfo=UTC
    )
    # Summer time (CEST, UTC+2): 9:00 local is 7:00 UTC.
    assert civil_moment(datetime(2026, 7, 4, 12, 0, tzinfo=UTC)) == datetime(
        2026, 7, 6, 7, 0, tzinfo=UTC
    )
    inside = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
    assert civil_moment(inside) == inside and is_civil(inside)
    # A reminder chosen on a Saturday evening, two weeks on: the Monday after, at 9:00.
    saturday = datetime(2026, 3, 7, 20, 0, tzinfo=UTC)
    assert review_moment(saturday, 2) == datetime(2026, 3, 23, 8, 0, tzinfo=UTC)


async def test_a_check_in_outside_civil_hours_waits_and_one_per_day(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    conversation, inbox = service(store), Inbox()
    with time_machine.travel(MONDAY, tick=False) as clock:
        turn = await advise(conversation, [*ADVICE, "herinner", "w2", "ander"])
        await tap(conversation, turn, ["nee", "ja", "ok", "ja", "herinner", "w2"])
        session = store.load(KEY)
        assert session is not None and session.session is not None
        assert [slot.letter for slot in session.session.slots] == ["A", "B"]
        assert session.next_checkin() == MONDAY + timedelta(weeks=2)
        ticker = scheduler(store, conversation, inbox)
        clock.move_to(datetime(2026, 3, 21, 10, 0, tzinfo=UTC))  # Saturday: both due, not civil
        assert await ticker.tick() == 0
        clock.move_to(datetime(2026, 3, 23, 8, 5, tzinfo=UTC))  # Monday 9:05
        assert await ticker.tick() == 1
        # The second employee's check-in is due too, but it waits for the next day.
        assert store.due_checkins(utc_now()) == [KEY]
        assert await ticker.tick() == 0
        clock.move_to(datetime(2026, 3, 24, 8, 5, tzinfo=UTC))
        assert await ticker.tick() == 1
    letters = [t.session.current for t in inbox.checkins() if t.session]
    assert letters == ["A", "B"]


async def test_an_old_reminder_of_a_reader_without_staff_is_dropped_unsent(tmp_path: Path) -> None:
    """Before readers without staff lost the reminder, a zzp'er could set one; the check-in's
    words are for employers, so the scheduler drops that review date and sends nothing."""
    store = SessionStore(tmp_path)
    conversation, inbox = service(store), Inbox()
    with time_machine.travel(MONDAY, tick=False) as clock:
        turn = await advise(conversation, [*ADVICE, "herinner", "w2"])
        assert turn.session is not None and turn.session.next_review() is not None
        record = store.load(KEY)
        assert record is not None and record.session is not None
        record.session.role = "zzp"  # as a zzp'er's session saved before today's flow
        store.save(KEY, record)
        clock.move_to(MONDAY + timedelta(weeks=2, seconds=30))
        ticker = scheduler(store, conversation, inbox)
        assert await ticker.tick() == 0
        assert inbox.turns == {}
        assert store.due_checkins(utc_now() + timedelta(days=400)) == []
        again = store.load(KEY)
        assert again is not None and again.session is not None
        assert again.session.next_review() is None


# Summer time starts on Sunday 28 March 2027 and ends on Sunday 31 October 2027 (Amsterdam).
MARCH_LATE_MONDAY = datetime(2027, 3, 22, 15, 30, tzinfo=UTC)  # 16:30 CET
OCTOBER_LATE_MONDAY = datetime(2027, 10, 25, 14, 30, tzinfo=UTC)  # 16:30 CEST


def test_weeks_are_counted_on_amsterdams_calendar_across_both_summer_time_changes() -> None:
    """A check-in chosen at 16:30 comes on the same weekday at 16:30, whatever the offset.

    Weeks added in UTC land at 17:30 CEST after the March change (outside civil hours, so the
    next morning: a day late) and at 15:30 CET after the October change.
    """
    for weeks in (1, 2):
        spring = review_moment(MARCH_LATE_MONDAY, weeks).astimezone(AMSTERDAM)
        assert spring.replace(tzinfo=None) == datetime(2027, 3, 22, 16, 30) + timedelta(weeks=weeks)
        assert spring.utcoffset() == timedelta(hours=2)
        autumn = review_moment(OCTOBER_LATE_MONDAY, weeks).astimezone(AMSTERDAM)
        assert autumn.replace(tzinfo=None) == datetime(2027, 10, 25, 16, 30) + timedelta(
            weeks=weeks
        )
        assert autumn.utcoffset() == timedelta(hours=1)
    # Early on a Monday in October: 9:30 stays 9:30 (in UTC it would become 8:30, then 9:00).
    early = datetime(2027, 10, 25, 7, 30, tzinfo=UTC)
    assert review_moment(early, 1).astimezone(AMSTERDAM).time() == time(9, 30)


async def test_a_check_in_chosen_before_summer_time_comes_on_the_chosen_weekday(
    tmp_path: Path,
) -> None:
    """Through the dialog: chosen Monday 22 March 2027 16:30 CET for two weeks, it comes on
    Monday 5 April at 16:30 CEST, not on Tuesday at 9:00."""
    store = SessionStore(tmp_path)
    conversation = service(store)
    with time_machine.travel(MARCH_LATE_MONDAY, tick=False):
        turn = await advise(conversation, [*ADVICE, "herinner", "w2"])
    assert turn.session is not None
    due = turn.session.next_review()
    assert due is not None
    assert due.astimezone(AMSTERDAM).replace(tzinfo=None) == datetime(2027, 4, 5, 16, 30)
