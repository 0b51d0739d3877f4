"""Shared fixtures: the fake Telegram Bot API server on 127.0.0.1 and a fake (well-formed) token."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fake_bot_api.server import FakeBotApi

FAKE_TOKEN = "123456789:AAFakeTokenForTests_0123456789abcdefXYZ"


@pytest.fixture
async def bot_api() -> AsyncIterator[FakeBotApi]:
    api = FakeBotApi(token=FAKE_TOKEN)
    await api.start()
    try:
        yield api
    finally:
        await api.stop()
