"""End to end over HTTP: the real bot process, two employees, a check-in weeks later, /team.

The process's check-in clock is moved on with the test-only setting
BOT_TEST_ONLY_CLOCK_OFFSET_DAYS (see bot/scheduler.py); BOT_CHECKIN_POLL_SECONDS makes it look
every second. Everything else in the process runs on the real clock.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fake_bot_api.harness import BotProcess, User
from fake_bot_api.server import FakeBotApi

from bot.persistence import SessionStore
from bot.persistence.records import utc_now
from bot.scheduler import TEST_CLOCK_ENV


async def test_two_employees_a_check_in_moves_one_up_and_team_shows_both(
    bot_api: FakeBotApi, tmp_path: Path
) -> None:
    bot = BotProcess(bot_api, tmp_path, BOT_CHECKIN_POLL_SECONDS="1")
    await bot.start()
    try:
        user = User(bot, 401)
        await user.send("/start")
        for option in ("mkb", "nee", "ja", "ok"):  # employee A: actively learning (phase 3)
            await user.choose(option)
        while "klaar" not in user.options():
            await user.choose("ja")
        await user.choose("herinner")
        await user.choose("w2")
        await user.choose("ander")
        for option in ("ja", "nee", "ok", "ja"):  # employee B: applies (phase 4); answers reused
            await user.choose(option)
        assert "klaar" in user.options()
        record = SessionStore(bot.data_dir).load("401")
        assert record is not None and record.session is not None
        assert [slot.letter for slot in record.session.slots] == ["A", "B"]
        due = record.next_checkin()
        assert due is not None

        # Weeks later (for the check-in clock only): a restart, and the check-in arrives once.
        bot.kill()
        offset = (due + timedelta(minutes=5) - utc_now()) / timedelta(days=1)
        bot.env[TEST_CLOCK_ENV] = repr(offset)
        await bot.start()
        heading = "Hoe gaat het met medewerker A?"
        await bot.wait_for(
            lambda: any(heading in (m.text or "") for m in user.messages()), what="check-in"
        )
        assert user.options() == ["gedaan", "bezig", "nognie"]
        await user.choose("gedaan")
        await user.choose("bezig")
        await user.choose("verder")  # moved up: the advice for the new phase comes at once
        assert "herinner" in user.options()  # a new review date is one tap away
        assert sum(heading in (m.text or "") for m in user.messages()) == 1

        before = len(user.messages())
        await user.send("/team")
        new = user.messages()[before:]
        listing = next(m.text for m in new if m.text and "Medewerker A" in m.text)
        assert "Medewerker B" in listing
        stored = SessionStore(bot.data_dir).load("401")
        assert stored is not None and stored.session is not None
        a, b = stored.session.slots
        assert [look.phase for look in a.assessments] == ["actie", "toepassen"]
        assert b.phase == "toepassen"
        await bot.wait_for(
            lambda: any(m.kind == "photo" for m in user.messages()[before:]), what="team picture"
        )
        assert bot_api.rejections == [] and bot_api.unanswered_callbacks() == []
    finally:
        await bot.stop()
