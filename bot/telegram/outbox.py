"""Sending replies: a turn becomes a fixed plan of messages, sent in order, each one marked.

A message is the unit of delivery. :func:`plan` turns a turn's stored replies into the messages
Telegram will see, the same way every time, so a process killed halfway resumes at the first
message Telegram has not taken: the caller is told after every message (:data:`Taken`) and keeps
that count with the outbox. The count means something only in the plan's own layout, so a turn
stored with an older layout (`Delivery.plan`) is resumed in that layout (:data:`LAYOUTS`).

Why the current layout packs messages: Telegram lets a bot send about one message a second into
one chat, so every message of a turn beyond the first costs the user about a second of waiting.
The notes before a question ride along in the question's message, a file's short intro becomes
its caption, and a file that only illustrates (the model picture, the plan) goes after a question
that can take the answered one's place: the tap is answered by one edit, the file follows.

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
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from telegram import Bot, InlineKeyboardMarkup, Message

from bot.persistence.records import MESSAGE_PLAN
from bot.telegram.keyboards import keyboard
from bot.telegram.retry import MaybeDelivered, with_retry
from bot.telegram.splitting import MESSAGE_LIMIT, PARAGRAPH, split_message, utf16_len
from bot.turns import Taken, nothing_taken
from dialogs import Engine, Reply, Session
from dialogs.events import Attachment

log = logging.getLogger(__name__)

CAPTION_LIMIT = 1024
# A note this short (one paragraph, no list) may share a message with the question after it.
SHORT_NOTE = 200
# A file's intro this short becomes its caption (room left for the file's own caption after it).
INTRO_IN_CAPTION = 600
# Files that only illustrate: the question after them is answered without them, so they may go
# after it (the model picture, the action plan). A team's picture goes with its list, in order.
ILLUSTRATIONS: frozenset[Attachment] = frozenset({"model_picture", "action_plan"})
# The layouts a stored turn may have been counted in (Delivery.plan): 1 = before wave 3
# (every reply its own message, short notes along with the question), 2 = packed (see above).
LAYOUTS = (1, 2)
# An upload's answer comes only after the file went up and Telegram processed it: a picture whose
# answer takes 8 s is a normal upload, not a lost one (PTB's default read timeout is 5 s).
UPLOAD_TIMEOUT = 60.0


@dataclass(frozen=True)
class Planned:
    """One message of a turn: a text (with the buttons when it is a question) or a file."""

    text: str = ""  # with an attachment: its caption's lead (the file's own caption follows)
    markup: InlineKeyboardMarkup | None = None
    attachment: Attachment | None = None
    replaces: bool = False  # a question that may take the place of the one just answered


def _rides_along(note: Reply, following: Reply) -> bool:
    """A short plain note directly before a question goes into the question's message."""
    return (
        not note.options
        and note.attachment is None
        and bool(following.options)
        and utf16_len(note.text) <= SHORT_NOTE
        and "\n" not in note.text.strip()
    )


def plan(replies: Sequence[Reply], turn: int, layout: int = MESSAGE_PLAN) -> tuple[Planned, ...]:
    """The messages of a turn, in order; the same replies always give the same messages.

    `layout` is the one the turn was stored with (a turn half sent by an older bot resumes in
    the layout its count was made in).
    """
    return _planned(tuple(replies), turn, layout)


@lru_cache(maxsize=256)
def _planned(replies: tuple[Reply, ...], turn: int, layout: int) -> tuple[Planned, ...]:
    """`plan`, made once per turn. Why cached: a tap answered in place asks for its turn's plan
    up to four times (does it fit in place, the text to edit in, how many messages the edit
    stands for, what follows it), and each plan builds the question's keyboard anew."""
    if layout == 1:
        return tuple(_plan_one_by_one(replies, turn))
    return tuple(_plan_packed(replies, turn))


