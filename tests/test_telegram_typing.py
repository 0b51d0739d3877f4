"""Typing and tapping against the real bot over HTTP (fake Bot API): what a phone would show.

The same typed conversations as tests/test_dialog_typing.py, now through Telegram: typed answers
take the buttons off the question they answer, and an intake tap costs one counted Telegram call
(the question edited in place) besides answering the callback.
"""

from __future__ import annotations

import pytest
from dialog_helpers import ROLE_PATH, choose, drive
from fake_bot_api.harness import BotProcess, User
from fake_bot_api.server import FakeBotApi
from test_dialog_typing import TYPED_REST, TYPED_ROLE

from bot.persistence import SessionStore
from locales import load_bundle

# The calls that put something on the user's screen (answerCallbackQuery is not counted).
COUNTED = {
    "sendMessage",
    "editMessageText",
    "editMessageReplyMarkup",
    "sendPhoto",
    "sendDocument",
    "deleteMessage",
}


def _counted(api: FakeBotApi, chat_id: int, since: int) -> list[str]:
    return [
        method
        for method, params in api.calls[since:]
        if method in COUNTED and str(params.get("chat_id")) == str(chat_id)
    ]


def _only_the_newest_has_buttons(user: User) -> None:
    live = [message for message in user.messages() if message.buttons()]
    assert live == [user.question()], "no earlier message keeps buttons"


@pytest.mark.parametrize("role", ["mkb", "lijn", "zzp"])
async def test_a_typed_conversation_over_http(
    role: str, bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    user = User(bot_process, 600 + sorted(ROLE_PATH).index(role))
    await user.send("/start")
    for text in [*TYPED_ROLE[role], *TYPED_REST]:
        if "plan" in user.options():  # the advice menu
            break
        await user.send(text)
        _only_the_newest_has_buttons(user)
    assert "plan" in user.options()
    record = SessionStore(bot_process.data_dir).load(str(user.chat_id))
    assert record is not None and record.session is not None
    tapped = drive(*ROLE_PATH[role], "ja", "ja", "ok")
    while tapped.state == "check":
        choose(tapped, "ja")
    assert record.session.role == role and record.session.advised == tapped.advised
    assert bot_api.rejections == []


async def test_an_intake_tap_costs_one_counted_call(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    user = User(bot_process, 650)
    await user.send("/start")
    taps = ["lijn", "nee", "nee", "_terug", "nee", "ja"]  # role, staging, back, to the result
    for option in taps:
        since = len(bot_api.calls)
        await user.choose(option)
        assert _counted(bot_api, 650, since) == ["editMessageText"], option
        _only_the_newest_has_buttons(user)
    assert user.question().text and user.question().text.startswith("✓ Leidinggevende")
    await user.choose("ok")  # the result confirmed: the picture comes as a message of its own
    assert any(message.kind == "photo" for message in user.messages())
    _only_the_newest_has_buttons(user)
    while True:
        since = len(bot_api.calls)
        await user.choose("nee")
        if "plan" in user.options():
            break
        assert _counted(bot_api, 650, since) == ["editMessageText"], "a check question"
    _only_the_newest_has_buttons(user)
    assert bot_api.rejections == [] and bot_api.unanswered_callbacks() == []


async def test_side_commands_and_a_wipe_over_http(bot_process: BotProcess) -> None:
    user = User(bot_process, 660)
    await user.send("/start")
    await user.choose("hr")
    question = user.question().text
    for command in ("/help", "/privacy", "/model"):
        await user.send(command)
        assert user.question().text and user.question().text.endswith(question.split("\n")[-1])
        _only_the_newest_has_buttons(user)
    asked = await user.send("/start mkb")  # a deep link mid-conversation asks first
    assert asked.text == load_bundle().dialog.restart.question
    await user.send("nee")
    record = SessionStore(bot_process.data_dir).load("660")
    assert record is not None and record.session is not None and record.session.role == "hr"
    _only_the_newest_has_buttons(user)
