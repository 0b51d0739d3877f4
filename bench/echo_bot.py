"""The framework's floor: bare python-telegram-bot bots with no dialog, knowledge or storage.

Two floors, both built with the same settings as the real bot (same server, concurrent updates,
polling timeout, allowed updates), so that they differ from it only inside the handlers:

- `echo` (the issue's baseline): one reply per update, the framework's cheapest possible work;
- `mirror`: the same Telegram traffic the real bot makes for a tap (answer the callback, edit the
  tapped message to keep the choice visible, send the next question with buttons), so that the
  ratio against it isolates what our dialog, knowledge and persistence cost.

    python -m bench.echo_bot [echo|mirror]
"""

from __future__ import annotations

import os
import sys

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.telegram.app import ALLOWED_UPDATES

QUESTION = "Vraag"
BUTTONS = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("Ja", callback_data="0:ja")],
        [InlineKeyboardButton("Nee", callback_data="0:nee")],
    ]
)


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer every text message with its own text."""
    message = update.effective_message
    if message is not None and message.text is not None:
        await message.reply_text(message.text)


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A typed message gets a question with buttons, as /start does in the real bot."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(QUESTION, reply_markup=BUTTONS)


async def tapped(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A tap: answer it, keep the choice visible in the tapped message, ask the next question."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    await query.answer()
    await query.edit_message_text(f"{QUESTION}\n\n➜ {query.data}", reply_markup=None)
    await context.bot.send_message(query.message.chat.id, QUESTION, reply_markup=BUTTONS)


def main() -> None:
    mode = sys.argv[1] if len(sys.argv) > 1 else "echo"
    root = os.environ["TELEGRAM_API_URL"].rstrip("/")
    app = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(root + "/bot")
        .base_file_url(root + "/file/bot")
        .concurrent_updates(True)
        .build()
    )
    if mode == "mirror":
        app.add_handler(MessageHandler(filters.TEXT, ask))
        app.add_handler(CallbackQueryHandler(tapped))
    else:
        app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(
        allowed_updates=ALLOWED_UPDATES,
        timeout=int(os.environ.get("BOT_POLL_TIMEOUT", "2")),
        drop_pending_updates=False,
    )


if __name__ == "__main__":
    main()
