"""The bot's reactions to Telegram updates: translate an update into an input, a turn into calls.

Everything that keeps a chat's state (lock, load, redelivery, engine, save) is the channel-free
:class:`~bot.conversation.Conversation`; this module keeps only Telegram's own promises: answer
every callback (once), expire stale buttons with a toast, keep the chosen answer visible under the
question, private chats only (a group hears from the bot only when it names the bot), no sends to a
user who blocked the bot, and every turn whole: each message Telegram takes is counted in the
outbox, so a turn resumes at its first message not taken (see :mod:`bot.telegram.outbox` for a send
that may have arrived: a note is let be, the question sent once more). A turn that could not be
finished (a question still in doubt, a network that stays down, a flood-control wait too long to
sit out) keeps its unsent messages in the outbox for a later resend.

No earlier message keeps buttons that look live (the rule and its edits are
:mod:`bot.telegram.live_buttons`): an intake tap edits the tapped question in place into the next
one (one counted call besides the callback answer), and a question sent as a new message first
takes the buttons off the one before (the service remembers which one that is). Such an edit is
the turn's one message: it is marked by the turn's delivered mark, and after a crash it is simply
made again (an edit that finds the message already so changes nothing).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable

from telegram import Bot, CallbackQuery, Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.conversation import Conversation, Deliver, Input, Request, Status, Turn
from bot.telegram.callbacks import decode
from bot.telegram.groups import NoticeGate, addressed_to
from bot.telegram.live_buttons import (
    InPlace,
    clear_old_keyboard,
    edit_in_place,
    edit_into,
    fits_in_place,
    in_place_covers,
)
from bot.telegram.logs import log_error
from bot.telegram.outbox import Outbox, plan
from bot.telegram.retry import (
    Blocked,
    FloodLimited,
    GaveUp,
    MaybeDelivered,
    not_modified,
    with_retry,
)
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
        self._blocking: set[asyncio.Task[None]] = set()
        self._group_notices = NoticeGate()

    @property
    def conversation(self) -> Conversation:
        return self._conversation

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

    async def on_team(self, update: Update, context: Context) -> None:
        await self._feed(update, context, Event.command(Command.TEAM))

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
        kind = message.kind.value if isinstance(message, Event) else message.value
        log.debug("Update %d: %s in a %s chat", update.update_id, kind, chat.type)
        outbox = Outbox(context.bot, self._conversation.engine)
        if chat.type != ChatType.PRIVATE:
            await self._group(update, context, outbox)
            return
        key = str(chat.id)
        query = update.callback_query
        answered = False

        async def decided() -> None:
            """The tap was taken: stop the spinner now, while the turn is being saved."""
            nonlocal answered
            if query is not None and not answered:
                answered = True
                await self._answer(query)

        async def deliver(turn: Turn) -> int | None:
            nonlocal answered
            if answered:
                return await self._show(query, chat.id, turn, outbox)
            if query is not None and not (turn.status is Status.REDELIVERED and not turn.replies):
                # A redelivered tap whose replies went out was answered then; answering twice
                # is refused by Telegram.
                await self._answer(
                    query, self._texts.expired if turn.status is Status.STALE else None
                )
                answered = True
            return await self._show(query, chat.id, turn, outbox)

        try:
            await self._conversation.handle(
                key,
                update.update_id,
                message,
                tap_turn=tap_turn,
                deliver=deliver,
                decided=decided if query is not None else None,
            )
        except Blocked:
            log.info("The user blocked the bot; nothing more is sent to this chat")
            await self._conversation.mark_blocked(key)
        except GaveUp as err:
            log_gave_up(err)
            if isinstance(err, MaybeDelivered):  # the question is still in the outbox: try later
                self._retry_later(key, context.bot)
        except Exception as err:
            log_error(log, "Delivering a turn failed", err)
            await self._apologise(key, None if answered else query, chat.id, outbox)

    async def _show(
        self, query: CallbackQuery | None, chat_id: int, turn: Turn, outbox: Outbox
    ) -> int | None:
        """Show a turn in the chat (its callback answered); returns the live buttons' message.

        An intake tap edits the tapped question in place; otherwise the old buttons go and the
        turn's messages follow, from the first one not taken yet.
        """
        if turn.status is Status.REDELIVERED and not turn.replies:
            return turn.keyboard_message  # nothing sent: the live buttons stay where they are
        if turn.sent > 0:  # a crash cut the turn short: the rest, nothing twice
            return await send_replies(outbox, chat_id, turn)
        tapped = query.message if query is not None else None
        cleared: int | None = None
        if isinstance(tapped, Message) and turn.chosen is not None:
            done = await edit_in_place(tapped, turn)
            if done is InPlace.EDITED:
                if turn.keyboard_message not in (None, tapped.message_id):
                    await clear_old_keyboard(outbox.bot, chat_id, turn)
                return await after_in_place(outbox, chat_id, turn, tapped.message_id)
            if done is InPlace.UNFIT:
                await self._show_choice(tapped, turn.chosen, outbox)
            cleared = tapped.message_id
        # Where the record does not know the live buttons (its note of them may have failed
        # to save), the tapped message is the one that has them.
        live = turn.keyboard_message
        if live is None and isinstance(tapped, Message):
            live = tapped.message_id
        if live != cleared:
            await clear_old_keyboard(outbox.bot, chat_id, turn, live)
        return await send_replies(outbox, chat_id, turn)

    async def resend(self, bot: Bot, keys: Iterable[str]) -> int:
        """Send the replies a crash or an outage left unsent, chat by chat (see Conversation)."""
        blocked: list[str] = []

        def deliver_to(key: str) -> Deliver:
            outbox = Outbox(bot, self._conversation.engine)

            async def deliver(turn: Turn) -> int | None:
                try:
                    return await resend_replies(outbox, int(key), turn)
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

    def check_in_delivery(self, bot: Bot) -> Callable[[str], Deliver]:
        """How the scheduler delivers a check-in: as replies, a blocked user marked as such."""

        def deliver_to(key: str) -> Deliver:
            outbox = Outbox(bot, self._conversation.engine)

            async def deliver(turn: Turn) -> int | None:
                try:
                    # The check-in first: when it fails, the question before it keeps its buttons
                    # (the check-in is then not used up, and comes on a later tick).
                    live = await send_replies(outbox, int(key), turn)
                    if turn.sent == 0:
                        await clear_old_keyboard(bot, int(key), turn)
                    return live
                except MaybeDelivered:
                    # A check-in cut short after its first message keeps the rest in the outbox
                    # (one not started at all is put back and comes on a later tick).
                    self._retry_later(key, bot)
                    raise
                except Blocked:
                    log.info("The user blocked the bot; the check-in was not sent")
                    # Marked once the check-in lets go of the chat's lock.
                    task = asyncio.create_task(self._conversation.mark_blocked(key))
                    self._blocking.add(task)
                    task.add_done_callback(self._blocking.discard)
                    raise

            return deliver

        return deliver_to

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
            await clear_old_keyboard(outbox.bot, chat_id, turn)
            return await send_replies(outbox, chat_id, turn)

        try:
            await self._conversation.apologise(key, deliver)
        except GaveUp as err:
            log_gave_up(err)
        except Exception as err:
            log_error(log, "Apology not sent", err)
            self._retry_later(key, outbox.bot)

    async def _show_choice(self, message: Message, label: str, outbox: Outbox) -> None:
        """Remove the tapped keyboard and keep the chosen answer visible under the question."""
        chosen = self._texts.chosen.format(label=label)
        try:
            if message.text and utf16_len(f"{message.text}\n\n{chosen}") <= MESSAGE_LIMIT:
                text = f"{message.text}\n\n{chosen}"
                await with_retry(
                    lambda: message.edit_text(text, reply_markup=None), idempotent=True
                )
                return
            await with_retry(lambda: message.edit_reply_markup(reply_markup=None), idempotent=True)
        except TelegramError as err:
            if not_modified(err):  # an earlier attempt got through: the choice is shown
                return
            log_error(log, "Choice not shown in the message", err)
        await outbox.text(message.chat_id, chosen)

    async def _group(self, update: Update, context: Context, outbox: Outbox) -> None:
        """Groups: nothing is stored; a message naming the bot (or a tap) gets a pointer to a
        private chat, at most once per group per hour. Everything else, edits included, is let be.
        """
        chat = update.effective_chat
        if chat is None:
            return
        username = context.bot.username
        try:
            if update.callback_query is not None:
                await self._answer(update.callback_query)
            elif update.message is None or not addressed_to(update.message, username):
                return
            if not self._group_notices.allow(chat.id):
                return
            link = f": https://t.me/{username}" if username else ""
            await outbox.text(chat.id, self._texts.group.format(bot_link=link))
        except (Blocked, GaveUp, TelegramError) as err:
            log_error(log, "Group message not sent", err)

    async def _answer(self, query: CallbackQuery, text: str | None = None) -> None:
        """Answer a callback query; a failure here must never stop the actual reply."""
        try:
            await with_retry(lambda: query.answer(text), idempotent=True)
        except (Blocked, TelegramError) as err:
            log_error(log, "Callback not answered", err)


async def send_replies(outbox: Outbox, chat_id: int, turn: Turn) -> int | None:
    """Send a turn's messages from the first one not yet taken, counting each one taken.

    Returns the id of the message that now carries the live buttons: the question sent now, or
    (when it went out before a crash) the one the record knows. Raises what ends the turn early
    (see :meth:`Outbox.replies`); the messages not taken then stay in the outbox.
    """
    live = await outbox.replies(
        chat_id,
        turn.replies,
        turn.turn,
        turn.session,
        start=turn.sent,
        taken=turn.taken,
        layout=turn.layout,
    )
    return live if live is not None or turn.sent == 0 else turn.keyboard_message


async def after_in_place(outbox: Outbox, chat_id: int, turn: Turn, edited: int) -> int:
    """The question was edited into message `edited`: count it, and send what follows it.

    The edit stands for the first message(s) of the plan (:func:`in_place_covers`); a file that
    illustrates follows as a new message. Returns `edited`, the message with the live buttons.
    """
    covers = in_place_covers(turn)
    total = len(plan(turn.replies, turn.turn, turn.layout))
    if covers < total:
        await turn.taken(covers, edited, False)  # more follows: covers < total
        await outbox.replies(
            chat_id,
            turn.replies,
            turn.turn,
            turn.session,
            start=covers,
            taken=turn.taken,
            layout=turn.layout,
        )
    return edited


async def resend_replies(outbox: Outbox, chat_id: int, turn: Turn) -> int | None:
    """Send a turn that a crash left in the outbox.

    A turn meant to take the place of the question it answers is edited into that message (an
    edit that finds the message already so counts as done: it went out before the crash); when
    that cannot be, the old buttons are taken away and the replies are sent as new messages.
    """
    if turn.sent > 0:  # messages of it went out as new ones: the rest follows them
        return await send_replies(outbox, chat_id, turn)
    live = turn.keyboard_message
    fits = live is not None and fits_in_place(turn)
    if (
        live is not None
        and fits
        and await edit_into(outbox.bot, chat_id, live, turn) is InPlace.EDITED
    ):
        return await after_in_place(outbox, chat_id, turn, live)
    await clear_old_keyboard(outbox.bot, chat_id, turn)
    return await send_replies(outbox, chat_id, turn)


def log_gave_up(err: GaveUp) -> None:
    """One line, no user data: why this turn ends without more messages (and without an apology)."""
    if isinstance(err, FloodLimited):
        log.warning("Flood control asks for %.0f s; this turn is dropped", err.retry_after)
        return
    causes: list[str] = []
    cause = err.__cause__
    while cause is not None and len(causes) < 3:
        causes.append(f"{type(cause).__module__.split('.')[0]}.{type(cause).__name__}")
        cause = cause.__cause__
    log.warning(
        "A send may have reached Telegram (%s); the rest of the turn waits in the outbox",
        " <- ".join(causes) or "unknown cause",
    )
