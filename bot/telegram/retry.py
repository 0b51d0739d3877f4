"""Retrying Bot API calls the way Telegram asks: honour flood control, back off on network trouble.

Why here and not in PTB: PTB raises and leaves the policy to the bot. Flood control (HTTP 429)
tells exactly how long to wait; timeouts and network errors get a short exponential back-off; a bad
request is our bug and is never retried; a user who blocked the bot (403) is reported as
:class:`Blocked` so the caller can mark the chat and stop sending to it.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
import warnings
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
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


class Blocked(Exception):
    """The user blocked the bot (or left Telegram): sending is pointless until they write."""


def retry_after_seconds(err: RetryAfter) -> float:
    """PTB 22 gives retry_after as int seconds or as timedelta (opt-in); accept both."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: object = err.retry_after
    if isinstance(value, dtm.timedelta):
        return value.total_seconds()
    return float(value)  # type: ignore[arg-type]


async def with_retry(
    call: Callable[[], Awaitable[T]],
    *,
    attempts: int = ATTEMPTS,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Run `call` until it succeeds, retrying only what Telegram says may be retried.

    A 429 is honoured once: the limiter has already moved its schedule by `retry_after`, so the
    one retry waits its turn there; a second 429 for the same call is raised, never looped on.
    """
    flooded = False
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except RetryAfter as err:
            delay = retry_after_seconds(err)
            if flooded or attempt == attempts or delay > MAX_RETRY_AFTER:
                raise
            flooded = True
            log.warning("Flood control: waiting %.0f s (attempt %d)", delay, attempt)
        except Forbidden as err:
            raise Blocked from err
        except (BadRequest, InvalidToken, ChatMigrated, Conflict):
            raise
        except NetworkError as err:  # also TimedOut
            if attempt == attempts:
                raise
            delay = min(MAX_BACKOFF, BASE_DELAY * 2 ** (attempt - 1))
            kind = "Time-out" if isinstance(err, TimedOut) else "Netwerkfout"
            log.warning("%s bij Telegram; nieuwe poging over %.1f s", kind, delay)
        await sleep(delay)
    raise AssertionError("unreachable: the loop returns or raises")
