"""Telegram's side of a webhook: POST every queued update to the bot until it answers 200.

Why: in webhook mode nothing polls the fake server, so a test plays Telegram. Like Telegram, it
forgets an update only after a 200 and sends it again after anything else (a refused connection
while the bot is down, a reset when it is killed mid-request, an error status). A chat's updates go
one at a time, in order; different chats are delivered concurrently.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import aiohttp

from fake_bot_api.server import FakeBotApi

RETRY_PAUSE = 0.2  # after a failed delivery, as Telegram waits before trying again
POLL_PAUSE = 0.02
REQUEST_TIMEOUT = 60.0  # generous: only a hung bot reaches it, and the update is then resent


def chat_of(update: dict[str, Any]) -> int | None:
    for kind in ("message", "edited_message"):
        if kind in update:
            return int(update[kind]["chat"]["id"])
    if "callback_query" in update:
        return int(update["callback_query"]["message"]["chat"]["id"])
    return None


class WebhookSender:
    """Delivers the fake server's queued updates to `url` with the secret token header."""

    def __init__(self, api: FakeBotApi, url: str, secret: str, header: str) -> None:
        self.api = api
        self.url = url
        self.headers = {header: secret}
        self.attempts = 0
        self.failures = 0  # deliveries that got no 200: each was sent again
        self._busy: dict[int | None, asyncio.Task[None]] = {}

    def idle(self) -> bool:
        """Nothing queued and nothing on its way."""
        return not self.api.queued() and not self._busy

    async def run(self, stop: asyncio.Event) -> None:
        timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            try:
                while not stop.is_set():
                    for update in self.api.queued():
                        chat = chat_of(update)
                        if chat in self._busy:
                            continue  # this chat's earlier update is still on its way
                        task = asyncio.create_task(self._deliver(http, update))
                        self._busy[chat] = task
                        task.add_done_callback(functools.partial(self._done, chat))
                    await asyncio.sleep(POLL_PAUSE)
            finally:
                for task in list(self._busy.values()):
                    task.cancel()
                await asyncio.gather(*self._busy.values(), return_exceptions=True)

    def _done(self, chat: int | None, task: asyncio.Task[None]) -> None:
        self._busy.pop(chat, None)

    async def _deliver(self, http: aiohttp.ClientSession, update: dict[str, Any]) -> None:
        if "callback_query" in update:  # now the bot may answer it, as after getUpdates
            self.api.callback_queries[update["callback_query"]["id"]].delivered = True
        self.attempts += 1
        try:
            async with http.post(self.url, json=update, headers=self.headers) as response:
                if response.status == 200:
                    self.api.acknowledge(update["update_id"])
                    return
        except (aiohttp.ClientError, TimeoutError):
            pass
        self.failures += 1
        await asyncio.sleep(RETRY_PAUSE)
