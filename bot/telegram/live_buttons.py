"""The live buttons, one rule in one place: only the newest question has buttons that work.

Old inline keyboards stay tappable forever, so the bot keeps exactly one question with live
buttons in a chat, in three ways:

- an intake tap whose turn begins with the next question (which the dialog allows to take the
  answered one's place; the notes before it ride along) edits the tapped question into it: one
  counted call, and no earlier message keeps buttons; an illustration (the model picture, the
  plan) follows as a new message;
- any other turn is sent as new messages, and the buttons of the question before it are taken
  away (a user's own turn first, so nothing looks live twice; a check-in after it is sent, so a
  check-in that fails leaves the question before it working);
- the record remembers the message with the live buttons as soon as Telegram took it
  (:meth:`bot.conversation.Conversation`), so the next turn knows which buttons to take away.

A tapped button that is not the newest question's is refused with a toast by the service's check
of the turn; this module only decides where the buttons go and makes the edits.
"""

from __future__ import annotations

import logging
from enum import Enum

from telegram import Bot, Message
from telegram.error import TelegramError

from bot.conversation import Status, Turn
from bot.telegram.keyboards import keyboard
from bot.telegram.logs import log_error
from bot.telegram.outbox import plan
from bot.telegram.retry import not_modified, with_retry
from bot.telegram.splitting import MESSAGE_LIMIT, PARAGRAPH, utf16_len

log = logging.getLogger(__name__)


class InPlace(Enum):
    """How an edit of a question into the next one went."""

    EDITED = "edited"  # the message shows the next question (also when it already did)
    UNFIT = "unfit"  # the turn needs messages of its own: a picture, a file, a long text
    REFUSED = "refused"  # Telegram refused the edit (the message is gone or too old)


def fits_in_place(turn: Turn) -> bool:
    """The dialog allows the next question to replace the answered one, and the turn's plan
    begins with it (notes may ride along in it; an illustration may follow it).

    A picture, a file or a second question before it needs messages of its own.
    """
    return _in_place(turn) is not None


def in_place_covers(turn: Turn) -> int:
    """How many messages of the turn's plan the edit in place stands for.

    In layout 1 the edit was the whole turn; since layout 2 it is the plan's first message, and
    what follows it (an illustration) goes out as new messages.
    """
    if turn.layout == 1:
        return len(plan(turn.replies, turn.turn, turn.layout))
    return 1


def _in_place(turn: Turn) -> str | None:
    """The text the answered question is edited into (None: the turn cannot be edited in)."""
    if turn.status not in (Status.DONE, Status.REDELIVERED) or not turn.replies:
        return None
    if turn.layout == 1:
        return _in_place_one_by_one(turn)
    first = plan(turn.replies, turn.turn, turn.layout)[0]
    if first.markup is None or not first.replaces or first.attachment is not None:
        return None
    return first.text


def _in_place_one_by_one(turn: Turn) -> str | None:
    """Layout 1: only text notes and the question, together in one message."""
    *notes, question = turn.replies
    if not question.replaces or not question.options:
        return None
    if not all(note.attachment is None and not note.options for note in notes):
        return None
    joined = PARAGRAPH.join(reply.text for reply in turn.replies if reply.text)
    return joined if utf16_len(joined) <= MESSAGE_LIMIT else None


async def edit_in_place(message: Message, turn: Turn) -> InPlace:
    """Edit the tapped question into the next one: one counted call for the whole tap.

    Only the newest question is edited: a newer one below it (sent again after a crash, say)
    would otherwise stay the last message while the live question sits above it.
    """
    live = turn.keyboard_message
    if not fits_in_place(turn) or (live is not None and message.message_id < live):
        return InPlace.UNFIT
    return await edit_into(message.get_bot(), message.chat_id, message.message_id, turn)


async def edit_into(bot: Bot, chat_id: int, message_id: int, turn: Turn) -> InPlace:
    text = _in_place(turn)
    if text is None:
        return InPlace.UNFIT
    markup = keyboard(turn.replies[-1].options, turn.turn)
    try:
        await with_retry(
            lambda: bot.edit_message_text(text, chat_id, message_id, reply_markup=markup),
            idempotent=True,
        )
    except TelegramError as err:
        if not_modified(err):  # an earlier attempt got through: it shows the question already
            return InPlace.EDITED
        log_error(log, "Question not edited in place", err)
        return InPlace.REFUSED
    return InPlace.EDITED


async def clear_old_keyboard(bot: Bot, chat_id: int, turn: Turn, live: int | None = None) -> None:
    """Take the buttons off the question before this turn when the turn sends a new one.

    `live` is the message with those buttons when the caller knows better than the turn.
    """
    live = turn.keyboard_message if live is None else live
    if live is None or not any(reply.options for reply in turn.replies):
        return
    try:
        await with_retry(
            lambda: bot.edit_message_reply_markup(chat_id, live, reply_markup=None),
            idempotent=True,
        )
    except TelegramError as err:
        if not not_modified(err):  # already without buttons: nothing to do
            log_error(log, "Old buttons not removed", err)
