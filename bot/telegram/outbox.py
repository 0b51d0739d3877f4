"""Sending replies: text split to fit, the keyboard on the last part, files as photo or document.

Every call goes through :func:`with_retry`, so flood control and network trouble are handled in one
place. The artifacts package is imported only when a reply carries an attachment: rendering is a
separate concern and a text conversation does not depend on it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from telegram import Bot, InlineKeyboardMarkup, Message

from bot.telegram.keyboards import keyboard
from bot.telegram.retry import with_retry
from bot.telegram.splitting import split_message, utf16_len
from dialogs import Engine, Reply, Session
from dialogs.events import Attachment

CAPTION_LIMIT = 1024


class Outbox:
    """Sends one chat's replies in order; raises :class:`Blocked` when the user blocked the bot."""

    def __init__(self, bot: Bot, engine: Engine) -> None:
        self._bot = bot
        self._engine = engine

    @property
    def bot(self) -> Bot:
        return self._bot

    async def replies(
        self, chat_id: int, replies: Sequence[Reply], turn: int, session: Session | None
    ) -> int | None:
        """Send the engine's replies in order, as few messages as reads well.

        Returns the id of the last message sent with buttons (the question now live), if any.

        A reply that is only text (a note before the next question, say) goes into one message with
        the reply after it: on a phone that is one notification instead of two, and each message is
        a Telegram call that costs the user latency and the bot a share of its rate limit.
        """
        pending: list[str] = []
        live: int | None = None
        for index, reply in enumerate(replies):
            last = index == len(replies) - 1
            if reply.text:
                pending.append(reply.text)
            if not last and not reply.options and reply.attachment is None:
                continue
            if pending or reply.options:
                markup = keyboard(reply.options, turn)
                sent = await self.text(chat_id, "\n\n".join(pending), markup)
                if markup is not None and sent is not None:
                    live = sent.message_id
            pending = []
            if reply.attachment is not None and session is not None:
                await self.attachment(chat_id, reply.attachment, session)
        return live

    async def text(
        self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
    ) -> Message | None:
        """Send `text` in as many messages as needed; the keyboard goes under the last one."""
        parts = split_message(text)
        sent: Message | None = None
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            sent = await self._send_text(chat_id, part, markup if last else None)
        return sent

    async def _send_text(
        self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None
    ) -> Message:
        return await with_retry(lambda: self._bot.send_message(chat_id, text, reply_markup=markup))

    async def attachment(self, chat_id: int, kind: Attachment, session: Session) -> None:
        """Render the file (off the event loop: it is CPU work) and send it."""
        from bot.artifacts import render

        artifact = await asyncio.to_thread(render, kind, session, self._engine)
        caption: str | None = artifact.caption or None
        overflow = caption if caption and utf16_len(caption) > CAPTION_LIMIT else None
        if overflow:
            caption = None
        if artifact.mime == "image/png":
            await with_retry(
                lambda: self._bot.send_photo(
                    chat_id, artifact.data, caption=caption, filename=artifact.filename
                )
            )
        else:
            await with_retry(
                lambda: self._bot.send_document(
                    chat_id, artifact.data, caption=caption, filename=artifact.filename
                )
            )
        if overflow:
            await self.text(chat_id, overflow)
