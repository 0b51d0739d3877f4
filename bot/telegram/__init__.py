"""The Telegram front end: turns updates into dialog events and replies into messages.

Public API: :func:`bot.telegram.app.run` (start polling or the webhook from the settings). The
modules are small on purpose: callback data, keyboards, splitting, retrying, sending, handlers,
logging, health, webhook and the application wiring each live on their own.
"""
