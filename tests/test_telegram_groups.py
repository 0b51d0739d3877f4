"""Groups: the bot answers only what names it, once per group per hour, and stores nothing there."""

from __future__ import annotations

from conftest import FAKE_TOKEN
from fake_bot_api.harness import BotProcess
from fake_bot_api.server import BOT_USERNAME, FakeBotApi
from telegram import Bot, Message

from bot.persistence import SessionStore
from bot.telegram.groups import NoticeGate, addressed_to
from locales import load_bundle


async def test_a_busy_group_hears_from_the_bot_once_and_only_when_named(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    busy, named, mentioned = -6001, -6002, -6003
    for n in range(40):
        bot_api.send_text(busy, f"Wie neemt er koffie mee? ({n})")
    for text in ("/start", "/help", "/start@een_andere_bot", "mail me op a@example.nl"):
        bot_api.send_text(busy, text)
    for kind in ("photo", "sticker", "voice", "document"):
        bot_api.send_media(busy, kind)
    sent = bot_api.send_text(busy, "/opnieuw")
    bot_api.edit_text(busy, sent["message"]["message_id"], f"/opnieuw@{BOT_USERNAME}")
    bot_api.send_text(named, f"/start@{BOT_USERNAME}")
    bot_api.send_text(named, f"/help@{BOT_USERNAME}")
    bot_api.send_text(named, f"Wat vind jij, @{BOT_USERNAME}?")
    bot_api.send_text(mentioned, f"@{BOT_USERNAME.upper()} hallo")
    # Every update fetched and confirmed, then a clean stop: PTB finishes all it fetched.
    await bot_process.wait_for(bot_process.all_handled, what="updates handled")
    assert await bot_process.stop() == 0

    notice = load_bundle().telegram.group.format(bot_link=f": https://t.me/{BOT_USERNAME}")
    assert bot_api.chat(busy) == [], "nothing there named the bot: no answer"
    assert [m.text for m in bot_api.chat(named)] == [notice], "three addressed: one notice"
    assert [m.text for m in bot_api.chat(mentioned)] == [notice]
    store = SessionStore(bot_process.data_dir)
    assert not any(store.path_for(str(chat)).exists() for chat in (busy, named, mentioned))
    assert bot_api.rejections == []


async def test_addressed_to_reads_commands_and_mentions_by_entity(bot_api: FakeBotApi) -> None:
    async with Bot(FAKE_TOKEN, base_url=f"{bot_api.url}/bot") as bot:

        def message(text: str) -> Message:
            data = bot_api.send_text(-6100, text)["message"]
            parsed = Message.de_json(data, bot)
            assert parsed is not None
            return parsed

        assert addressed_to(message(f"/start@{BOT_USERNAME}"), BOT_USERNAME)
        assert addressed_to(message(f"😀 dag @{BOT_USERNAME}"), BOT_USERNAME)  # UTF-16 offsets
        assert not addressed_to(message("/start"), BOT_USERNAME)
        assert not addressed_to(message(f"/start@{BOT_USERNAME}x"), BOT_USERNAME)
        assert not addressed_to(message(f"schrijf naar info@{BOT_USERNAME}"), BOT_USERNAME)
        assert not addressed_to(message("gewoon een zin"), BOT_USERNAME)


def test_the_notice_gate_is_hourly_per_group_and_bounded() -> None:
    now = [0.0]
    gate = NoticeGate(interval=3600, capacity=3, clock=lambda: now[0])
    assert gate.allow(-1) and not gate.allow(-1)
    now[0] = 3599
    assert not gate.allow(-1) and gate.allow(-2)
    now[0] = 3600
    assert gate.allow(-1), "an hour later the group may hear it again"
    for chat in range(-100, -1100, -1):
        gate.allow(chat)
    assert len(gate) == 3, "a thousand groups within the hour: still only three remembered"
    now[0] = 10_000
    gate.allow(-7)
    assert len(gate) == 1, "expired groups are forgotten"
