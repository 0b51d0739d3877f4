"""The bot's Bot API calls wait their turn before httpx, so httpcore's pool never queues them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from conftest import FAKE_TOKEN
from telegram.request import HTTPXRequest

from bot.settings import load_settings
from bot.telegram.app import CONNECTION_POOL, POOL_TIMEOUT, build_application
from bot.telegram.bounded import BoundedRequest
from dialogs import Engine


class _Inside:
    """Stands in for httpx: counts the calls inside it and holds each until released."""

    def __init__(self) -> None:
        self.now = 0
        self.most = 0
        self.entered: list[str] = []
        self.release = asyncio.Event()

    async def __call__(self, url: str, method: str, *args: object) -> tuple[int, bytes]:
        """Installed on the class as a bound method: called without the request object."""
        self.now += 1
        self.most = max(self.most, self.now)
        self.entered.append(url)
        try:
            await self.release.wait()
        finally:
            self.now -= 1
        return 200, b"{}"


async def _calls(inside: _Inside, connections: int, calls: int) -> list[tuple[int, bytes]]:
    request = BoundedRequest(connections, POOL_TIMEOUT)
    tasks = [asyncio.create_task(request.do_request(f"u{index}", "POST")) for index in range(calls)]
    # Every call gets many turns of the loop: time to reach httpx, or to slip past the bound.
    for _ in range(10 * calls):
        await asyncio.sleep(0)
    assert inside.now == min(connections, calls)
    inside.release.set()
    return await asyncio.gather(*tasks)


@pytest.mark.parametrize("connections", [1, 3, CONNECTION_POOL])
def test_no_more_calls_reach_httpx_than_there_are_connections(
    monkeypatch: pytest.MonkeyPatch, connections: int
) -> None:
    inside = _Inside()
    monkeypatch.setattr(HTTPXRequest, "do_request", inside.__call__)
    answers = asyncio.run(_calls(inside, connections, 25))
    assert answers == [(200, b"{}")] * 25  # every call got its answer back
    assert inside.most == connections
    assert inside.entered == [f"u{index}" for index in range(25)]  # in the order they came


def test_a_failed_call_gives_its_turn_back(monkeypatch: pytest.MonkeyPatch) -> None:
    async def failing(*args: object) -> tuple[int, bytes]:
        raise OSError("connection reset")

    async def run() -> None:
        request = BoundedRequest(1, POOL_TIMEOUT)
        monkeypatch.setattr(HTTPXRequest, "do_request", failing)
        for _ in range(3):
            with pytest.raises(OSError):
                await request.do_request("u", "POST")
        inside = _Inside()
        inside.release.set()
        monkeypatch.setattr(HTTPXRequest, "do_request", inside.__call__)
        assert await request.do_request("u", "POST") == (200, b"{}")

    asyncio.run(run())


def test_the_bot_sends_through_the_bound_and_polls_beside_it(tmp_path: Path) -> None:
    settings = load_settings(_env_file=None, telegram_bot_token=FAKE_TOKEN, bot_data_dir=tmp_path)
    app = build_application(settings, Engine.load())
    sending = app.bot.request
    assert isinstance(sending, BoundedRequest)
    assert sending.connections == CONNECTION_POOL
    # The long poll holds its own connection for up to its timeout: never one of the sends'.
    assert not isinstance(app.bot._request[0], BoundedRequest)
