"""The advisory dialog, free of Telegram: an engine that turns events into replies.

Public API: :class:`Engine` (``Engine.load()``; ``engine.handle(session, event) -> list[Reply]``),
:class:`Session`, :class:`Event`, :class:`Reply`, :class:`Option`. Never imports `telegram` or `bot`.
"""
