"""Webhook mode: the secret token is checked on every request; an update is handled (and saved)
before Telegram is told 200."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import aiohttp
import pytest
from conftest import FAKE_TOKEN
from fake_bot_api.harness import free_port
from fake_bot_api.server import FakeBotApi

from bot.persistence import SessionStore
from bot.settings import Mode, Settings, load_settings
from bot.telegram.webhook import SECRET_HEADER, serve
from dialogs import Engine

SECRET = "webhook_secret-123"


def webhook_settings(bot_api: FakeBotApi, tmp_path: Path, path: str) -> tuple[Settings, str]:
    """Webhook mode behind https://bot.example.nl`path`, listening on a free local port; the
    settings and the local URL that the proxy would forward to."""
    port = free_port()
    settings = load_settings(
        _env_file=None,
        telegram_bot_token=FAKE_TOKEN,
        telegram_api_url=bot_api.url,
        bot_data_dir=tmp_path,
        bot_mode=Mode.WEBHOOK,
        bot_webhook_url=f"https://bot.example.nl{path}",
        bot_webhook_secret=SECRET,
        bot_webhook_listen="127.0.0.1",
        bot_webhook_port=port,
    )
    return settings, f"http://127.0.0.1:{port}{path}"


async def test_webhook_checks_the_secret_and_answers_after_handling(
    bot_api: FakeBotApi, tmp_path: Path
) -> None:
    settings, hook = webhook_settings(bot_api, tmp_path, "/telegram/hook")
    stop = asyncio.Event()
    server = asyncio.create_task(serve(settings, Engine.load(), stop))
    try:
        await bot_api.wait_for(lambda: bot_api.webhook is not None, what="setWebhook")
        assert bot_api.webhook is not None
        assert bot_api.webhook["url"] == "https://bot.example.nl/telegram/hook"
        assert bot_api.webhook["secret_token"] == SECRET
        update = bot_api.send_text(61, "/start")  # built like Telegram's; we deliver it ourselves
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {SECRET_HEADER: "wrong"}):
                async with http.post(hook, json=update, headers=headers) as response:
                    assert response.status == 403
            assert bot_api.chat(61) == [] and not SessionStore(tmp_path).path_for("61").exists()
            async with http.post(hook, json=update, headers={SECRET_HEADER: SECRET}) as response:
                assert response.status == 200
            # Acknowledged only after the session was saved and the reply sent.
            record = SessionStore(tmp_path).load("61")
            assert record is not None and record.last_update_id == update["update_id"]
            assert bot_api.last_with_buttons(61) is not None
            sent = len(bot_api.chat(61))
            # Telegram redelivers an update it got no 200 for: not redone, and its replies went
            # out already, so nothing is sent twice.
            async with http.post(hook, json=update, headers={SECRET_HEADER: SECRET}) as response:
                assert response.status == 200
            again = SessionStore(tmp_path).load("61")
            assert again is not None and again.session == record.session
            assert len(bot_api.chat(61)) == sent
            async with http.post(hook, data=b"{", headers={SECRET_HEADER: SECRET}) as response:
                assert response.status == 400
    finally:
        stop.set()
        await server
    assert bot_api.rejections == []


async def test_malformed_bodies_get_400_and_an_unreadable_update_is_dropped_once(
    bot_api: FakeBotApi, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings, hook = webhook_settings(bot_api, tmp_path, "/hook")
    stop = asyncio.Event()
    server = asyncio.create_task(serve(settings, Engine.load(), stop))
    headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    malformed = [
        b"null",
        b"[]",
        b'"x"',
        b"42",
        b"true",
        b"{",
        b"\xff\xfe{}",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a": ' * 50_000 + b"1" + b"}" * 50_000,
        b"{}",
        b'{"message": {"text": "hallo"}}',
        b'{"update_id": "12"}',
        b'{"update_id": -1}',
        b'{"update_id": true}',
        b'{"update_id": [1]}',
    ]
    poison = bot_api.send_text(62, "Wie stemt er mee, Wilhelmina?")
    del poison["message"]["text"]
    # A poll as PTB 22 cannot read it (without `allows_revoting`): a real update, unreadable here.
    poison["message"]["poll"] = {
        "id": "p1",
        "question": "Wie stemt er mee, Wilhelmina?",
        "options": [{"text": "Ik, Gerrit Hoogeveen", "voter_count": 0}],
        "total_voter_count": 0,
        "is_closed": False,
        "is_anonymous": True,
        "type": "regular",
        "allows_multiple_answers": False,
    }
    poison["message"]["from"]["first_name"] = "Wilhelmina"
    try:
        await bot_api.wait_for(lambda: bot_api.webhook is not None, what="setWebhook")
        async with aiohttp.ClientSession() as http:
            for body in malformed:
                async with http.post(hook, data=body, headers=headers) as response:
                    assert response.status == 400, body[:40]
            with caplog.at_level(logging.WARNING):
                async with http.post(hook, json=poison, headers=headers) as response:
                    assert response.status == 200, "acknowledged, so Telegram stops resending it"
            after = bot_api.send_text(62, "/start")
            async with http.post(hook, json=after, headers=headers) as response:
                assert response.status == 200
        assert bot_api.last_with_buttons(62) is not None, "the next update is handled as usual"
    finally:
        stop.set()
        await server
    dropped = [r for r in caplog.records if "dropped" in r.getMessage()]
    assert len(dropped) == 1
    assert f"Update {poison['update_id']} (message) dropped" in dropped[0].getMessage()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for private in ("Wilhelmina", "Gerrit", "Hoogeveen", "Wie stemt"):
        assert private not in logged
    assert bot_api.rejections == []
