"""The flood limiter: slots per chat and overall, 429s move the schedule, idle chats are swept."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_bot_api.harness import BotProcess, User
from fake_bot_api.server import COUNTED_METHODS, FakeBotApi, FloodControl
from telegram.error import RetryAfter

from bot.telegram.limits import (
    CHAT_INTERVAL,
    GLOBAL_PER_SECOND,
    GROUP_INTERVAL,
    SWEEP_AT,
    TEST_PACE_ENV,
    FloodLimiter,
    pace_from_env,
)
from bot.telegram.retry import FloodLimited


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_one_chat_is_spaced_a_second_apart_and_others_are_not_held_up() -> None:
    limiter = FloodLimiter(chat_interval=1.0, clock=Clock())
    assert limiter.chat_wait(1) == 0
    assert limiter.chat_wait(1) == pytest.approx(1.0)
    assert limiter.chat_wait(1) == pytest.approx(2.0)
    assert limiter.chat_wait(2) == 0  # another chat has its own pace


def test_the_overall_pace_holds_for_many_chats() -> None:
    clock = Clock()
    limiter = FloodLimiter(per_second=30, clock=clock)
    waits = [limiter.global_wait() for _ in range(60)]
    assert waits[-1] == pytest.approx(59 / 30)
    # Sixty sends over two seconds: never more than thirty in any one second.
    slots = [clock.now + wait for wait in waits]
    assert all(
        later - earlier >= 1.0 - 1e-9 for earlier, later in zip(slots, slots[30:], strict=False)
    )


def test_groups_get_the_slower_pace() -> None:
    limiter = FloodLimiter(group_interval=3.0, clock=Clock())
    limiter.chat_wait(-100)
    assert limiter.chat_wait(-100) == pytest.approx(3.0)


def test_a_late_send_pushes_the_chat_s_next_slot() -> None:
    clock = Clock()
    limiter = FloodLimiter(chat_interval=1.0, clock=clock)
    limiter.chat_wait(5)
    clock.now += 0.5  # held up by the overall pace
    limiter.sent(5)
    assert limiter.chat_wait(5) == pytest.approx(1.0)


def test_a_429_moves_the_chat_back() -> None:
    limiter = FloodLimiter(clock=Clock())
    limiter.postpone(7, 5.0)
    assert limiter.chat_wait(7) == pytest.approx(5.0)
    limiter.postpone(None, 2.0)
    assert limiter.global_wait() == pytest.approx(2.0)


def test_idle_chats_are_swept_so_the_map_stays_bounded() -> None:
    clock = Clock()
    limiter = FloodLimiter(clock=clock)
    for chat in range(SWEEP_AT):
        limiter.chat_wait(chat)
    assert limiter.tracked_chats == SWEEP_AT
    clock.now += 10
    limiter.chat_wait(SWEEP_AT + 1)  # over the mark: the idle chats are dropped
    assert limiter.tracked_chats == 1


async def test_process_request_waits_calls_and_reports_a_429() -> None:
    clock = Clock()
    limiter = FloodLimiter(clock=clock)
    calls: list[str] = []

    async def ok() -> bool:
        calls.append("ok")
        return True

    async def flooded() -> bool:
        raise RetryAfter(4)

    assert await limiter.process_request(ok, (), {}, "answerCallbackQuery", {}, None) is True
    with pytest.raises(RetryAfter):
        await limiter.process_request(flooded, (), {}, "sendMessage", {"chat_id": 9}, None)
    assert limiter.chat_wait(9) >= 4.0 - 1e-9
    assert calls == ["ok"]


async def test_a_slot_beyond_the_longest_wait_is_refused_at_once() -> None:
    limiter = FloodLimiter(clock=Clock())
    limiter.postpone(9, 3600)
    calls: list[str] = []

    async def send() -> bool:
        calls.append("sent")
        return True

    with pytest.raises(FloodLimited):
        await limiter.process_request(send, (), {}, "sendMessage", {"chat_id": 9}, None)
    assert calls == []


@pytest.mark.parametrize(
    ("value", "pace"),
    [("", 1.0), ("1", 1.0), ("0.01", 0.01), ("0", 1.0), ("-1", 1.0), ("2", 1.0), ("nan", 1.0)],
)
def test_the_test_only_pace_is_a_factor_in_0_to_1_or_ignored(
    monkeypatch: pytest.MonkeyPatch, value: str, pace: float
) -> None:
    monkeypatch.setenv(TEST_PACE_ENV, value)
    assert pace_from_env() == pace


def test_a_paced_limiter_keeps_every_interval_at_that_fraction() -> None:
    limiter = FloodLimiter.paced(0.01, clock=Clock())
    assert limiter.chat_wait(1) == 0
    assert limiter.chat_wait(1) == pytest.approx(CHAT_INTERVAL * 0.01)
    limiter.chat_wait(-100)
    assert limiter.chat_wait(-100) == pytest.approx(GROUP_INTERVAL * 0.01)
    waits = [limiter.global_wait() for _ in range(3)]
    assert waits[-1] == pytest.approx(2 / (GLOBAL_PER_SECOND / 0.01))
    assert FloodLimiter.paced(1.0).chat_wait(1) == 0


@pytest.mark.slow
async def test_at_telegrams_pace_the_bot_draws_no_429_from_telegrams_limits(
    bot_api: FakeBotApi, tmp_path: Path
) -> None:
    """The other end-to-end tests run the limiter faster; this one keeps Telegram's own pace
    against the server's flood control (one counted call a second per chat)."""
    bot_api.set_flood_control(FloodControl())
    bot = BotProcess(bot_api, tmp_path, **{TEST_PACE_ENV: "1"})
    await bot.start()
    try:
        user = User(bot, 601)
        await user.send("/start")
        for option in ("lijn", "geen", "ja", "ja"):
            await user.choose(option)
        assert bot_api.flood_refusals == [] and bot_api.rejections == []
        counted = [m for m, p in bot_api.calls if m in COUNTED_METHODS and p.get("chat_id") == 601]
        # The start's two messages, then one edit per tap, each within a second of the last.
        assert len(counted) >= 5, counted
    finally:
        await bot.stop()
