"""Background chores of the running bot: the heartbeat for the health check and the retention purge.

Why an asyncio task and not PTB's JobQueue: the JobQueue needs an extra dependency (APScheduler) for
two fixed-interval loops. The purge runs in a worker thread because it walks every stored file
(the one walk over the store, throttled: see `SessionStore.upkeep`).
The loop must outlive any single failure: if it died, the heartbeat would stop (the container is
reported unhealthy) and idle sessions would never be deleted again (a broken privacy promise).
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta
from pathlib import Path

from bot.invites import InviteStore
from bot.persistence import SessionStore
from bot.telegram.for_tests import number_for_tests
from bot.telegram.health import HEARTBEAT_INTERVAL, touch_heartbeat
from bot.telegram.logs import log_error

log = logging.getLogger(__name__)

PURGE_INTERVAL = 6 * 3600.0
# TEST ONLY: seconds between heartbeats (above 0, at most the real interval), so an end-to-end
# test sees the loop go on after a purge without waiting half a minute. Never set in a deployment.
TEST_HEARTBEAT_ENV = "BOT_TEST_ONLY_HEARTBEAT_SECONDS"


def heartbeat_interval_from_env() -> float | None:
    """The test-only heartbeat interval, None when unset; a value out of range is ignored."""
    return number_for_tests(
        TEST_HEARTBEAT_ENV, HEARTBEAT_INTERVAL, "the heartbeat runs faster, for tests only"
    )


async def purge(store: SessionStore, retention: timedelta) -> int:
    """The upkeep walk (store.upkeep): idle sessions erased, temp files of a killed process
    removed, at a sixth of a core (WALK_SHARE) so that the answers after a start do not wait."""
    done = await asyncio.to_thread(store.upkeep, retention)
    if done.temps:
        log.info("Removed %d half-written temporary files", done.temps)
    if done.deleted:
        log.info("Retention: erased %d idle conversations", done.deleted)
    # Invitation links keep the same retention, counted from the day they expire.
    links = await asyncio.to_thread(InviteStore(store.root.parent).purge, retention)
    if links:
        log.info("Retention: erased %d old invitation links", links)
    return done.deleted


async def housekeeping(
    store: SessionStore, data_dir: Path, retention: timedelta, interval: float | None = None
) -> None:
    """Touch the heartbeat every 30 s (or `interval`) and purge idle sessions now and every 6 h,
    until cancelled.

    The first purge runs here, in the background, so a large store does not delay start-up. Any
    error is logged (its type only) and the next round comes as planned.
    """
    last_purge = -PURGE_INTERVAL
    while True:
        try:
            await asyncio.to_thread(touch_heartbeat, data_dir)
        except Exception as err:
            log_error(log, "Heartbeat not written", err)
        if time.monotonic() - last_purge >= PURGE_INTERVAL:
            last_purge = time.monotonic()
            try:
                await purge(store, retention)
            except Exception as err:
                log_error(log, "Purge failed", err)
        await asyncio.sleep(interval or HEARTBEAT_INTERVAL)
