"""Wiring: settings + engine + store → a python-telegram-bot Application, and running it.

The handlers are registered in one place, in the order that matters: edits first (PTB's command
handler would otherwise also react to an edited command), then the commands, then text, then
anything else a user can send, then button taps.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from telegram import Bot, BotCommand, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.conversation import Conversation
from bot.invites import InviteStore
from bot.persistence import SessionStore
from bot.persistence.records import utc_now
from bot.scheduler import CheckInScheduler, test_clock
from bot.settings import Settings
from bot.stats import Tally
from bot.telegram.application import LeanApplication
from bot.telegram.bounded import BoundedRequest
from bot.telegram.for_tests import turn_store
from bot.telegram.handlers import Handlers
from bot.telegram.health import touch_heartbeat
from bot.telegram.housekeeping import heartbeat_interval_from_env, housekeeping
from bot.telegram.limits import FloodLimiter, pace_from_env
from bot.telegram.logs import log_error
from bot.telegram.parking import PARKED_DIR
from bot.telegram.polling import serve_polling
from bot.telegram.retry import with_retry
from dialogs import Engine
from locales import TelegramTexts

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]
_CHORES = "background_chores"
# Telegram keeps an unconfirmed update for a day; replies older than that are not worth sending.
CATCH_UP_WINDOW = timedelta(hours=24)
CONNECTION_POOL = 8
POOL_TIMEOUT = 30.0


async def catch_up(store: SessionStore, handlers: Handlers, bot: Bot) -> None:
    """After a start: send the replies a crash left in an outbox, found from the outbox index.

    Nothing here walks the store: the temp files of a killed process go in the housekeeping's
    upkeep walk. Only a store kept by a bot before the index is looked through once (its recent
    records, as before), and from then on the index is trusted.
    """
    try:
        removed = await asyncio.to_thread(store.prepare, sessions=False)
        if removed:
            log.info("Removed %d half-written temporary files", removed)
        keys = await asyncio.to_thread(store.unsent_keys)
        complete = keys is not None
        if keys is None:
            since = utc_now() - CATCH_UP_WINDOW
            keys = await asyncio.to_thread(lambda: list(store.recent_keys(since)))
        sent = await handlers.resend(bot, keys)
        if sent:
            log.info("Sent the unsent replies of %d chats", sent)
        if not complete:
            await asyncio.to_thread(store.indexed)
        shares = await handlers.conversation.finish_hand_overs()
        if shares:
            log.info("Handed over %d shares a stop had cut short", shares)
    except Exception as err:
        log_error(log, "Catching up after start failed", err)


def bot_commands(texts: TelegramTexts) -> list[BotCommand]:
    """The command menu, in the order of the texts' command ids, with the language's names."""
    return [BotCommand(command.name, command.description) for _, command in texts.commands.menu()]


def build_application(
    settings: Settings, engine: Engine, texts: TelegramTexts | None = None
) -> Application:  # type: ignore[type-arg]
    """An Application talking to `settings.telegram_api_url`, with all handlers registered.

    The texts and command names are those of the engine's language unless `texts` is given.
    """
    texts = texts or engine.bundle.telegram
    store = SessionStore(settings.bot_data_dir)
    tally = Tally(settings.bot_data_dir) if settings.bot_stats_enabled else None
    observe = tally.observe if tally is not None else None
    conversation = Conversation(
        engine,
        turn_store(store),
        settings.bot_retention_days,
        stats=observe,
        invites=InviteStore(settings.bot_data_dir),
    )
    conversation.clock = test_clock()  # civil hours for the message back, as for check-ins
    handlers = Handlers(conversation, texts)
    flush_seconds = settings.bot_stats_flush_seconds

    async def post_init(app: Application) -> None:  # type: ignore[type-arg]
        await asyncio.to_thread(touch_heartbeat, settings.bot_data_dir)
        await with_retry(lambda: app.bot.set_my_commands(bot_commands(texts)), idempotent=True)
        # The employee's self-check: links name the bot; the message back goes like a check-in.
        name = app.bot.username
        if name:
            conversation.deep_link = lambda token: f"https://t.me/{name}?start={token}"
        conversation.notify_to = handlers.check_in_delivery(app.bot)
        # Nothing walks the store before the first poll: a large store must not delay answers.
        app.bot_data[_CHORES] = [
            asyncio.create_task(catch_up(store, handlers, app.bot)),
            asyncio.create_task(
                housekeeping(
                    store,
                    settings.bot_data_dir,
                    settings.retention,
                    heartbeat_interval_from_env(),
                )
            ),
            asyncio.create_task(
                CheckInScheduler(
                    store,
                    conversation,
                    handlers.check_in_delivery(app.bot),
                    settings.bot_checkin_poll_seconds,
                    clock=test_clock(),
                ).run()
            ),
        ]
        if tally is not None:  # flushed once more when cancelled by post_stop
            app.bot_data[_CHORES].append(asyncio.create_task(tally.run(flush_seconds)))
        log.info("Bot started as @%s", app.bot.username)

    async def post_stop(app: Application) -> None:  # type: ignore[type-arg]
        for task in app.bot_data.pop(_CHORES, []):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def on_error(update: object, context: object) -> None:
        error = getattr(context, "error", None)
        if isinstance(error, BaseException):
            log_error(log, "Unexpected error", error)

    app = (
        ApplicationBuilder()
        .application_class(LeanApplication)
        .token(settings.token())
        .base_url(settings.base_url)
        .base_file_url(settings.base_file_url)
        .concurrent_updates(True)
        .rate_limiter(FloodLimiter.paced(pace_from_env()))
        # httpcore walks every queued call and open connection on each call: a pool sized for
        # the load (PTB's default is 256), and the calls beyond it queued in front of it
        # (bot/telegram/bounded.py), cost less CPU; a generous pool timeout waits, not fails.
        .request(BoundedRequest(CONNECTION_POOL, POOL_TIMEOUT))
        .post_init(post_init)
        .post_stop(post_stop)
        .build()
    )
    # Where the poller parks updates still in hand (see bot/telegram/parking.py).
    app.bot_data[PARKED_DIR] = settings.bot_data_dir / PARKED_DIR
    app.add_handler(MessageHandler(filters.UpdateType.EDITED, handlers.on_edited))
    message = filters.UpdateType.MESSAGE
    commands = texts.commands
    for command, callback in (
        (commands.start, handlers.on_start),
        (commands.help, handlers.on_help),
        (commands.restart, handlers.on_restart),
        (commands.back, handlers.on_back),
        (commands.model, handlers.on_model),
        (commands.team, handlers.on_team),
        (commands.privacy, handlers.on_privacy),
        (commands.forget, handlers.on_forget),
    ):
        app.add_handler(CommandHandler(command.name, callback, filters=message))
    app.add_handler(MessageHandler(message & filters.TEXT, handlers.on_text))
    app.add_handler(MessageHandler(message, handlers.on_unsupported))
    app.add_handler(CallbackQueryHandler(handlers.on_tap))
    app.add_error_handler(on_error)
    return app


def run_polling(settings: Settings, engine: Engine) -> None:
    """Long-poll getUpdates until SIGINT/SIGTERM, confirming each batch only after handling it."""
    app = build_application(settings, engine)
    asyncio.run(serve_polling(app, int(settings.bot_poll_timeout), ALLOWED_UPDATES))
