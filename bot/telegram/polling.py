"""Long polling of our own: an update is confirmed to Telegram only after it has been handled.

Why not PTB's `run_polling`: its updater confirms a batch (the next `getUpdates` offset) before the
handlers have run, so a process killed mid-batch loses taps that Telegram already forgot. Here a
batch is handled first — chats concurrently, each chat's updates in order — and only then is the
next `getUpdates` called with the offset that confirms it. A kill at any moment leaves the batch
unconfirmed; Telegram delivers it again, and the conversation service's redelivery check shows
the user where they are instead of applying a tap twice.

Updates are read as raw JSON and parsed one by one: PTB parses a whole batch at once and raises on
one update it cannot read (and logs the batch, names and texts included, at CRITICAL), which made
the bot ask for the same batch hundreds of times a second. An update that cannot be parsed is
logged once by id and type, confirmed and skipped; everyone else is served.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram import Update
from telegram.error import InvalidToken, TelegramError

from bot.telegram.lifecycle import App, backoff_delays, run_application, stop_on_signals
from bot.telegram.retry import with_retry
from bot.telegram.updates import NotAnUpdate, read_update

log = logging.getLogger(__name__)

BATCH_LIMIT = 100


def chat_of(update: Update) -> int | None:
    """The chat an update belongs to (its order matters only within that chat)."""
    chat = update.effective_chat
    if chat is not None:
        return chat.id
    user = update.effective_user
    return user.id if user is not None else None


def parse(raw: Any, app: App) -> tuple[int | None, Update | None]:
    """(update id, update); the update is None when it cannot be read (logged, then skipped).

    Read as the webhook reads one (`updates.read_update`); without an id it cannot be confirmed.
    """
    try:
        update = read_update(raw, app.bot)
    except NotAnUpdate:
        log.warning("Skipped an update without an update_id")
        return None, None
    return raw["update_id"], update


async def handle_batch(
    updates: Sequence[Update], process: Callable[[Update], Awaitable[None]]
) -> None:
    """Handle a batch: chats concurrently, each chat's updates in the order Telegram sent them."""
    by_chat: dict[int | None, list[Update]] = defaultdict(list)
    for update in updates:
        by_chat[chat_of(update)].append(update)

    async def in_order(chat_updates: list[Update]) -> None:
        for update in chat_updates:
            try:
                await process(update)
            except Exception as err:  # PTB routes handler errors itself; this is a last net
                log.error("Update %d failed (%s)", update.update_id, type(err).__name__)

    await asyncio.gather(*(in_order(chat_updates) for chat_updates in by_chat.values()))


class Poller:
    """Fetch, handle, then confirm; until `stop` is set."""

    def __init__(self, app: App, timeout: int, allowed_updates: Sequence[str]) -> None:
        self._app = app
        self._timeout = timeout
        self._allowed = list(allowed_updates)
        self.offset = 0  # the next update id to ask for; every id below it is handled

    async def fetch(self) -> list[Any]:
        """One long poll; the offset confirms everything handled so far."""
        data: dict[str, Any] = {
            "timeout": self._timeout,
            "limit": BATCH_LIMIT,
            "allowed_updates": self._allowed,
        }
        if self.offset:
            data["offset"] = self.offset
        result = await self._app.bot._post(  # raw JSON: updates are parsed one by one
            "getUpdates", data, read_timeout=self._timeout + 10.0
        )
        return list(result) if isinstance(result, list) else []

    async def run(self, stop: asyncio.Event) -> None:
        wait = backoff_delays()
        while not stop.is_set():
            fetching = asyncio.ensure_future(self.fetch())
            stopping = asyncio.ensure_future(stop.wait())
            await asyncio.wait({fetching, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if not fetching.done():
                fetching.cancel()  # whatever it would bring stays unconfirmed: sent again later
                with contextlib.suppress(asyncio.CancelledError, TelegramError):
                    await fetching
                break
            try:
                batch = fetching.result()
            except InvalidToken:
                raise
            except TelegramError as err:
                delay = wait()
                log.warning("getUpdates failed (%s); retrying in %.0f s", type(err).__name__, delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)
                continue
            wait = backoff_delays()
            await self._handle(batch)

    async def _handle(self, batch: list[Any]) -> None:
        parsed = [parse(raw, self._app) for raw in batch]
        updates = [update for _, update in parsed if update is not None]
        await handle_batch(updates, self._app.process_update)
        ids = [update_id for update_id, _ in parsed if update_id is not None]
        if ids:
            self.offset = max(self.offset, max(ids) + 1)

    async def confirm(self) -> None:
        """Tell Telegram what was handled before stopping, so it is not sent again."""
        if not self.offset:
            return
        with contextlib.suppress(TelegramError):
            await self._app.bot._post(
                "getUpdates", {"offset": self.offset, "limit": 1, "timeout": 0}
            )


async def serve_polling(
    app: App, timeout: int, allowed_updates: Sequence[str], stop: asyncio.Event | None = None
) -> None:
    """Start the application, poll until stopped, confirm what was handled, shut down cleanly."""
    stop = stop_on_signals(stop)
    poller = Poller(app, timeout, allowed_updates)

    async def poll() -> None:
        try:
            await poller.run(stop)
        finally:
            await poller.confirm()

    await run_application(
        app,
        stop,
        poll,
        prepare=lambda: with_retry(lambda: app.bot.delete_webhook(drop_pending_updates=False)),
    )
