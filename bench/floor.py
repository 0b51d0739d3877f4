"""What the bare PTB floors (`bench.echo_bot`, `bench.replay_bot`) share with each other and with
our bot: the same server, token and settings from the environment, and the same way of polling.

Why one place: a floor is only a fair baseline while it differs from our bot in the handler alone;
two copies of its set-up could drift apart (another timeout, another update filter) unnoticed.
"""

from __future__ import annotations

import os
from typing import Any

from telegram.ext import Application, ApplicationBuilder

from bot.telegram.app import ALLOWED_UPDATES, CONNECTION_POOL, POOL_TIMEOUT

# The floors' connection pool: our bot's (`CONNECTION_POOL`), unless BENCH_FLOOR_POOL says
# otherwise (PTB's default is 256). Equal pools compare like with like: httpcore walks every open
# connection on each request, so a larger pool costs CPU per call (issue 24.4). The floors are
# bare PTB bots: they do not queue their calls in front of the pool as ours does
# (bot/telegram/bounded.py).
POOL_ENV = "BENCH_FLOOR_POOL"


def floor_pool() -> int:
    return int(os.environ.get(POOL_ENV, "") or CONNECTION_POOL)


def builder_from_env() -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
    """An application builder for the server and token that `bench.live.start_process` set."""
    root = os.environ["TELEGRAM_API_URL"].rstrip("/")
    return (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(root + "/bot")
        .base_file_url(root + "/file/bot")
        .concurrent_updates(True)
        .connection_pool_size(floor_pool())
        .pool_timeout(POOL_TIMEOUT)
    )


def poll(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """PTB's own polling with our bot's update filter and timeout, until SIGTERM."""
    app.run_polling(
        allowed_updates=ALLOWED_UPDATES,
        timeout=int(os.environ.get("BOT_POLL_TIMEOUT", "2")),
        drop_pending_updates=False,
    )
