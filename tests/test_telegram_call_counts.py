"""Counted calls per step, over whole conversations of every role (issue 24 part 2).

Telegram lets a bot send about one message a second into one chat: every counted call of a step
beyond the first is about a second the user waits for that step to finish. So no step may make
more than three, and a whole conversation from /start to the plan no more than fifteen. Counted
here from what reached the fake Bot API (its COUNTED_METHODS), per step: from the user's input
until its turn is marked delivered in the store.

The fifteen count the conversation's own steps; turning to the advice's second page, where the
plan's button is, is one edit more and is checked apart (since the kind-of-work question of
issue 20, HR without line managers needs sixteen with that page turn).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

import pytest
from fake_bot_api.harness import MORE, ROLE_PATHS, BotProcess, User, advice_shown
from fake_bot_api.server import COUNTED_METHODS, FakeBotApi

from bot.persistence import SessionStore

MOST_PER_STEP = 3
MOST_TO_PLAN = 15


def _counted(api: FakeBotApi, chat_id: int) -> int:
    return sum(
        1
        for method, params in api.calls
        if method in COUNTED_METHODS and str(params.get("chat_id")) == str(chat_id)
    )


async def _step(bot: BotProcess, user: User, act: Callable[[], Awaitable[object]]) -> int:
    """Run one user input to the end of its turn; returns the counted calls it made."""
    store = SessionStore(bot.data_dir)
    before = _counted(bot.api, user.chat_id)
    await act()

    def delivered() -> bool:
        record = store.load(str(user.chat_id))
        return record is not None and record.delivery is not None and record.delivery.delivered

    await bot.wait_for(delivered, what="the turn delivered")
    await bot.wait_for(bot.all_handled, what="the update handled")
    return _counted(bot.api, user.chat_id) - before


async def _to_plan(bot: BotProcess, user: User, role: str) -> list[tuple[str, int]]:
    steps = [("/start", await _step(bot, user, lambda: user.send("/start")))]
    for option in [*ROLE_PATHS[role], "ja", "ja", "ok"]:
        steps.append((option, await _step(bot, user, partial(user.choose, option))))
    while not advice_shown(user):
        steps.append(("ja", await _step(bot, user, lambda: user.choose("ja"))))
    while "plan" not in user.options():  # the plan's button on a later page of the advice
        steps.append((MORE, await _step(bot, user, lambda: user.choose(MORE))))
    steps.append(("plan", await _step(bot, user, lambda: user.choose("plan"))))
    return steps


@pytest.mark.slow
async def test_every_role_reaches_the_plan_in_few_counted_calls(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    for number, role in enumerate(ROLE_PATHS):
        user = User(bot_process, 2400 + number)
        steps = await _to_plan(bot_process, user, role)
        worst = max(count for _, count in steps)
        total = sum(count for option, count in steps if option != MORE)
        assert worst <= MOST_PER_STEP, f"{role}: {steps}"
        assert total <= MOST_TO_PLAN, f"{role}: {total} counted calls: {steps}"
        assert all(count == 1 for option, count in steps if option == MORE), "a page: one edit"
        kinds = [m.kind for m in user.messages()]
        assert "photo" in kinds and "document" in kinds, f"{role}: the picture and the plan"
        assert [m for m in user.messages() if m.buttons()] == [user.question()]
    assert bot_api.rejections == []
    assert bot_api.unanswered_callbacks() == []
