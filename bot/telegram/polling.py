"""Long polling of our own: an update is confirmed to Telegram only after it has been handled.

Why not PTB's `run_polling`: its updater confirms a batch (the next `getUpdates` offset) before the
handlers have run, so a process killed mid-batch loses taps that Telegram already forgot.

Why per-chat queues and not batch by batch: a chat whose reply waits (a flood-control pause, a slow
edit with its retries) must not hold up everyone else. So fetching never waits for handling: each
update goes to its chat's queue, one worker per chat handles that chat's updates in the order
Telegram sent them, and different chats are handled at the same time. Telegram's offset confirms
every update below it, so the offset sent is the lowest id not yet handled: a kill at any moment
leaves every unhandled update with Telegram, which delivers it again; updates handled after it come
again too, and the conversation service's redelivery check makes them harmless.

Telegram answers `getUpdates` from the offset on, so while one update waits the same updates come
back with every call. They are recognised by id and skipped; a call that brought nothing new is
followed by a short pause (Telegram answers at once while any update is unconfirmed, so long polling
would otherwise spin). Memory is bounded: at most `max_pending` updates are fetched and not yet
confirmed (the call's `limit`), and while that many are held no call is made at all.

Updates are read as raw JSON and parsed one by one: PTB parses a whole batch at once and raises on
one update it cannot read (and logs the batch, names and texts included, at CRITICAL), which made
the bot ask for the same batch hundreds of times a second. An update that cannot be parsed is
logged once by id and type, confirmed and skipped; everyone else is served.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram import Bot, Update
from telegram.error import InvalidToken, TelegramError

from bot.telegram.lifecycle import (
    BACKOFF_START,
    App,
    backoff_delays,
    run_application,
    stop_on_signals,
)
from bot.telegram.retry import with_retry
from bot.telegram.updates import NotAnUpdate, read_update

log = logging.getLogger(__name__)

# Telegram's largest `limit`; also the most updates held fetched and not yet confirmed.
MAX_PENDING = 100
# The pause after a call that brought only updates already being handled (see the module's text).
STALLED_PAUSE = 0.5
# On SIGTERM, how long updates already being handled may take to finish before they are cut off
# (they stay unconfirmed and come again after the restart). Docker kills after 10 s.
STOP_GRACE = 5.0

Process = Callable[[Update], Awaitable[object]]


def chat_of(update: Update) -> int | None:
    """The chat an update belongs to (its order matters only within that chat)."""
    chat = update.effective_chat
    if chat is not None:
        return chat.id
    user = update.effective_user
    return user.id if user is not None else None


def parse(raw: Any, bot: Bot) -> tuple[int | None, Update | None]:
    """(update id, update); the update is None when it cannot be read (logged, then skipped).

    Read as the webhook reads one (`updates.read_update`); without an id it cannot be confirmed.
    """
    try:
        update = read_update(raw, bot)
    except NotAnUpdate:
        log.warning("Skipped an update without an update_id")
        return None, None
    return raw["update_id"], update


def raw_id(raw: Any) -> int | None:
    """The id of a raw update, None when it has none (so it is certainly not one we know)."""
    value = raw.get("update_id") if isinstance(raw, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


async def _first(*waits: Awaitable[object], timeout: float | None = None) -> None:
    """Wait until the first of `waits` is done (or `timeout` passed); cancel the others."""
    tasks = [asyncio.ensure_future(wait) for wait in waits]
    try:
        await asyncio.wait(tasks, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class Poller:
    """Fetch into per-chat queues, handle each chat in order, confirm what was handled."""

    def __init__(
        self,
        bot: Bot,
        process: Process,
        timeout: int,
        allowed_updates: Sequence[str],
        *,
        max_pending: int = MAX_PENDING,
        retry_start: float = BACKOFF_START,
        stop_grace: float = STOP_GRACE,
    ) -> None:
        if not 1 <= max_pending <= MAX_PENDING:
            raise ValueError(f"max_pending must be between 1 and {MAX_PENDING}")
        self._bot = bot
        self._process = process
        self._timeout = timeout
        self._allowed = list(allowed_updates)
        self._max_pending = max_pending
        self._retry_start = retry_start
        self._stop_grace = stop_grace
        self._newest = -1  # the highest update id fetched so far
        self._unhandled: set[int] = set()  # fetched (and readable), not yet handled
        self._held: set[int] = set()  # fetched, not yet confirmed: at most `max_pending`
        self._queues: dict[int | None, deque[Update]] = {}
        self._workers: dict[int | None, asyncio.Task[None]] = {}
        self._progress = asyncio.Event()  # set whenever an update was handled
        self._stopping = False

    @property
    def offset(self) -> int:
        """The next `getUpdates` offset: every id below it is handled (0: nothing fetched yet)."""
        if self._unhandled:
            return min(self._unhandled)
        return self._newest + 1 if self._newest >= 0 else 0

    @property
    def pending(self) -> int:
        """How many updates are fetched and not yet handled."""
        return len(self._unhandled)

    async def fetch(self) -> list[Any]:
        """One long poll; the offset confirms everything below the oldest unhandled update."""
        data: dict[str, Any] = {
            "timeout": self._timeout,
            "limit": self._max_pending,
            "allowed_updates": self._allowed,
        }
        if self.offset:
            data["offset"] = self.offset
        result = await self._bot._post(  # raw JSON: updates are parsed one by one
            "getUpdates", data, read_timeout=self._timeout + 10.0
        )
        return list(result) if isinstance(result, list) else []

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set; then let the updates being handled finish (within a grace)."""
        try:
            await self._poll(stop)
        finally:
            await self._wind_down()

    async def _poll(self, stop: asyncio.Event) -> None:
        wait = backoff_delays(self._retry_start)
        while not stop.is_set():
            if len(self._held) >= self._max_pending:
                # A call could only bring back what is held: wait until the offset can move.
                self._progress.clear()
                await _first(self._progress.wait(), stop.wait())
                continue
            self._progress.clear()
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
                log.warning("getUpdates failed (%s); retrying in %g s", type(err).__name__, delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)
                continue
            wait = backoff_delays(self._retry_start)
            if batch and not self._accept(batch):
                # Only updates already held came back: pause, unless one was handled meanwhile.
                await _first(self._progress.wait(), stop.wait(), timeout=STALLED_PAUSE)

    def _accept(self, batch: list[Any]) -> int:
        """Queue the updates not seen before; returns how many there were."""
        fresh = 0
        for raw in batch:
            known = raw_id(raw)
            if known is not None and known <= self._newest:
                continue  # being handled, or handled and not yet confirmed
            update_id, update = parse(raw, self._bot)
            if update_id is None:
                continue
            fresh += 1
            self._newest = update_id
            if update is None:  # unreadable: logged; confirmed with the next call
                self._confirmable()
                continue
            self._unhandled.add(update_id)
            self._held.add(update_id)
            self._enqueue(update)
        return fresh

    def _enqueue(self, update: Update) -> None:
        chat = chat_of(update)
        self._queues.setdefault(chat, deque()).append(update)
        if chat not in self._workers:
            self._workers[chat] = asyncio.create_task(self._work(chat))

    async def _work(self, chat: int | None) -> None:
        """Handle one chat's updates in order until its queue is empty (or the bot stops)."""
        queue = self._queues[chat]
        try:
            while queue and not self._stopping:
                update = queue[0]
                try:
                    await self._process(update)
                except Exception as err:  # PTB routes handler errors itself; this is a last net
                    log.error("Update %d failed (%s)", update.update_id, type(err).__name__)
                queue.popleft()
                self._unhandled.discard(update.update_id)
                self._confirmable()
                self._progress.set()
        finally:
            del self._workers[chat]
            if not queue:
                del self._queues[chat]

    def _confirmable(self) -> None:
        """Forget the held ids the next call confirms (everything below the offset)."""
        offset = self.offset
        self._held = {update_id for update_id in self._held if update_id >= offset}

    async def _wind_down(self) -> None:
        """Take no more queued updates; give those in hand a grace period, then cut them off."""
        self._stopping = True
        workers = list(self._workers.values())
        if not workers:
            return
        _, late = await asyncio.wait(workers, timeout=self._stop_grace)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
        if late:
            log.warning(
                "Stopped while %d chats' updates were being handled; Telegram sends them again",
                len(late),
            )

    async def confirm(self) -> None:
        """Tell Telegram what was handled before stopping, so it is not sent again."""
        if not self.offset:
            return
        with contextlib.suppress(TelegramError):
            await self._bot._post("getUpdates", {"offset": self.offset, "limit": 1, "timeout": 0})


async def serve_polling(
    app: App, timeout: int, allowed_updates: Sequence[str], stop: asyncio.Event | None = None
) -> None:
    """Start the application, poll until stopped, confirm what was handled, shut down cleanly."""
    stop = stop_on_signals(stop)
    poller = Poller(app.bot, app.process_update, timeout, allowed_updates)

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
