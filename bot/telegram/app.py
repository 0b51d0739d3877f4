"""Wiring: settings + engine + store → a python-telegram-bot Application, and running it.

The handlers are registered in one place, in the order that matters: edits first (PTB's command
handler would otherwise also react to an edited command), then the commands, then text, then
anything else a user can send, then button taps.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.conversation import Conversation
from bot.persistence import SessionStore
from bot.settings import Settings
from bot.telegram.application import LeanApplication
from bot.telegram.handlers import Handlers
from bot.telegram.health import touch_heartbeat
from bot.telegram.housekeeping import housekeeping
from bot.telegram.logs import log_error
from bot.telegram.retry import with_retry
from bot.texts import Texts, load_texts
from dialogs import Engine

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]
_HOUSEKEEPING = "housekeeping_task"


def bot_commands(texts: Texts) -> list[BotCommand]:
    """The command menu, in the order of the texts file."""
    return [BotCommand(name, str(text)) for name, text in texts.commands.model_dump().items()]


def build_application(
    settings: Settings, engine: Engine, texts: Texts | None = None
) -> Application:  # type: ignore[type-arg]
    """An Application talking to `settings.telegram_api_url`, with all handlers registered."""
    texts = texts or load_texts()
    store = SessionStore(settings.bot_data_dir)
    conversation = Conversation(engine, store, texts, settings.bot_retention_days)
    handlers = Handlers(conversation, texts)

    async def post_init(app: Application) -> None:  # type: ignore[type-arg]
        removed = await asyncio.to_thread(store.prepare)
        if removed:
            log.info("%d halfgeschreven tijdelijke bestanden opgeruimd", removed)
        await asyncio.to_thread(touch_heartbeat, settings.bot_data_dir)
        await with_retry(lambda: app.bot.set_my_commands(bot_commands(texts)), idempotent=True)
        app.bot_data[_HOUSEKEEPING] = asyncio.create_task(
            housekeeping(store, settings.bot_data_dir, settings.retention)
        )
        log.info("Bot gestart als @%s", app.bot.username)

    async def post_stop(app: Application) -> None:  # type: ignore[type-arg]
        task = app.bot_data.pop(_HOUSEKEEPING, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def on_error(update: object, context: object) -> None:
        error = getattr(context, "error", None)
        if isinstance(error, BaseException):
            log_error(log, "Onverwachte fout", error)

    app = (
        ApplicationBuilder()
        .application_class(LeanApplication)
        .token(settings.token())
        .base_url(settings.base_url)
        .base_file_url(settings.base_file_url)
        .concurrent_updates(True)
        .post_init(post_init)
        .post_stop(post_stop)
        .build()
    )
    app.add_handler(MessageHandler(filters.UpdateType.EDITED, handlers.on_edited))
    message = filters.UpdateType.MESSAGE
    for name, callback in (
        ("start", handlers.on_start),
        ("help", handlers.on_help),
        ("opnieuw", handlers.on_restart),
        ("terug", handlers.on_back),
        ("model", handlers.on_model),
        ("privacy", handlers.on_privacy),
        ("vergeet", handlers.on_forget),
    ):
        app.add_handler(CommandHandler(name, callback, filters=message))
    app.add_handler(MessageHandler(message & filters.TEXT, handlers.on_text))
    app.add_handler(MessageHandler(message, handlers.on_unsupported))
    app.add_handler(CallbackQueryHandler(handlers.on_tap))
    app.add_error_handler(on_error)
    return app


def run_polling(settings: Settings, engine: Engine) -> None:
    """Long-poll getUpdates until SIGINT/SIGTERM; pending updates are kept, not dropped."""
    app = build_application(settings, engine)
    app.run_polling(
        allowed_updates=ALLOWED_UPDATES,
        timeout=int(settings.bot_poll_timeout),
        drop_pending_updates=False,
        bootstrap_retries=-1,
    )
