"""The live buttons, one rule in one place: only the newest question has buttons that work.

Old inline keyboards stay tappable forever, so the bot keeps exactly one question with live
buttons in a chat, in three ways:

- an intake tap whose whole turn fits in one message (short notes and the next question, which
  the dialog allows to take the answered one's place) edits the tapped question into the next
  one: one counted call, and no earlier message keeps buttons;
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
from bot.telegram.retry import not_modified, with_retry
from bot.telegram.splitting import MESSAGE_LIMIT, PARAGRAPH, utf16_len

log = logging.getLogger(__name__)


class InPlace(Enum):
    """How an edit of a question into the next one went."""

    EDITED = "edited"  # the message shows the next question (also when it already did)
    UNFIT = "unfit"  # the turn needs messages of its own: a picture, a file, a long text
    REFUSED = "refused"  # Telegram refused the edit (the message is gone or too old)


def fits_in_place(turn: Turn) -> bool:
    """The dialog allows the next question to replace the answered one, and nothing else is due.

    Only text notes may come before it (they join the edited message); a picture, a file or a
    second question needs messages of its own.
    """
    if turn.status not in (Status.DONE, Status.REDELIVERED) or not turn.replies:
        return False
    *notes, question = turn.replies
    if not question.replaces or not question.options:
        return False
    if not all(note.attachment is None and not note.options for note in notes):
        return False
    return utf16_len(_joined(turn)) <= MESSAGE_LIMIT


def _joined(turn: Turn) -> str:
    return PARAGRAPH.join(reply.text for reply in turn.replies if reply.text)


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
    markup = keyboard(turn.replies[-1].options, turn.turn)
    text = _joined(turn)
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
