"""What the bare PTB floors (`bench.echo_bot`, `bench.replay_bot`) share with each other and with
our bot: the same server, token and settings from the environment, and the same way of polling.

Why one place: a floor is only a fair baseline while it differs from our bot in the handler alone;
two copies of its set-up could drift apart (another timeout, another update filter) unnoticed.
"""

from __future__ import annotations

import os
from typing import Any

from telegram.ext import Application, ApplicationBuilder

from bot.telegram.app import ALLOWED_UPDATES


def builder_from_env() -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
    """An application builder for the server and token that `bench.live.start_process` set."""
    root = os.environ["TELEGRAM_API_URL"].rstrip("/")
    return (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(root + "/bot")
        .base_file_url(root + "/file/bot")
        .concurrent_updates(True)
    )


def poll(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """PTB's own polling with our bot's update filter and timeout, until SIGTERM."""
    app.run_polling(
        allowed_updates=ALLOWED_UPDATES,
        timeout=int(os.environ.get("BOT_POLL_TIMEOUT", "2")),
        drop_pending_updates=False,
    )
