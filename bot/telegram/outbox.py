"""Sending replies: a turn becomes a fixed plan of messages, sent in order, each one marked.

A message is the unit of delivery. :func:`plan` turns a turn's stored replies into the messages
Telegram will see, the same way every time (a short note rides along with the question after it,
a text too long for one message is split, an attachment is a message of its own after its reply's
text), so a process killed halfway resumes at the first message Telegram has not taken: the
caller is told after every message (:data:`Taken`) and keeps that count with the outbox.

A send that may or may not have arrived (:class:`MaybeDelivered`) does not end the turn: a note
is let be (sending it again could show it twice) and the turn goes on; the question, the message
that carries the live buttons, is sent once more, because a user without buttons is stuck while
a question seen twice still works (both copies carry the same turn's buttons). Only when that
second try is in doubt too does the turn stop, with the question still unsent in the outbox.

Every call goes through :func:`with_retry`, so flood control and network trouble are handled in
one place. The artifacts package is imported only when a message is a file: rendering is a
separate concern and a text conversation does not depend on it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from telegram import Bot, InlineKeyboardMarkup, Message

from bot.telegram.keyboards import keyboard
from bot.telegram.retry import MaybeDelivered, with_retry
from bot.telegram.splitting import PARAGRAPH, split_message, utf16_len
from dialogs import Engine, Reply, Session
from dialogs.events import Attachment

log = logging.getLogger(__name__)

CAPTION_LIMIT = 1024
# A note this short (one paragraph, no list) may share a message with the question after it.
SHORT_NOTE = 200
# An upload's answer comes only after the file went up and Telegram processed it: a picture whose
# answer takes 8 s is a normal upload, not a lost one (PTB's default read timeout is 5 s).
UPLOAD_TIMEOUT = 60.0

# Told after each message Telegram took: how many of the plan are sent now, and the message's id
# when it carries buttons (the question now live), else None.
Taken = Callable[[int, int | None], Awaitable[None]]


@dataclass(frozen=True)
class Planned:
    """One message of a turn: a text (with the buttons when it is a question) or a file."""

    text: str = ""
    markup: InlineKeyboardMarkup | None = None
    attachment: Attachment | None = None


def _rides_along(note: Reply, following: Reply) -> bool:
    """A short plain note directly before a question goes into the question's message."""
    return (
        not note.options
        and note.attachment is None
        and bool(following.options)
        and utf16_len(note.text) <= SHORT_NOTE
        and "\n" not in note.text.strip()
    )


def plan(replies: Sequence[Reply], turn: int) -> list[Planned]:
    """The messages of a turn, in order; the same replies always give the same messages.

    Each reply is one message, as the dialog meant it (the dialog draws the boundaries, so
    replies are never packed together by length). The one merge: a short one-paragraph note
    right before a question rides along with it. A text longer than Telegram allows is split,
    the buttons under its last part; an attachment follows its reply's text.
    """
    messages: list[Planned] = []
    carried = ""
    for index, reply in enumerate(replies):
        following = replies[index + 1] if index + 1 < len(replies) else None
        text = f"{carried}{PARAGRAPH}{reply.text}" if carried else reply.text
        if not carried and following is not None and _rides_along(reply, following):
            carried = text
            continue
        carried = ""
        markup = keyboard(reply.options, turn)
        parts = split_message(text)
        for number, part in enumerate(parts, start=1):
            messages.append(Planned(part, markup if number == len(parts) else None))
        if reply.attachment is not None:
            messages.append(Planned(attachment=reply.attachment))
    return messages


def question_index(messages: Sequence[Planned]) -> int | None:
    """The place of the question in a plan: the last message with buttons (None: none)."""
    found = [index for index, message in enumerate(messages) if message.markup is not None]
    return found[-1] if found else None


async def _nothing_taken(sent: int, live: int | None) -> None:
    """For a caller that keeps no count (a group notice, say)."""


class Outbox:
    """Sends one chat's messages in order; raises :class:`Blocked` when the user blocked the bot."""

    def __init__(self, bot: Bot, engine: Engine) -> None:
        self._bot = bot
        self._engine = engine

    @property
    def bot(self) -> Bot:
        return self._bot

    async def replies(
        self,
        chat_id: int,
        replies: Sequence[Reply],
        turn: int,
        session: Session | None,
        *,
        start: int = 0,
        taken: Taken = _nothing_taken,
    ) -> int | None:
        """Send the turn's messages from number `start` on (those before went out already).

        `taken` hears of every message Telegram took, before the next one is sent. Returns the
        id of the last message sent with buttons (the question now live), if any. Raises
        :class:`MaybeDelivered` only when the question itself could not be made sure of.
        """
        messages = plan(replies, turn)
        question = question_index(messages)
        live: int | None = None
        for index in range(start, len(messages)):
            message = messages[index]
            sent = await self._one(chat_id, message, session, again=index == question)
            shown = sent.message_id if sent is not None and message.markup is not None else None
            live = shown or live
            await taken(index + 1, shown)
        return live

    async def _one(
        self, chat_id: int, message: Planned, session: Session | None, *, again: bool
    ) -> Message | None:
        """Send one planned message; a note in doubt is let be, a question in doubt sent again."""
        try:
            return await self._send(chat_id, message, session)
        except MaybeDelivered as err:
            if not again:
                _log_doubt(err, "a note is not sent again, the turn goes on")
                return None
            _log_doubt(err, "the question is sent once more")
        return await self._send(chat_id, message, session)

    async def _send(
        self, chat_id: int, message: Planned, session: Session | None
    ) -> Message | None:
        if message.attachment is not None:
            if session is not None:
                await self.attachment(chat_id, message.attachment, session)
            return None
        return await self._send_text(chat_id, message.text, message.markup)

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
        """Render the file (off the event loop: it is CPU work) and send it.

        One message of the plan, also in the rare case that its caption is too long for one and
        follows as a text: that text goes right after the file, under the same mark.
        """
        from bot.artifacts import render

        artifact = await asyncio.to_thread(render, kind, session, self._engine)
        caption: str | None = artifact.caption or None
        overflow = caption if caption and utf16_len(caption) > CAPTION_LIMIT else None
        if overflow:
            caption = None
        send = self._bot.send_photo if artifact.mime == "image/png" else self._bot.send_document
        await with_retry(
            lambda: send(
                chat_id,
                artifact.data,
                caption=caption,
                filename=artifact.filename,
                read_timeout=UPLOAD_TIMEOUT,
                write_timeout=UPLOAD_TIMEOUT,
            )
        )
        if overflow:
            await self.text(chat_id, overflow)


def _log_doubt(err: MaybeDelivered, what: str) -> None:
    """One line, no user data: which network trouble left a send in doubt, and what follows."""
    cause = err.__cause__
    names: list[str] = []
    while cause is not None and len(names) < 3:
        names.append(f"{type(cause).__module__.split('.')[0]}.{type(cause).__name__}")
        cause = cause.__cause__
    log.warning("A send may have reached Telegram (%s); %s", " <- ".join(names) or "?", what)
