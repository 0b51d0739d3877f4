"""/privacy shows a user exactly what is stored about them, and storing nothing stays nothing."""

from __future__ import annotations

from fake_bot_api.harness import BotProcess, User
from fake_bot_api.server import FakeBotApi

from bot.persistence import SessionStore
from dialogs import Engine
from locales import load_bundle


async def test_privacy_shows_the_users_own_record(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    texts = load_bundle().telegram.stored
    user = User(bot_process, 401)

    before = (await user.say("/privacy"))[-1].text or ""
    assert before.endswith(texts.nothing)

    await user.send("/start")
    await user.choose("mkb")
    await user.choose("geen")  # the kind of work, skipped
    await user.choose("ja")
    await user.choose("nee")  # applies it, does not keep choosing: phase 4
    # The stored record, with the question of now again under it (a side command returns to it).
    replies = await user.say("/privacy")
    shown = next(m.text for m in replies if m.text and texts.heading in m.text)

    engine = Engine.load()
    record = SessionStore(bot_process.data_dir).load("401")
    assert record is not None and record.session is not None
    assert texts.role.format(role=engine.role_label("mkb")) in shown
    assert texts.phase.format(phase=engine.knowledge.phase("toepassen").label) in shown
    assert texts.answers.format(count=len(record.session.history)) in shown
    assert len(record.session.history) == 4  # role, kind of work (skipped), two phase answers
    assert bot_api.rejections == []
