"""The Telegram front end: turns updates into dialog events and replies into messages.

Entry points: :func:`bot.telegram.app.run_polling` and :func:`bot.telegram.webhook.run_webhook`
(the mode comes from the settings; ``python -m bot`` picks one). The per-chat step itself is the
channel-free :mod:`bot.conversation`; the modules here only translate, each on its own: callback
data, keyboards, splitting, retrying, sending, handlers, groups, reading updates, logging, health,
webhook, the start-up and shut-down frame both modes share, the lean PTB application and
wiring.
"""
