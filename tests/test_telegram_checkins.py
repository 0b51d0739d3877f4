"""End to end over HTTP: the real bot process, two employees, a check-in weeks later, /team, and
a check-in whose sending is cut off by SIGKILL.

The process's check-in clock is moved on with the test-only setting
BOT_TEST_ONLY_CLOCK_OFFSET_DAYS (see bot/scheduler.py); BOT_CHECKIN_POLL_SECONDS makes it look
every second. Everything else in the process runs on the real clock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fake_bot_api.harness import BotProcess, User, advice_shown
from fake_bot_api.server import FakeBotApi

from bot.persistence import ChatRecord, SessionStore
from bot.persistence.records import utc_now
from bot.scheduler import TEST_CLOCK_ENV
from dialogs.civil import civil_moment, is_civil
from locales import load_bundle

HEADING = "Hoe gaat het met medewerker A?"
# A read timeout of PTB is 5 s: these answers come far later, so the kill always falls inside.
SLOW = 30.0
LATE = 7.0
# A check-in sent again after a kill first takes the buttons off the question before it once
# more; when that was done before the kill, Telegram refuses the repeat as already done.


@pytest.fixture
async def bot(bot_api: FakeBotApi, tmp_path: Path) -> AsyncIterator[BotProcess]:
    """The bot process, looking for due check-ins every second; stopped with SIGTERM after."""
    process = BotProcess(bot_api, tmp_path, BOT_CHECKIN_POLL_SECONDS="1")
    await process.start()
    try:
        yield process
    finally:
        await process.stop()


def clock_offset(due: datetime) -> str:
    """BOT_TEST_ONLY_CLOCK_OFFSET_DAYS that puts the check-in clock just past `due`, at a civil
    hour with half an hour to spare (a test run near 17:00 must not wait for the next day)."""
    moment = civil_moment(due + timedelta(minutes=1))
    if not is_civil(moment + timedelta(minutes=30)):
        moment = civil_moment(moment + timedelta(minutes=30))
    return repr((moment - utc_now()) / timedelta(days=1))


def stored(bot: BotProcess, key: str) -> ChatRecord:
    record = SessionStore(bot.data_dir).load(key)
    assert record is not None and record.session is not None
    return record


async def advise_a_with_review(user: User) -> None:
    """An MKB owner's employee A, actively learning (phase 3), advised; a review in two weeks."""
    await user.send("/start")
    for option in ("mkb", "geen", "nee", "ja", "ok"):
        await user.choose(option)
    while not advice_shown(user):  # the advice begins with its titles
        await user.choose("ja")
    await user.choose_anywhere("herinner")
    await user.choose("w2")


async def advised_with_check_in(bot: BotProcess, user: User) -> datetime:
    """Employee A advised, a check-in in two weeks chosen; returns when it is due.

    Waits until that turn's outbox is marked delivered, so a restart has nothing else to send.
    """
    await advise_a_with_review(user)
    key = str(user.chat_id)
    await bot.wait_for(
        lambda: (r := SessionStore(bot.data_dir).load(key)) and r.delivery and r.delivery.delivered,
        what="the outbox marked delivered",
    )
    due = stored(bot, key).next_checkin()
    assert due is not None
    return due


def check_ins(user: User) -> list[str]:
    """The callback data of the buttons of every check-in message the user got."""
    return [
        ",".join(button["callback_data"] for button in message.buttons())
        for message in user.messages()
        if HEADING in (message.text or "")
    ]


@pytest.mark.slow
async def test_two_employees_a_check_in_moves_one_up_and_team_shows_both(
    bot_api: FakeBotApi, bot: BotProcess
) -> None:
    user = User(bot, 401)
    await advise_a_with_review(user)
    await user.choose_anywhere("ander")
    for option in ("ja", "nee", "ok", "ja"):  # employee B: applies (phase 4); answers reused
        await user.choose(option)
    assert advice_shown(user)
    record = SessionStore(bot.data_dir).load("401")
    assert record is not None and record.session is not None
    assert [slot.letter for slot in record.session.slots] == ["A", "B"]
    due = record.next_checkin()
    assert due is not None

    # The advice is marked delivered just after it went out: a kill before that mark would
    # send it again at the start (the outbox), which is not what this test is about.
    await bot.wait_for(
        lambda: (
            (r := SessionStore(bot.data_dir).load("401")) is not None
            and r.delivery is not None
            and r.delivery.delivered
        ),
        what="the advice marked delivered",
    )
    # Weeks later (for the check-in clock only): a restart, and the check-in arrives once.
    bot.kill()
    bot.env[TEST_CLOCK_ENV] = clock_offset(due)
    await bot.start()
    heading = "Hoe gaat het met medewerker A?"
    await bot.wait_for(
        lambda: any(heading in (m.text or "") for m in user.messages()), what="check-in"
    )
    assert user.options() == ["gedaan", "bezig", "nognie"]
    await user.choose("gedaan")
    await user.choose("bezig")
    await user.choose("verder")  # moved up: the advice for the new phase comes at once
    await user.choose_anywhere("herinner")  # a new review date is in its menu
    assert user.options() == ["w2", "w4", "w8", "geen", "_terug"]
    assert sum(heading in (m.text or "") for m in user.messages()) == 1

    before = len(user.messages())
    await user.send("/team")
    # The list is the team picture's caption (one message), or a text before it when too long.
    listing = await bot.wait_for(
        lambda: next(
            (
                text
                for m in user.messages()[before:]
                if (text := m.text or m.caption) and "Medewerker A" in text
            ),
            None,
        ),
        what="the team's list",
    )
    # Both with their phase (A moved up to 4; B was found in 4), and what helps them both.
    assert "Medewerker A: fase 4" in listing and "Medewerker B: fase 4" in listing
    assert load_bundle().dialog.team.helps_most in listing
    stored = SessionStore(bot.data_dir).load("401")
    assert stored is not None and stored.session is not None
    a, b = stored.session.slots
    assert [look.phase for look in a.assessments] == ["actie", "toepassen"]
    assert b.phase == "toepassen"
    await bot.wait_for(
        lambda: any(m.kind == "photo" for m in user.messages()[before:]), what="team picture"
    )
    assert bot_api.rejections == [] and bot_api.unanswered_callbacks() == []


