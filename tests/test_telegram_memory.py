"""Memory per user: handling many distinct users leaves no per-user structure in the process.

A soak showed the bot's memory growing with every new user. tracemalloc snapshots of the real
Application and handlers (in-process, against the fake server) found the cause in PTB: two sets of
chat and user ids "to be updated in persistence" that only a persistence ever empties, and this bot
has none. These tests check the structures, not the RSS, so they cannot flake on timing.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from conftest import FAKE_TOKEN
from fake_bot_api.server import BOT_USERNAME, FakeBotApi
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, MessageHandler, filters

from bot.settings import load_settings
from bot.telegram.app import build_application
from dialogs import Engine

USERS = 40
PTB_SETS = ("_chat_ids_to_be_updated_in_persistence", "_user_ids_to_be_updated_in_persistence")


def _updates(api: FakeBotApi, first_chat: int) -> list[dict[str, Any]]:
    """Distinct users: some start a conversation, some only ask, some write in their own group."""
    updates = []
    for n in range(USERS):
        chat = first_chat + n
        text = "/start" if n % 2 else "/privacy"
        updates.append(api.send_text(chat, text))
        updates.append(api.send_text(-chat, f"hoi @{BOT_USERNAME}", user_id=chat))
    return updates


async def _process(app: Application, updates: Iterable[dict[str, Any]]) -> None:  # type: ignore[type-arg]
    for data in updates:
        update = Update.de_json(data, app.bot)
        await app.process_update(update)


def _per_user_sizes(app: Application) -> dict[str, int]:  # type: ignore[type-arg]
    sizes = {name: len(getattr(app, name)) for name in PTB_SETS}
    sizes["chat_data"] = len(app.chat_data)
    sizes["user_data"] = len(app.user_data)
    return sizes


async def _ignore(update: object, context: object) -> None:
    return None


async def test_plain_ptb_remembers_every_user_without_a_persistence(bot_api: FakeBotApi) -> None:
    """The control: what the bot's Application avoids (and what a PTB upgrade may change)."""
    app = ApplicationBuilder().token(FAKE_TOKEN).base_url(f"{bot_api.url}/bot").build()
    app.add_handler(MessageHandler(filters.ALL, _ignore))
    async with app:
        await _process(app, _updates(bot_api, 810_000))
        assert all(hasattr(app, name) for name in PTB_SETS), "PTB renamed what we rely on"
        sizes = _per_user_sizes(app)
    assert sizes[PTB_SETS[0]] == 2 * USERS and sizes[PTB_SETS[1]] == USERS


async def test_the_bots_application_keeps_nothing_per_user(
    bot_api: FakeBotApi, tmp_path: Path
) -> None:
    settings = load_settings(
        _env_file=None,
        telegram_bot_token=FAKE_TOKEN,
        telegram_api_url=bot_api.url,
        bot_data_dir=tmp_path,
    )
    app = build_application(settings, Engine.load())
    async with app:
        await _process(app, _updates(bot_api, 820_000))
        sizes = _per_user_sizes(app)
    assert sizes == {PTB_SETS[0]: 0, PTB_SETS[1]: 0, "chat_data": 0, "user_data": 0}
    assert len(bot_api.chat(820_001)) > 0 and len(bot_api.chat(-820_001)) == 1, "all handled"
    assert bot_api.rejections == []
