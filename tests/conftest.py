"""Shared fixtures: the fake Telegram Bot API server on 127.0.0.1, a fake (well-formed) token,
a data directory that can be made read-only, and the flood limiter's test pace."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from fake_bot_api.harness import FAST_PACE, BotProcess, running
from fake_bot_api.server import FakeBotApi
from storage_helpers import ReadOnlyDir

from bot.telegram.limits import TEST_PACE_ENV

FAKE_TOKEN = "123456789:AAFakeTokenForTests_0123456789abcdefXYZ"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked slow first, the rest in their usual order.

    pytest-xdist hands tests to its workers in this order; with the long ones first they run side
    by side while the short ones fill the gaps, instead of one worker running a long test alone
    at the end while the others wait (that tail cost `make test` about 18 s).
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(autouse=True)
def fast_flood_pace(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bots built in the test process keep a hundredth of Telegram's pace, as the bot processes of
    the harness do: a test that wants Telegram's own pace sets the variable to "1" itself."""
    monkeypatch.setenv(TEST_PACE_ENV, FAST_PACE)


@pytest.fixture
async def bot_api() -> AsyncIterator[FakeBotApi]:
    api = FakeBotApi(token=FAKE_TOKEN)
    await api.start()
    try:
        yield api
    finally:
        await api.stop()


@pytest.fixture
async def bot_process(bot_api: FakeBotApi, tmp_path: Path) -> AsyncIterator[BotProcess]:
    """The real bot (`python -m bot`) polling the fake server; stopped (or killed) afterwards."""
    async with running(BotProcess(bot_api, tmp_path)) as process:
        yield process


@pytest.fixture
def read_only() -> Iterator[ReadOnlyDir]:
    """A directory that `locked()` makes read-only (see storage_helpers); removed afterwards."""
    directory = ReadOnlyDir()
    try:
        yield directory
    finally:
        directory.remove()
