"""Retrying Bot API calls the way Telegram asks: honour flood control, back off on network trouble.

Why here and not in PTB: PTB raises and leaves the policy to the bot. Flood control (HTTP 429)
tells exactly how long to wait; timeouts and network errors get a short exponential back-off; a bad
request is our bug and is never retried; a user who blocked the bot (403) is reported as
:class:`Blocked` so the caller can mark the chat and stop sending to it.

A send is not idempotent: after a read timeout Telegram may well have delivered the message, and
sending it again shows the user the same question twice. So a call is retried after a network error
only when it is idempotent (an edit, a callback answer, setting the command menu) or when the error
proves the request never reached Telegram (no connection was made, or none was free). Otherwise
:class:`MaybeDelivered` ends the turn; a flood-control wait beyond :data:`MAX_RETRY_AFTER` ends it
as :class:`FloodLimited`. Both are a :class:`GaveUp`: the caller logs it and sends nothing more for
this turn, no apology (which would itself be a send into the same trouble, or a duplicate).
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
import warnings
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.warnings import PTBDeprecationWarning

T = TypeVar("T")
log = logging.getLogger(__name__)

ATTEMPTS = 5
BASE_DELAY = 0.5
MAX_BACKOFF = 8.0
# Waiting longer than this for one message is worse for the user than an apology later.
MAX_RETRY_AFTER = 60.0

# httpx errors raised before a single byte of the request left this machine. PTB wraps them in
# TimedOut/NetworkError with the httpx error as `__cause__`.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class Blocked(Exception):
    """The user blocked the bot (or left Telegram): sending is pointless until they write."""


class GaveUp(Exception):
    """A call failed in a way that must end the turn quietly: no retry, no apology."""


class FloodLimited(GaveUp):
    """Telegram asked to wait longer than :data:`MAX_RETRY_AFTER` before the next call."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"flood control asks to wait {retry_after:.0f} s")
        self.retry_after = retry_after


class MaybeDelivered(GaveUp):
    """A send failed after it may have reached Telegram; repeating it could show it twice."""


def retry_after_seconds(err: RetryAfter) -> float:
    """PTB 22 gives retry_after as int seconds or as timedelta (opt-in); accept both."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: object = err.retry_after
    if isinstance(value, dtm.timedelta):
        return value.total_seconds()
    return float(value)  # type: ignore[arg-type]


def surely_not_sent(err: NetworkError) -> bool:
    """True when the request never reached Telegram, so repeating it cannot duplicate anything."""
    return isinstance(err.__cause__, NOT_SENT)


def not_modified(err: TelegramError) -> bool:
    """Telegram's answer to an edit that changes nothing: the message already looks as wanted."""
    return isinstance(err, BadRequest) and "message is not modified" in err.message.lower()


async def with_retry(
    call: Callable[[], Awaitable[T]],
    *,
    idempotent: bool = False,
    attempts: int = ATTEMPTS,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Run `call` until it succeeds, retrying only what Telegram says may be retried.

    A 429 is honoured once: the limiter has already moved its schedule by `retry_after`, so the
    one retry waits its turn there; a second 429 for the same call is raised, never looped on.
    `idempotent` says that doing the call twice does no harm (an edit, a callback answer): then
    any network error is retried; a send is retried only when it surely did not reach Telegram.
    """
    flooded = False
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except RetryAfter as err:
            delay = retry_after_seconds(err)
            if delay > MAX_RETRY_AFTER:
                raise FloodLimited(delay) from err
            if flooded or attempt == attempts:
                raise
            flooded = True
            log.warning("Flood control: waiting %.0f s (attempt %d)", delay, attempt)
        except Forbidden as err:
            raise Blocked from err
        except (BadRequest, InvalidToken, ChatMigrated, Conflict):
            raise
        except NetworkError as err:  # also TimedOut
            if not idempotent and not surely_not_sent(err):
                raise MaybeDelivered("a send failed after it may have reached Telegram") from err
            if attempt == attempts:
                raise
            delay = min(MAX_BACKOFF, BASE_DELAY * 2 ** (attempt - 1))
            kind = "Timeout" if isinstance(err, TimedOut) else "Network error"
            log.warning("%s at Telegram; retrying in %.1f s", kind, delay)
        await sleep(delay)
    raise AssertionError("unreachable: the loop returns or raises")
