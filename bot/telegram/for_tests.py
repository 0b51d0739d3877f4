"""Settings that exist only for the end-to-end tests (names start with `BOT_TEST_ONLY_`).

They make the real bot process quicker to test (a faster flood limiter, a faster heartbeat) and
are never set in a deployment: each logs a warning when it is, and a value out of its range is
ignored with a warning rather than stopping the bot.
"""

from __future__ import annotations

import logging
import math
import os

log = logging.getLogger(__name__)


def number_for_tests(name: str, highest: float, effect: str) -> float | None:
    """The number in environment variable `name`, in (0, `highest`]; None when unset or out of
    that range (then with a warning). `effect` says in the log what a set value changes."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not 0 < value <= highest:
        log.warning("%s must be a number above 0 and at most %g; ignored", name, highest)
        return None
    log.warning("%s is set: %s", name, effect)
    return value
