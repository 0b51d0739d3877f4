"""End to end over HTTP: the real bot process, the fake Bot API, simulated users."""

from __future__ import annotations

import asyncio

from fake_bot_api.harness import ROLE_PATHS, BotProcess, User, play_to_advice
from fake_bot_api.server import FakeBotApi

from bot.persistence import SessionStore
from locales import load_bundle


def _store(bot: BotProcess) -> SessionStore:
    return SessionStore(bot.data_dir)


async def test_every_role_reaches_advice_with_users_interleaved(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    users = {role: User(bot_process, 1000 + n) for n, role in enumerate(ROLE_PATHS)}
    for user in users.values():
        await user.send("/start")
    await asyncio.gather(*(play_to_advice(user, role) for role, user in users.items()))

    store = _store(bot_process)
    for role, user in users.items():
        record = store.load(str(user.chat_id))
        assert record is not None and record.session is not None
        session = record.session
        assert session.role == role, "each chat keeps its own role"
        assert session.state == "advies" and session.advised, f"{role} got no advice"
        assert session.phase == "continu"
        photos = [m for m in user.messages() if m.kind == "photo"]
        assert photos and photos[0].file_data.startswith(b"\x89PNG"), "the model picture"
        # Intake taps edit the question in place; a question sent anew (after the picture, the
        # advice) shows the choice under the one before. Only the newest question has buttons.
        answered = [m for m in user.messages() if m.text and "\n\n➜ " in m.text]
        assert answered and all(not m.buttons() for m in answered)
        assert [m for m in user.messages() if m.buttons()] == [user.question()]
        assert any(m.edits >= 3 for m in user.messages()), "intake taps edit in place"
    assert bot_api.rejections == []
    assert bot_api.unanswered_callbacks() == []
    commands = [c["command"] for c in bot_api.commands]
    assert commands == ["start", "help", "opnieuw", "terug", "model", "team", "privacy", "vergeet"]


async def test_action_plan_arrives_as_pdf(bot_api: FakeBotApi, bot_process: BotProcess) -> None:
    user = User(bot_process, 77)
    await user.send("/start")
    await play_to_advice(user, "mkb")
    await user.choose_anywhere("plan")  # the reminder's question first, the plan after it
    documents = await bot_process.wait_for(
        lambda: [m for m in user.messages() if m.kind == "document"], what="the plan"
    )
    assert documents and documents[-1].file_data.startswith(b"%PDF")
    assert documents[-1].file_name and documents[-1].file_name.endswith(".pdf")
    assert bot_api.rejections == []


async def test_deep_link_presets_the_role(bot_process: BotProcess) -> None:
    user = User(bot_process, 78)
    await user.send("/start mkb")
    assert "geen" in user.options(), "the role question is skipped: the kind of work is next"
    record = _store(bot_process).load("78")
    assert record is not None and record.session is not None and record.session.role == "mkb"


async def test_stale_and_forged_buttons_change_nothing(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    user = User(bot_process, 79)
    role_question = await user.send("/start")
    await user.choose("hr")
    await user.choose("geen")  # the kind of work, skipped
    store = _store(bot_process)
    # The turn's outbox is marked delivered just after its replies went out: wait for that mark.
    await bot_process.wait_for(
        lambda: (
            (r := store.load("79")) is not None and r.delivery is not None and r.delivery.delivered
        )
    )
    original = store.load("79")
    expired = load_bundle().telegram.expired
    # An old button: the role question was answered; its buttons are gone but can be replayed.
    newest = user.messages()[-1].message_id
    assert await user.tap_raw(role_question.message_id, "1:dir") == expired
    await user.reply_after(newest)  # the question of now comes again, below the toast
    question = user.question()
    text, buttons = question.text, question.buttons()
    turn = buttons[0]["callback_data"].split(":")[0]
    forged = [f"{turn}:dir", f"{int(turn) + 1}:ja", "999:ja", f"{turn}:!wis"]
    for data in forged:
        newest = user.question().message_id
        assert await user.tap_raw(question.message_id, data) == expired, data
        # The question of now comes again, with buttons that work.
        again = await user.reply_after(newest)
        assert again[-1].text == text and again[-1].buttons() == buttons
        assert [m for m in user.messages() if m.buttons()] == [again[-1]], "one live question"
    for data in ("x" * 64, "ja"):  # not something this bot ever sends: a toast only
        assert await user.tap_raw(question.message_id, data) == expired, data
    # Nothing about the conversation was saved; only which message now carries live buttons.
    after = store.load("79")
    assert after is not None and original is not None
    assert after.session == original.session and after.delivery == original.delivery
    # The real button still works afterwards.
    await user.choose("ja")
    record = store.load("79")
    assert record is not None and record.session is not None
    assert [a.option for a in record.session.history] == ["hr", "geen", "ja"]
    assert bot_api.unanswered_callbacks() == []


async def test_typed_label_back_restart_and_help(bot_process: BotProcess) -> None:
    user = User(bot_process, 80)
    await user.send("/start")
    label = next(b["text"] for b in user.question().buttons() if b["callback_data"].endswith(":hr"))
    await user.send(label.upper())  # typing an option's label counts as choosing it
    store = _store(bot_process)
    record = store.load("80")
    assert record is not None and record.session is not None and record.session.role == "hr"
    await user.choose("geen")
    await user.send("/terug")
    record = store.load("80")
    assert record is not None and record.session is not None
    assert [a.option for a in record.session.history] == ["hr"]
    await user.send("/help")
    await user.send("/opnieuw")  # answers would be lost: the bot asks first
    await user.send("ja")
    record = store.load("80")
    assert record is not None and record.session is not None
    assert record.session.history == [] and "hr" in user.options()
