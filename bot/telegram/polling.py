"""Long polling of our own: an update is confirmed to Telegram only after it was handled or parked.

Why not PTB's `run_polling`: its updater confirms a batch (the next `getUpdates` offset) before the
handlers have run, so a process killed mid-batch loses taps that Telegram already forgot.

Why per-chat queues and not batch by batch: a chat whose reply waits (a flood-control pause, a slow
edit with its retries) must not hold up everyone else. So fetching never waits for handling: each
update goes to its chat's queue, one worker per chat handles that chat's updates in the order
Telegram sent them, and different chats are handled at the same time.

Why parking: Telegram's offset confirms every update below it, and while an unconfirmed update
waits Telegram answers every `getUpdates` at once with it again. Keeping the offset at the oldest
update in hand therefore meant either a busy loop, a pause after each such call (every tap of every
user waited up to half a second for it), or no call at all while the window of 100 was full of one
waiting chat's updates (everyone else waited for that chat). Instead, the updates in hand are
written to disk (`parking.Parking`) before the next call, and that call's offset is the newest
update plus one: it confirms only what is handled or safely parked, long polling waits for new
updates only, and one call brings each new batch. A kill at any moment loses nothing: what Telegram
forgot is parked, and a restarted bot replays it, in order, before anything newer; an update that
was handled just before the kill may come again, and the conversation service's redelivery check
makes it harmless. When the disk refuses to park, the offset stays at the oldest update in hand
(Telegram keeps it), and a call that brings only updates already in hand is followed by a short
pause, so the poller does not spin.

Memory is bounded: at most `max_in_hand` updates are fetched and not yet handled (the call's `limit`
keeps to it), and while that many are in hand no call is made at all.

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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from telegram import Bot, Update
from telegram.error import InvalidToken, TelegramError

from bot.telegram.lifecycle import (
    BACKOFF_START,
    App,
    backoff_delays,
    run_application,
    stop_on_signals,
)
from bot.telegram.parking import PARKED_DIR, Parking
from bot.telegram.retry import with_retry
from bot.telegram.updates import NotAnUpdate, read_update

log = logging.getLogger(__name__)

# Telegram's largest `limit`.
MAX_BATCH = 100
# The most updates fetched and not yet handled: the memory bound (a few KB each).
MAX_IN_HAND = 1000
# Only when the disk refuses to park: the pause after a call that brought only updates in hand.
STALLED_PAUSE = 0.5
# On SIGTERM, how long updates already being handled may take to finish before they are cut off
# (they stay parked, or with Telegram, and come again after the restart). Docker kills after 10 s.
STOP_GRACE = 5.0

Process = Callable[[Update], Awaitable[object]]
T = TypeVar("T")


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
    """Fetch into per-chat queues, park what is still in hand, handle each chat in order."""

    def __init__(
        self,
        bot: Bot,
        process: Process,
        timeout: int,
        allowed_updates: Sequence[str],
        parking: Parking,
        *,
        max_in_hand: int = MAX_IN_HAND,
        retry_start: float = BACKOFF_START,
        stop_grace: float = STOP_GRACE,
    ) -> None:
        if max_in_hand < 1:
            raise ValueError("max_in_hand must be at least 1")
        self._bot = bot
        self._process = process
        self._timeout = timeout
        self._allowed = list(allowed_updates)
        self._parking = parking
        self._max_in_hand = max_in_hand
        self._retry_start = retry_start
        self._stop_grace = stop_grace
        self._newest = -1  # the highest update id Telegram sent so far
        self._in_hand: set[int] = set()  # fetched (and readable) or replayed, not yet handled
        self._unparked: dict[int, Any] = {}  # in hand and not on disk: raw JSON, to park it
        self._replayed: set[int] = set()  # parked by an earlier run: known if Telegram resends
        self._park_failed = False
        self._queues: dict[int | None, deque[Update]] = {}
        self._workers: dict[int | None, asyncio.Task[None]] = {}
        self._progress = asyncio.Event()  # set whenever an update was handled
        self._stopping = False
        # Parking's own thread: in the shared default pool a park waited behind the chats' saves
        # and picture renders, and with it the next getUpdates (up to a second at 50 users).
        self._disk = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parking")

    @property
    def offset(self) -> int:
        """The next `getUpdates` offset: every id below it is handled or parked (0: none yet)."""
        if self._unparked:
            return min(self._unparked)
        return self._newest + 1 if self._newest >= 0 else 0

    @property
    def pending(self) -> int:
        """How many updates are fetched (or replayed) and not yet handled."""
        return len(self._in_hand)

    async def fetch(self, limit: int = MAX_BATCH) -> list[Any]:
        """One long poll; the offset confirms everything below it (all handled or parked)."""
        data: dict[str, Any] = {
            "timeout": self._timeout,
            "limit": limit,
            "allowed_updates": self._allowed,
        }
        if self.offset:
            data["offset"] = self.offset
        result = await self._bot._post(  # raw JSON: updates are parsed one by one
            "getUpdates", data, read_timeout=self._timeout + 10.0
        )
        return list(result) if isinstance(result, list) else []

    async def run(self, stop: asyncio.Event) -> None:
        """Replay what an earlier run parked, then poll until `stop` is set; then let the updates
        being handled finish (within a grace)."""
        try:
            await self._replay()
            await self._poll(stop)
        finally:
            await self._wind_down()
            self._disk.shutdown(wait=False)

    async def _replay(self) -> None:
        """Hand on the updates an earlier run parked, oldest first, before anything newer: they
        were confirmed to Telegram, so this is their only way to be handled."""
        try:
            raws = await self._on_disk(self._parking.load)
        except OSError as err:  # parking will fail too: Telegram keeps what is in hand then
            log.error("Parked updates cannot be read (%s)", type(err).__name__)
            return
        for raw in raws:
            update_id, update = parse(raw, self._bot)
            if update_id is None:
                continue
            self._replayed.add(update_id)
            if update is None:
                self._parking.handled(update_id)
            else:
                self._take(update_id, update)
        if raws:
            log.info("Replaying %d updates parked before the restart", len(raws))

    async def _poll(self, stop: asyncio.Event) -> None:
        """Park, fetch, queue; again. Sleeps only on failures, never while updates are in hand."""
        wait = backoff_delays(self._retry_start)
        while not stop.is_set():
            await self._park()
            room = self._max_in_hand - len(self._in_hand)
            if room <= 0:
                # The memory bound: take nothing more until an update was handled.
                self._progress.clear()
                await _first(self._progress.wait(), stop.wait())
                continue
            self._progress.clear()
            try:
                batch = await self._fetch_unless_stopped(stop, min(MAX_BATCH, room))
            except InvalidToken:
                raise
            except TelegramError as err:
                delay = wait()
                log.warning("getUpdates failed (%s); retrying in %g s", type(err).__name__, delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)
                continue
            if batch is None:
                break
            wait = backoff_delays(self._retry_start)
            if batch and not self._accept(batch) and self._unparked:
                # Parking failed, so Telegram sent back only what is in hand: pause, unless an
                # update is handled first (the offset can then move).
                await _first(self._progress.wait(), stop.wait(), timeout=STALLED_PAUSE)

    async def _fetch_unless_stopped(self, stop: asyncio.Event, limit: int) -> list[Any] | None:
        """One call, cut short by `stop` (then None: what it would bring stays with Telegram)."""
        fetching = asyncio.ensure_future(self.fetch(limit))
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait({fetching, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if fetching.done():
            return fetching.result()
        fetching.cancel()
        with contextlib.suppress(asyncio.CancelledError, TelegramError):
            await fetching
        return None

    async def _park(self) -> None:
        """Put the updates in hand that are not on disk yet there, so the next offset may pass them.

        Written in a thread while their chats are already being handled: parking delays the next
        call by one small durable write, never an answer. Updates handled during the write need
        no replay, so the file is registered with the others only.
        """
        waiting = dict(self._unparked)
        if not waiting:
            return
        try:
            name = await self._on_disk(self._parking.write, list(waiting.values()))
        except OSError as err:
            if not self._park_failed:
                log.error(
                    "Updates in hand could not be parked (%s); Telegram keeps them meanwhile",
                    type(err).__name__,
                )
            self._park_failed = True
            return
        if self._park_failed:
            log.info("Updates in hand are parked again")
            self._park_failed = False
        for update_id in waiting:
            self._unparked.pop(update_id, None)
        self._parking.register(name, [i for i in waiting if i in self._in_hand])

    async def _on_disk(self, work: Callable[..., T], *args: Any) -> T:
        """Run blocking file work in the parking's own thread."""
        return await asyncio.get_running_loop().run_in_executor(self._disk, work, *args)

    def _accept(self, batch: list[Any]) -> int:
        """Queue the updates not seen before; returns how many there were."""
        fresh = 0
        for raw in batch:
            known = raw_id(raw)
            if known is not None and (known <= self._newest or known in self._replayed):
                self._newest = max(self._newest, known)  # in hand, handled, or parked
                continue
            update_id, update = parse(raw, self._bot)
            if update_id is None:
                continue
            fresh += 1
            self._newest = max(self._newest, update_id)
            if update is not None:  # else unreadable: logged; confirmed with the next call
                self._unparked[update_id] = raw
                self._take(update_id, update)
        return fresh

    def _take(self, update_id: int, update: Update) -> None:
        """In hand: into its chat's queue, with a worker for the chat when it has none."""
        self._in_hand.add(update_id)
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
                self._handled(update.update_id)
        finally:
            del self._workers[chat]
            if not queue:
                del self._queues[chat]

    def _handled(self, update_id: int) -> None:
        """Out of hand: nothing to park for it, its parked copy may go, and the poller may go on."""
        self._in_hand.discard(update_id)
        self._unparked.pop(update_id, None)
        self._parking.handled(update_id)
        self._progress.set()

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
                "Stopped while %d chats' updates were being handled; they come again after a start",
                len(late),
            )

    async def confirm(self) -> None:
        """Tell Telegram what was handled or parked before stopping, so it is not sent again."""
        if not self.offset:
            return
        with contextlib.suppress(TelegramError):
            await self._bot._post("getUpdates", {"offset": self.offset, "limit": 1, "timeout": 0})


def parking_of(app: App) -> Parking:
    """The parking of the application's data directory (`app.bot_data[PARKED_DIR]`)."""
    directory = app.bot_data.get(PARKED_DIR)
    if not isinstance(directory, Path):
        raise ValueError(f"the application has no bot_data[{PARKED_DIR!r}] directory")
    return Parking(directory)


async def serve_polling(
    app: App, timeout: int, allowed_updates: Sequence[str], stop: asyncio.Event | None = None
) -> None:
    """Start the application, poll until stopped, confirm what was handled, shut down cleanly."""
    stop = stop_on_signals(stop)
    poller = Poller(app.bot, app.process_update, timeout, allowed_updates, parking_of(app))

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
