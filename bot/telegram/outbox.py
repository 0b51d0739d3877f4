"""Sending replies: one message per reply, split only when one is too long for Telegram.

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
from bot.telegram.splitting import PARAGRAPH, split_message, utf16_len
from dialogs import Engine, Reply, Session
from dialogs.events import Attachment

CAPTION_LIMIT = 1024
# A note this short (one paragraph, no list) may share a message with the question after it.
SHORT_NOTE = 200


def _rides_along(note: Reply, following: Reply) -> bool:
    """A short plain note directly before a question goes into the question's message."""
    return (
        not note.options
        and note.attachment is None
        and bool(following.options)
        and utf16_len(note.text) <= SHORT_NOTE
        and "\n" not in note.text.strip()
    )


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
        """Send the engine's replies in order: each reply is one message, as the dialog meant it.

        The dialog draws the boundaries (a heading stays with its list, the advice is one screen),
        so replies are never packed together by length. The one exception: a short one-paragraph
        note right before a question rides along with it, which saves a notification and a call.
        Returns the id of the last message sent with buttons (the question now live), if any.
        """
        live: int | None = None
        carried = ""
        for index, reply in enumerate(replies):
            following = replies[index + 1] if index + 1 < len(replies) else None
            if carried:
                text, carried = f"{carried}{PARAGRAPH}{reply.text}", ""
            else:
                text = reply.text
            if following is not None and _rides_along(reply, following) and text == reply.text:
                carried = text
                continue
            markup = keyboard(reply.options, turn)
            sent = await self.text(chat_id, text, markup)
            if markup is not None and sent is not None:
                live = sent.message_id
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
