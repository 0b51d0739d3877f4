"""Typing and tapping against the real bot over HTTP (fake Bot API): what a phone would show.

The typed conversations and the typed-answer table of tests/test_dialog_typing.py, now through
Telegram for three roles: typed answers take the buttons off the question they answer, a refusal
is one line and the question, two close options are asked back with two buttons, and an intake
tap costs one counted Telegram call (the question edited in place) besides answering the callback.
"""

from __future__ import annotations

import pytest
from dialog_helpers import ROLE_PATH, choose, drive
from fake_bot_api.harness import BotProcess, User, option_id
from fake_bot_api.server import BotMessage, FakeBotApi
from test_dialog_typing import TABLE, TYPED_REST, TYPED_ROLE, TYPO_REST, TYPO_ROLE

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
ROLES = ["mkb", "lijn", "zzp"]


def _counted(api: FakeBotApi, chat_id: int, since: int) -> list[str]:
    return [
        method
        for method, params in api.calls[since:]
        if method in COUNTED and str(params.get("chat_id")) == str(chat_id)
    ]


def _only_the_newest_has_buttons(user: User) -> None:
    live = [message for message in user.messages() if message.buttons()]
    assert live == [user.question()], "no earlier message keeps buttons"


async def _type(user: User, text: str) -> BotMessage:
    """Type `text`; the answer is the newest message, with buttons (a question or an ask-back)."""
    reply = await user.send(text)
    _only_the_newest_has_buttons(user)
    return reply


def _advice_of(role: str) -> list[str]:
    tapped = drive(*ROLE_PATH[role], "ja", "ja", "ok")
    while tapped.state == "check":
        choose(tapped, "ja")
    return tapped.advised


@pytest.mark.parametrize("with_typos", [False, True], ids=["mixed", "typos"])
@pytest.mark.parametrize("role", ROLES)
async def test_a_typed_conversation_over_http(
    role: str, with_typos: bool, bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    user = User(bot_process, 600 + 10 * ROLES.index(role) + with_typos)
    await user.send("/start")
    answers = [*TYPO_ROLE[role], *TYPO_REST] if with_typos else [*TYPED_ROLE[role], *TYPED_REST]
    for text in answers:
        if "i1" in user.options():  # the advice's first page: its titles
            break
        await _type(user, text)
    assert "i1" in user.options()
    record = SessionStore(bot_process.data_dir).load(str(user.chat_id))
    assert record is not None and record.session is not None
    assert record.session.role == role and record.session.advised == _advice_of(role)
    assert bot_api.rejections == []


def _table_for(state: str) -> list[tuple[str, str | None]]:
    """The table's answers at `state` that leave the step as it is: refused or asked back."""
    return [
        (text, meant)
        for where, text, meant in TABLE
        if where == state and meant in (None, "?") and text.strip()
    ]


@pytest.mark.parametrize("role", ROLES)
async def test_the_answers_of_the_table_that_change_nothing_over_http(
    role: str, bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    """Every refused or asked-back answer of the table at the steps of a whole conversation."""
    texts = load_bundle().dialog
    user = User(bot_process, 700 + ROLES.index(role))
    await user.send("/start")
    path = [*ROLE_PATH[role], "ja", "ja", "ok", "ja", "ja", "ja"]
    states = ["rol", *(["rol_anders"] if len(ROLE_PATH[role]) > 1 else [])]
    states += ["s_toepassen", "s_continu", "uitslag", "check", "check", "check"]
    tried = 0
    for state, option in zip(states, path, strict=True):
        offered = user.options()
        for text, meant in _table_for(state):
            reply = await _type(user, text)
            tried += 1
            if meant is None:  # one line, then the question with the same buttons
                line, rest = (reply.text or "").split("\n\n", 1)
                assert line == texts.free_text and "\n\n" not in rest, text
                assert [option_id(b) for b in reply.buttons()] == offered, text
            else:  # which of two: two buttons, both answers of this step
                assert reply.text and reply.text.startswith(texts.ask_which.split("{")[0]), text
                assert len(reply.buttons()) == 2, text
        await user.choose(option) if option in user.options() else await _type(user, option)
    assert "i1" in user.options()
    for text, meant in _table_for("advies"):
        reply = await _type(user, text)
        tried += 1
        assert len(reply.buttons()) == (2 if meant == "?" else len(user.question().buttons()))
    assert tried >= 10
    assert bot_api.rejections == [] and bot_api.unanswered_callbacks() == []


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
    question = user.question().text or ""
    assert question.startswith("✓ Leidinggevende of teamleider · Nee · Nee · Ja\nStap 5 van ")
    await user.choose("ok")  # the result confirmed: the picture comes as a message of its own
    assert any(message.kind == "photo" for message in user.messages())
    _only_the_newest_has_buttons(user)
    while True:
        since = len(bot_api.calls)
        await user.choose("wn")
        if "i1" in user.options():
            break
        assert _counted(bot_api, 650, since) == ["editMessageText"], "a check question"
    _only_the_newest_has_buttons(user)
    assert "check dit" in (user.question().text or ""), "not knowing is worth a check"
    assert bot_api.rejections == [] and bot_api.unanswered_callbacks() == []


async def test_side_commands_and_a_wipe_over_http(bot_process: BotProcess) -> None:
    user = User(bot_process, 660)
    await user.send("/start")
    await user.choose("hr")
    question = (user.question().text or "").split("\n")[-1]
    options = user.options()
    for command in ("/help", "/privacy", "/model", "/vergeet"):
        reply = await user.send(command)
        _only_the_newest_has_buttons(user)
        if command == "/vergeet":  # cancelled: nothing is erased and the question comes back
            await user.tap_label(load_bundle().telegram.forget.cancel, replies=1)
            await user.bot.wait_for(lambda: user.options() == options, what="the question")
            reply = user.question()
        assert (reply.text or "").endswith(question), command
        assert user.options() == options, command
        _only_the_newest_has_buttons(user)
    asked = await user.send("/start mkb")  # a deep link mid-conversation asks first
    assert asked.text == load_bundle().dialog.restart.question
    assert user.options() == ["ja", "nee"]
    await user.send("nee")
    record = SessionStore(bot_process.data_dir).load("660")
    assert record is not None and record.session is not None and record.session.role == "hr"
    _only_the_newest_has_buttons(user)
    await user.send("/opnieuw")
    await user.choose("ja")
    record = SessionStore(bot_process.data_dir).load("660")
    assert record is not None and record.session is not None and record.session.history == []
    assert "lijn" in user.options()
    _only_the_newest_has_buttons(user)


async def test_thanks_after_done_is_answered_kindly(bot_process: BotProcess) -> None:
    user = User(bot_process, 670)
    await user.send("/start")
    for option in ["dir", "ja", "ja", "ok", "ja", "ja", "ja"]:
        await user.choose(option)
    await user.choose_anywhere("klaar")
    reply = await _type(user, "bedankt!")
    texts = load_bundle().dialog
    assert (reply.text or "").startswith(texts.small_talk.thanks_reply)
    assert texts.free_text not in (reply.text or "")
    assert user.options() == ["ander", "opnieuw", "_terug"]