def _plan_one_by_one(replies: Sequence[Reply], turn: int) -> list[Planned]:
    """Layout 1: each reply is one message, as the dialog meant it.

    The one merge: a short one-paragraph note right before a question rides along with it. A
    text longer than Telegram allows is split, the buttons under its last part; an attachment
    follows its reply's text.
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


def _plan_packed(replies: Sequence[Reply], turn: int) -> list[Planned]:
    """Layout 2: as few messages as the dialog's meaning allows (see the module's docstring).

    The text notes right before the question join its message when together they fit in one;
    a file with a short intro is one message (the intro its caption); illustrations before a
    question that replaces the answered one go after it. Everything else as in layout 1.
    """
    last = len(replies) - 1
    after = last >= 0 and bool(replies[last].options) and replies[last].replaces
    later = {
        number
        for number, reply in enumerate(replies[:last])
        if after and reply.attachment in ILLUSTRATIONS and not reply.options
    }
    moved = [replies[number] for number in sorted(later)]
    replies = [reply for number, reply in enumerate(replies) if number not in later]
    messages: list[Planned] = []
    index = 0
    while index < len(replies):
        reply = replies[index]
        notes = _notes_before_question(replies, index)
        if notes:
            question = replies[index + notes]
            text = PARAGRAPH.join(r.text for r in replies[index : index + notes + 1] if r.text)
            markup = keyboard(question.options, turn)
            messages.append(Planned(text, markup, replaces=question.replaces))
            index += notes + 1
            continue
        messages.extend(_messages_of(reply, turn))
        index += 1
    for reply in moved:
        messages.extend(_messages_of(reply, turn))
    return messages


def _notes_before_question(replies: Sequence[Reply], start: int) -> int:
    """How many text notes from `start` on join the question after them (0: none do)."""
    end = start
    while end < len(replies) and _is_note(replies[end]):
        end += 1
    if end == start or end >= len(replies) or not replies[end].options:
        return 0
    if replies[end].attachment is not None:
        return 0
    joined = PARAGRAPH.join(r.text for r in replies[start : end + 1] if r.text)
    return end - start if utf16_len(joined) <= MESSAGE_LIMIT else 0


def _is_note(reply: Reply) -> bool:
    return not reply.options and reply.attachment is None and bool(reply.text)


def _messages_of(reply: Reply, turn: int) -> list[Planned]:
    """One reply on its own: its text (split when too long) or its file with the intro."""
    markup = keyboard(reply.options, turn)
    if reply.attachment is not None and utf16_len(reply.text) <= INTRO_IN_CAPTION:
        messages = [] if not reply.options else [Planned(reply.text, markup)]
        intro = "" if reply.options else reply.text
        return [*messages, Planned(intro, attachment=reply.attachment)]
    parts = split_message(reply.text) if reply.text else []
    messages = [
        Planned(part, markup if number == len(parts) else None, replaces=reply.replaces)
        for number, part in enumerate(parts, start=1)
    ]
    if reply.attachment is not None:
        messages.append(Planned(attachment=reply.attachment))
    return messages


def question_index(messages: Sequence[Planned]) -> int | None:
    """The place of the question in a plan: the last message with buttons (None: none)."""
    found = [index for index, message in enumerate(messages) if message.markup is not None]
    return found[-1] if found else None


# What the log says when a question in doubt is sent once more: the one repeat a user may see
# without a crash (README), which the kill-loop tests read to tell it from a real duplicate.
QUESTION_AGAIN = "the question is sent once more"


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
        taken: Taken = nothing_taken,
        layout: int = MESSAGE_PLAN,
    ) -> int | None:
        """Send the turn's messages from number `start` on (those before went out already).

        `taken` hears of every message Telegram took, before the next one is sent. Returns the
        id of the last message sent with buttons (the question now live), if any. Raises
        :class:`MaybeDelivered` only when the question itself could not be made sure of.
        """
        messages = plan(replies, turn, layout)
        question = question_index(messages)
        live: int | None = None
        for index in range(start, len(messages)):
            message = messages[index]
            sent = await self._one(chat_id, message, session, again=index == question)
            shown = sent.message_id if sent is not None and message.markup is not None else None
            live = shown or live
            await taken(index + 1, shown, index + 1 == len(messages))
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
            _log_doubt(err, QUESTION_AGAIN)
        return await self._send(chat_id, message, session)

    async def _send(
        self, chat_id: int, message: Planned, session: Session | None
    ) -> Message | None:
        if message.attachment is not None:
            if session is not None:
                await self.attachment(chat_id, message.attachment, session, message.text)
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

    async def attachment(
        self, chat_id: int, kind: Attachment, session: Session, intro: str = ""
    ) -> None:
        """Render the file (off the event loop: it is CPU work) and send it.

        `intro` (the dialog's words before the file) leads its caption, the file's own caption
        after it. One message of the plan, also in the rare case that the caption is too long
        for one: the intro alone is then the caption and the file's caption follows as a text,
        right after the file, under the same mark.
        """
        from bot.artifacts import render

        artifact = await asyncio.to_thread(render, kind, session, self._engine)
        caption: str | None = PARAGRAPH.join(part for part in (intro, artifact.caption) if part)
        overflow: str | None = None
        if caption and utf16_len(caption) > CAPTION_LIMIT:
            caption, overflow = intro or None, artifact.caption
            if caption is not None and utf16_len(caption) > CAPTION_LIMIT:
                caption, overflow = None, PARAGRAPH.join((intro, artifact.caption))
        caption = caption or None
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
