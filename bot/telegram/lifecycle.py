"""The frame around serving updates, shared by polling and webhook: start, serve, stop, shut down.

Why one frame: both modes must bring the application up and down in the same order, whatever
fails in between — initialise (retrying while the Bot API is unreachable), the start-up hook,
start; then, after serving, stop, the stop hook and shut down — and both stop on SIGTERM/SIGINT.
Each mode only says how it serves (`serve`) and what it prepares first (`prepare`).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application

log = logging.getLogger(__name__)

# How long to wait before trying again after the API failed: doubling, capped.
BACKOFF_START = 1.0
BACKOFF_MAX = 60.0

App: TypeAlias = Application[Any, Any, Any, Any, Any, Any]


def backoff_delays(start: float = BACKOFF_START, cap: float = BACKOFF_MAX) -> Callable[[], float]:
    """A function giving the next wait: start, double, ..., cap; reset by making a new one."""
    delay = start / 2

    def following() -> float:
        nonlocal delay
        delay = min(cap, delay * 2)
        return delay

    return following


async def initialize_with_retry(app: App, stop: asyncio.Event) -> bool:
    """`app.initialize()` (getMe) until it works; say at once when the API is unreachable.

    Returns False when `stop` was set while waiting. A refused token is final and raised.
    """
    wait = backoff_delays()
    while not stop.is_set():
        try:
            await app.initialize()
            return True
        except InvalidToken:
            raise
        except NetworkError as err:
            delay = wait()
            log.warning(
                "Bot API unreachable at start-up (%s); retrying in %.0f s, doubling up to %.0f s",
                type(err).__name__,
                delay,
                BACKOFF_MAX,
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
    return False


def settle_long_lived() -> None:
    """Take what start-up built out of the cyclic garbage collector's sight, before serving.

    Why: the knowledge model, the dialog's tables, the texts and the Telegram library are some
    75,000 objects that live as long as the process. Every full collection walked them all, 35 ms
    in which no update moved on: the slowest taps of a busy bot (issue 24). Start-up's own
    garbage is collected first; `gc.freeze` then puts the survivors in a permanent generation.
    What the bot makes later is collected as before, and freed by reference counts as always.
    """
    gc.collect()
    gc.freeze()


def stop_on_signals(stop: asyncio.Event | None = None) -> asyncio.Event:
    """`stop` (a new event when None), set by SIGTERM and SIGINT (Docker stop, Ctrl-C).

    A caller that passes its own event (a test) stops the bot itself: no handler is installed.
    """
    if stop is not None:
        return stop
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    return stop


async def run_application(
    app: App,
    stop: asyncio.Event,
    serve: Callable[[], Awaitable[None]],
    prepare: Callable[[], Awaitable[object]] | None = None,
) -> None:
    """Bring `app` up, `serve()` until it returns, and bring it down again in PTB's order.

    `prepare` runs after initialising and before the start-up hook (e.g. polling deletes a
    webhook). Nothing runs when `stop` is set before the Bot API could be reached.
    """
    if not await initialize_with_retry(app, stop):
        return
    try:
        if prepare is not None:
            await prepare()
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        settle_long_lived()
        try:
            await serve()
        finally:
            await app.stop()
            if app.post_stop is not None:
                await app.post_stop(app)
    finally:
        await app.shutdown()
