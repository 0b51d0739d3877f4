"""The framework's floor: a bare python-telegram-bot echo bot with no dialog, knowledge or storage.

Built with the same settings as the real bot (same server, concurrent updates, polling timeout,
allowed updates), so that it differs from it only inside the handler: one reply per update, the
framework's cheapest possible work. (The same-traffic floor is `bench.replay_bot`.)

    python -m bench.echo_bot
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.telegram.app import ALLOWED_UPDATES


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer every text message with its own text."""
    message = update.effective_message
    if message is not None and message.text is not None:
        await message.reply_text(message.text)


def main() -> None:
    root = os.environ["TELEGRAM_API_URL"].rstrip("/")
    app = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(root + "/bot")
        .base_file_url(root + "/file/bot")
        .concurrent_updates(True)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(
        allowed_updates=ALLOWED_UPDATES,
        timeout=int(os.environ.get("BOT_POLL_TIMEOUT", "2")),
        drop_pending_updates=False,
    )


if __name__ == "__main__":
    main()
