"""The framework's floor: a bare python-telegram-bot echo bot with no dialog, knowledge or storage.

Built with the same settings as the real bot (`bench.floor`: same server, concurrent updates,
polling timeout, allowed updates), so that it differs from it only inside the handler: one reply
per update, the framework's cheapest possible work. (The same-traffic floor is `bench.replay_bot`.)

    python -m bench.echo_bot
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes, MessageHandler, filters

from bench.floor import builder_from_env, poll


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer every text message with its own text."""
    message = update.effective_message
    if message is not None and message.text is not None:
        await message.reply_text(message.text)


def main() -> None:
    app = builder_from_env().build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    poll(app)


if __name__ == "__main__":
    main()