@pytest.mark.slow
async def test_a_kill_before_telegram_took_the_check_in_sends_it_once_after_restart(
    bot_api: FakeBotApi, bot: BotProcess
) -> None:
    user = User(bot, 411)
    due = await advised_with_check_in(bot, user)
    bot.kill()
    sends = len(bot_api.method_calls("sendMessage"))
    bot_api.delay_next("sendMessage", SLOW, lost_if_gone=True)
    bot.env[TEST_CLOCK_ENV] = clock_offset(due)
    await bot.start()
    await bot.wait_for(
        lambda: len(bot_api.method_calls("sendMessage")) > sends, what="the check-in's send"
    )
    assert HEADING in bot_api.method_calls("sendMessage")[sends]["text"]
    # Started and saved with its outbox before the send: the review date is used up.
    record = stored(bot, "411")
    assert record.next_checkin() is None and record.delivery is not None
    assert not record.delivery.delivered
    bot.kill()  # mid-send: the connection breaks before Telegram took the message
    await bot_api.wait_for(lambda: bot_api.lost, what="the send lost with the process")
    assert check_ins(user) == []

    await bot.start()  # the start-up sweep sends the saved check-in; no tick starts another
    await bot.wait_for(lambda: check_ins(user), what="the check-in after the restart")
    assert user.options() == ["gedaan", "bezig", "nognie"]
    for option in ("gedaan", "bezig", "verder"):
        await user.choose(option)
    assert len(check_ins(user)) == 1, "the check-in arrived exactly once"
    session = stored(bot, "411").session
    assert session is not None
    assert [look.phase for look in session.slots[0].assessments] == ["actie", "toepassen"]
    assert bot_api.rejections == []  # a clear made again is a repeat, kept apart
    assert bot_api.unanswered_callbacks() == []


@pytest.mark.slow
async def test_a_kill_after_telegram_took_the_check_in_repeats_that_message_at_most(
    bot_api: FakeBotApi, bot: BotProcess
) -> None:
    """The one case no bot can tell apart: Telegram took the message, its answer never came.

    The promise: the check-in is started once and never lost; its message may then come once
    more, the same message with the same buttons (either copy answers it, once), never a second
    check-in.
    """
    texts = load_bundle().telegram
    user = User(bot, 412)
    due = await advised_with_check_in(bot, user)
    bot.kill()
    bot_api.answer_late_next("sendMessage", LATE)
    bot.env[TEST_CLOCK_ENV] = clock_offset(due)
    await bot.start()
    await bot.wait_for(lambda: check_ins(user), what="the check-in, taken by Telegram")
    bot.kill()  # before Telegram's answer reached the bot
    record = stored(bot, "412")
    assert record.delivery is not None and not record.delivery.delivered

    await bot.start()
    await bot.wait_for(lambda: len(check_ins(user)) == 2, what="the check-in sent again")
    first, again = check_ins(user)
    assert first == again, "the same message with the same buttons, not a new check-in"
    copies = [m for m in user.messages() if HEADING in (m.text or "")]
    await user.choose("gedaan")  # on the newest copy
    older = next(b for b in copies[0].buttons() if b["callback_data"].endswith(":gedaan"))
    newest = user.messages()[-1].message_id
    assert await user.tap_raw(copies[0].message_id, older["callback_data"]) == texts.expired
    await user.reply_after(newest)  # the question of now, shown again below the toast
    await user.choose("bezig")
    await user.choose("verder")
    assert len(check_ins(user)) == 2, "no third copy, no second check-in"
    session = stored(bot, "412").session
    assert session is not None and session.next_review() is None
    a = session.slots[0]
    assert [look.phase for look in a.assessments] == ["actie", "toepassen"]
    assert [step.status for step in a.steps] == ["open"] * len(a.steps)  # the new advice's
    assert bot_api.rejections == []  # a clear made again is a repeat, kept apart
    assert bot_api.unanswered_callbacks() == []
