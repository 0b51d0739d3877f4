"""Webhook mode: Telegram POSTs each update to our HTTPS URL; we check its secret and handle it.

Why our own small aiohttp endpoint instead of PTB's: PTB's webhook server needs tornado (an extra
dependency), and we want two things it does not give: the `X-Telegram-Bot-Api-Secret-Token` header
compared in constant time on every request, and each update handled — and its session saved —
*before* Telegram hears "200 OK". Telegram redelivers an update that was not acknowledged, so a
process killed mid-update loses nothing. TLS is terminated by the reverse proxy in front of us.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from urllib.parse import urlsplit

from aiohttp import web

from bot.settings import Settings, SettingsError
from bot.telegram.app import ALLOWED_UPDATES, build_application
from bot.telegram.lifecycle import App, run_application, stop_on_signals
from bot.telegram.retry import with_retry
from bot.telegram.updates import NotAnUpdate, decode_update
from dialogs import Engine

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_path(settings: Settings) -> str:
    """The path part of the public webhook URL, which the proxy forwards unchanged."""
    return urlsplit(settings.bot_webhook_url or "").path or "/"


async def serve(settings: Settings, engine: Engine, stop: asyncio.Event | None = None) -> None:
    """Register the webhook and serve it until SIGTERM/SIGINT (or, when given, `stop` is set)."""
    if settings.bot_webhook_secret is None or settings.bot_webhook_url is None:
        raise SettingsError("BOT_WEBHOOK_URL and BOT_WEBHOOK_SECRET are required in webhook mode")
    secret = settings.bot_webhook_secret.get_secret_value().encode()
    url = settings.bot_webhook_url
    app: App = build_application(settings, engine)

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, secret):
            return web.Response(status=403)
        try:
            update = decode_update(await request.read(), app.bot)
        except NotAnUpdate:
            return web.Response(status=400)
        if update is not None:  # None: unreadable, logged and acknowledged so it is not resent
            await app.process_update(update)
        return web.Response(status=200)

    web_app = web.Application()
    web_app.router.add_post(webhook_path(settings), receive)
    stop = stop_on_signals(stop)

    async def listen() -> None:
        runner = web.AppRunner(web_app, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(
                runner, settings.bot_webhook_listen, settings.bot_webhook_port
            ).start()
            await with_retry(
                lambda: app.bot.set_webhook(
                    url, secret_token=secret.decode(), allowed_updates=ALLOWED_UPDATES
                ),
                idempotent=True,
            )
            log.info("Webhook listening on port %d", settings.bot_webhook_port)
            await stop.wait()
        finally:
            await runner.cleanup()

    await run_application(app, stop, listen)


def run_webhook(settings: Settings, engine: Engine) -> None:
    asyncio.run(serve(settings, engine))
