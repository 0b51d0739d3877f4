"""The bot's reactions to Telegram updates: translate an update into an input, a turn into calls.

Everything that keeps a chat's state (lock, load, redelivery, engine, save) is the channel-free
:class:`~bot.conversation.Conversation`; this module keeps only Telegram's own promises: answer
every callback, expire stale buttons with a toast, keep the chosen answer visible under the
question, private chats only, and no sends to a user who blocked the bot. An intake tap edits the
question in place into the next one (one Telegram call per tap besides the callback answer), and
a question sent as a new message first takes the buttons off the one before, so that no earlier
message keeps buttons that look live.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from telegram import Bot, CallbackQuery, Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.conversation import Conversation, Deliver, Input, Request, Status, Turn
from bot.telegram.callbacks import decode
from bot.telegram.keyboards import keyboard
from bot.telegram.logs import log_error
from bot.telegram.outbox import Outbox
from bot.telegram.retry import Blocked, with_retry
from bot.telegram.splitting import MESSAGE_LIMIT, utf16_len
from dialogs import Command, Event
from locales import TelegramTexts

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
# When neither a turn nor the apology could be sent (Telegram unreachable), try again after this.
RETRY_UNSENT_AFTER = 30.0


class Handlers:
    """The update callbacks, sharing one conversation service and the adapter's texts."""

    def __init__(self, conversation: Conversation, texts: TelegramTexts) -> None:
        self._conversation = conversation
        self._texts = texts
        self._retries: set[asyncio.Task[None]] = set()

    # ---- entry points (registered in bot.telegram.app) -----------------------------------------

    async def on_start(self, update: Update, context: Context) -> None:
        preset = context.args[0] if context.args else ""
        await self._feed(update, context, Event.start(preset))

    async def on_help(self, update: Update, context: Context) -> None:
        await self._feed(update, context, Event.command(Command.HELP))

    async def on_restart(self, update: Update, context: Context) -> None:
        await self._feed(update, context, Event.command(Command.RESTART))

    async def on_back(self, update: Update, context: Context) -> None:
        await self._feed(update, context, Event.command(Command.BACK))

    async def on_text(self, update: Update, context: Context) -> None:
        message = update.effective_message
        text = message.text if message is not None and message.text else ""
        await self._feed(update, context, Event.text(text))

    async def on_tap(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None:
            return
        data = decode(query.data)
        if data is None:
            await self._answer(query, self._texts.expired)
            return
        await self._feed(update, context, Event.option(data.choice), tap_turn=data.turn)

    async def on_privacy(self, update: Update, context: Context) -> None:
        await self._feed(update, context, Request.PRIVACY)

    async def on_forget(self, update: Update, context: Context) -> None:
        await self._feed(update, context, Request.FORGET)

    async def on_model(self, update: Update, context: Context) -> None:
        await self._feed(update, context, Request.MODEL)

    async def on_unsupported(self, update: Update, context: Context) -> None:
        await self._feed(update, context, Request.UNSUPPORTED)

    async def on_edited(self, update: Update, context: Context) -> None:
        await self._feed(update, context, Request.EDITED)

    # ---- the translation -----------------------------------------------------------------------

    async def _feed(
        self, update: Update, context: Context, message: Input, tap_turn: int | None = None
    ) -> None:
        """Hand one input to the service and deliver its turn; blocked users and errors end here."""
        chat = update.effective_chat
        if chat is None:
            return
        outbox = Outbox(context.bot, self._conversation.engine)
        if chat.type != ChatType.PRIVATE:
            await self._group(update, context, outbox)
            return
        key = str(chat.id)
        query = update.callback_query

        async def deliver(turn: Turn) -> int | None:
            if query is not None and not (turn.status is Status.REDELIVERED and not turn.replies):
                # A redelivered tap whose replies went out was answered then; answering twice
                # is refused by Telegram.
                await self._answer(
                    query, self._texts.expired if turn.status is Status.STALE else None
                )
            tapped = query.message if query is not None else None
            tapped_id = tapped.message_id if isinstance(tapped, Message) else None
            if isinstance(tapped, Message) and turn.chosen is not None:
                if await self._edit_in_place(tapped, turn):
                    return tapped.message_id
                await self._show_choice(tapped, turn.chosen, outbox)
            live = turn.keyboard_message
            if live is not None and live != tapped_id and any(r.options for r in turn.replies):
                await self._clear_keyboard(context.bot, chat.id, live)
            return await outbox.replies(chat.id, turn.replies, turn.turn, turn.session)

        try:
            await self._conversation.handle(
                key, update.update_id, message, tap_turn=tap_turn, deliver=deliver
            )
        except Blocked:
            log.info("The user blocked the bot; nothing more is sent to this chat")
            await self._conversation.mark_blocked(key)
        except Exception as err:
            log_error(log, "Delivering a turn failed", err)
            await self._apologise(key, query, chat.id, outbox)

    async def resend(self, bot: Bot, keys: Iterable[str]) -> int:
        """Send the replies a crash or an outage left unsent, chat by chat (see Conversation)."""
        blocked: list[str] = []

        def deliver_to(key: str) -> Deliver:
            outbox = Outbox(bot, self._conversation.engine)

            async def deliver(turn: Turn) -> int | None:
                try:
                    return await outbox.replies(int(key), turn.replies, turn.turn, turn.session)
                except Blocked:
                    blocked.append(key)
                    return None

            return deliver

        sent = await self._conversation.resend(
            (key for key in keys if key.lstrip("-").isdigit()), deliver_to
        )
        for key in blocked:
            await self._conversation.mark_blocked(key)
        return sent

    def _retry_later(self, key: str, bot: Bot) -> None:
        """Neither the turn nor the apology went out: try the saved replies again in a while."""

        async def later() -> None:
            await asyncio.sleep(RETRY_UNSENT_AFTER)
            try:
                await self.resend(bot, [key])
            except Exception as err:
                log_error(log, "Unsent replies not sent on retry", err)

        task = asyncio.create_task(later())
        self._retries.add(task)
        task.add_done_callback(self._retries.discard)

    async def _apologise(
        self, key: str, query: CallbackQuery | None, chat_id: int, outbox: Outbox
    ) -> None:
        """Say sorry with the buttons of the step the user is at, so they can go on at once."""

        async def deliver(turn: Turn) -> int | None:
            if query is not None:
                await self._answer(query)
            return await outbox.replies(chat_id, turn.replies, turn.turn, turn.session)

        try:
            await self._conversation.apologise(key, deliver)
        except Exception as err:
            log_error(log, "Apology not sent", err)
            self._retry_later(key, outbox.bot)

    @staticmethod
    def _fits_in_place(turn: Turn) -> bool:
        """The dialog allows the next question to replace the tapped one, and nothing else is due.

        Only text notes may come before it (they join the edited message); a picture, a file or
        a second question needs messages of its own.
        """
        if turn.status is not Status.DONE or not turn.replies:
            return False
        *notes, question = turn.replies
        if not question.replaces or not question.options:
            return False
        return all(note.attachment is None and not note.options for note in notes)

    async def _edit_in_place(self, message: Message, turn: Turn) -> bool:
        """Edit the tapped question into the next one: one call for the whole tap."""
        if not self._fits_in_place(turn):
            return False
        text = "\n\n".join(reply.text for reply in turn.replies)
        if utf16_len(text) > MESSAGE_LIMIT:
            return False
        markup = keyboard(turn.replies[-1].options, turn.turn)
        try:
            await with_retry(lambda: message.edit_text(text, reply_markup=markup))
        except TelegramError as err:
            log_error(log, "Question not edited in place", err)
            return False
        return True

    async def _clear_keyboard(self, bot: Bot, chat_id: int, message_id: int) -> None:
        """Take the buttons off an earlier question: a new one with live buttons follows."""
        try:
            await with_retry(
                lambda: bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
            )
        except TelegramError as err:
            log_error(log, "Old buttons not removed", err)

    async def _show_choice(self, message: Message, label: str, outbox: Outbox) -> None:
        """Remove the tapped keyboard and keep the chosen answer visible under the question."""
        chosen = self._texts.chosen.format(label=label)
        try:
            if message.text and utf16_len(f"{message.text}\n\n{chosen}") <= MESSAGE_LIMIT:
                text = f"{message.text}\n\n{chosen}"
                await with_retry(lambda: message.edit_text(text, reply_markup=None))
                return
            await with_retry(lambda: message.edit_reply_markup(reply_markup=None))
        except TelegramError as err:
            log_error(log, "Choice not shown in the message", err)
        await outbox.text(message.chat_id, chosen)

    async def _group(self, update: Update, context: Context, outbox: Outbox) -> None:
        """Groups: nothing is stored; point the user to a private chat."""
        chat = update.effective_chat
        if chat is None:
            return
        if update.callback_query is not None:
            await self._answer(update.callback_query)
        username = context.bot.username
        link = f": https://t.me/{username}" if username else ""
        try:
            await outbox.text(chat.id, self._texts.group.format(bot_link=link))
        except (Blocked, TelegramError) as err:
            log_error(log, "Group message not sent", err)

    async def _answer(self, query: CallbackQuery, text: str | None = None) -> None:
        """Answer a callback query; a failure here must never stop the actual reply."""
        try:
            await with_retry(lambda: query.answer(text))
        except (Blocked, TelegramError) as err:
            log_error(log, "Callback not answered", err)
