"""The bot's reactions to Telegram updates: one small callback per kind of update.

Every callback follows the same discipline, inside the chat's lock:
load the chat's record → decide → save (before anything is sent) → answer.
So a reply the user sees always corresponds to a stored state, and a process killed at any moment
loses nothing that was acknowledged. Domain decisions are the engine's; this module only translates
between Telegram and :class:`dialogs.Engine` and keeps the Telegram-specific promises (answer every
callback first, expire stale buttons, keep the chosen answer visible, private chats only).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.persistence import ChatLocks, ChatRecord, SessionStore
from bot.persistence.records import utc_now
from bot.telegram.callbacks import FORGET_CANCEL, FORGET_CONFIRM, CallbackData, decode
from bot.telegram.keyboards import keyboard
from bot.telegram.logs import log_error
from bot.telegram.outbox import Outbox
from bot.telegram.retry import Blocked, with_retry
from bot.telegram.splitting import MESSAGE_LIMIT, utf16_len
from bot.texts import Texts
from dialogs import Command, Engine, Event, EventKind, Option, Session, new_session

log = logging.getLogger(__name__)

# Telegram keeps undelivered updates for 24 hours; an update id at or below the last one handled is
# a redelivery only within that window (after a week of silence Telegram may restart its numbering).
REDELIVERY_WINDOW = timedelta(hours=24)

Context = ContextTypes.DEFAULT_TYPE
Action = Callable[[Update, int, ChatRecord | None, Outbox], Awaitable[None]]


class Handlers:
    """The update callbacks, sharing the engine, the store, the texts and the per-chat locks."""

    def __init__(
        self, engine: Engine, store: SessionStore, texts: Texts, retention_days: float
    ) -> None:
        self._engine = engine
        self._store = store
        self._texts = texts
        self._retention_days = retention_days
        self._locks = ChatLocks()

    # ---- entry points (registered in bot.telegram.app) -----------------------------------------

    async def on_start(self, update: Update, context: Context) -> None:
        preset = context.args[0] if context.args else ""
        await self._run(update, context, self._event(Event.start(preset)))

    async def on_help(self, update: Update, context: Context) -> None:
        await self._run(update, context, self._event(Event.command(Command.HELP)))

    async def on_restart(self, update: Update, context: Context) -> None:
        await self._run(update, context, self._event(Event.command(Command.RESTART)))

    async def on_back(self, update: Update, context: Context) -> None:
        await self._run(update, context, self._event(Event.command(Command.BACK)))

    async def on_text(self, update: Update, context: Context) -> None:
        await self._run(update, context, self._typed)

    async def on_tap(self, update: Update, context: Context) -> None:
        await self._run(update, context, self._tap)

    async def on_privacy(self, update: Update, context: Context) -> None:
        await self._run(update, context, self._privacy)

    async def on_forget(self, update: Update, context: Context) -> None:
        await self._run(update, context, self._ask_forget)

    async def on_model(self, update: Update, context: Context) -> None:
        await self._run(update, context, self._model)

    async def on_unsupported(self, update: Update, context: Context) -> None:
        await self._run(update, context, self._notice(self._texts.unsupported))

    async def on_edited(self, update: Update, context: Context) -> None:
        await self._run(update, context, self._notice(self._texts.edited))

    # ---- the common frame ----------------------------------------------------------------------

    async def _run(self, update: Update, context: Context, action: Action) -> None:
        """Group check, chat lock, redelivery check, and the safety net around `action`."""
        chat = update.effective_chat
        if chat is None:
            return
        outbox = Outbox(context.bot, self._engine)
        if chat.type != ChatType.PRIVATE:
            await self._group(update, context, outbox)
            return
        async with self._locks.for_chat(str(chat.id)):
            record: ChatRecord | None = None
            try:
                record = await asyncio.to_thread(self._store.load, str(chat.id))
                if record is not None and self._is_redelivery(record, update.update_id):
                    await self._resume(update, chat.id, record, outbox)
                else:
                    await action(update, chat.id, record, outbox)
            except Blocked:
                log.info("Gebruiker heeft de bot geblokkeerd; er wordt niets meer verstuurd")
                if record is not None or self._store.path_for(str(chat.id)).exists():
                    await asyncio.to_thread(self._store.mark_blocked, str(chat.id))
            except Exception as err:
                log_error(log, "Fout bij het verwerken van een update", err)
                await self._apologise(update, chat.id, outbox)

    @staticmethod
    def _is_redelivery(record: ChatRecord, update_id: int) -> bool:
        recent = record.saved_at > utc_now() - REDELIVERY_WINDOW
        return recent and 0 < update_id <= record.last_update_id

    async def _save(self, chat_id: int, record: ChatRecord, update: Update) -> None:
        record.last_update_id = max(record.last_update_id, update.update_id)
        record.blocked = False
        await asyncio.to_thread(self._store.save, str(chat_id), record)

    # ---- dialog steps --------------------------------------------------------------------------

    def _event(self, event: Event) -> Action:
        async def feed(
            update: Update, chat_id: int, record: ChatRecord | None, outbox: Outbox
        ) -> None:
            await self._dialog(update, chat_id, record, outbox, event)

        return feed

    async def _dialog(
        self,
        update: Update,
        chat_id: int,
        record: ChatRecord | None,
        outbox: Outbox,
        event: Event,
    ) -> None:
        """Feed one event to the engine; a first contact always starts the conversation."""
        record = record or ChatRecord()
        if record.session is None:
            record.session = new_session()
            if event.kind is not EventKind.START:
                event = Event.start()
        session = record.session
        replies = self._engine.handle(session, event)
        await self._save(chat_id, record, update)
        await outbox.replies(chat_id, replies, session)

    async def _typed(
        self, update: Update, chat_id: int, record: ChatRecord | None, outbox: Outbox
    ) -> None:
        """Typed text: an option's label or id counts as choosing it; other text is never kept."""
        message = update.effective_message
        text = message.text if message is not None and message.text else ""
        event = Event.text(text)
        if record is not None and record.session is not None:
            option = self._engine.match_option(record.session, text)
            if option is not None:
                event = Event.option(option.id)
        await self._dialog(update, chat_id, record, outbox, event)

    async def _tap(
        self, update: Update, chat_id: int, record: ChatRecord | None, outbox: Outbox
    ) -> None:
        """A button: accepted only when it belongs to the current turn and step."""
        query = update.callback_query
        if query is None:
            return
        data = decode(query.data)
        session = record.session if record is not None else None
        turn = session.turn if session is not None else 0
        if data is None or record is None or data.turn != turn:
            await self._answer(query, self._texts.expired)
            return
        if data.choice in (FORGET_CONFIRM, FORGET_CANCEL):
            await self._confirm_forget(update, query, chat_id, record, outbox, data.choice)
            return
        option = self._current_option(session, data.choice)
        if session is None or option is None:
            await self._answer(query, self._texts.expired)
            return
        await self._answer(query)
        replies = self._engine.handle(session, Event.option(option.id))
        await self._save(chat_id, record, update)
        await self._show_choice(query, option.label, outbox)
        await outbox.replies(chat_id, replies, session)

    def _current_option(self, session: Session | None, option_id: str) -> Option | None:
        if session is None:
            return None
        return next((o for o in self._engine.current_options(session) if o.id == option_id), None)

    async def _show_choice(self, query: CallbackQuery, label: str, outbox: Outbox) -> None:
        """Remove the tapped keyboard and keep the chosen answer visible under the question."""
        message = query.message
        if not isinstance(message, Message):
            return
        chosen = self._texts.chosen.format(label=label)
        try:
            if message.text and utf16_len(f"{message.text}\n\n{chosen}") <= MESSAGE_LIMIT:
                text = f"{message.text}\n\n{chosen}"
                await with_retry(lambda: message.edit_text(text, reply_markup=None))
                return
            await with_retry(lambda: message.edit_reply_markup(reply_markup=None))
        except TelegramError as err:
            log_error(log, "Keuze niet in het bericht gezet", err)
        await outbox.text(message.chat_id, chosen)

    async def _resume(
        self, update: Update, chat_id: int, record: ChatRecord, outbox: Outbox
    ) -> None:
        """An update handled before a crash comes again: show where the user is, change nothing."""
        if update.callback_query is not None:
            await self._answer(update.callback_query)
        if record.session is None:
            return
        probe = record.session.model_copy(deep=True)
        replies = self._engine.handle(probe, Event.command(Command.HELP))
        await outbox.text(chat_id, self._texts.resumed)
        await outbox.replies(chat_id, replies, record.session)

    # ---- adapter-only commands -----------------------------------------------------------------

    async def _privacy(
        self, update: Update, chat_id: int, record: ChatRecord | None, outbox: Outbox
    ) -> None:
        days = self._retention_days
        shown = f"{days:g}".replace(".", ",")
        general = self._texts.privacy.format(retention_days=shown)
        await outbox.text(chat_id, f"{general}\n\n{self._stored_summary(record)}")

    def _stored_summary(self, record: ChatRecord | None) -> str:
        """The user's own record in plain words: everything it holds, nothing else."""
        texts = self._texts.stored
        session = record.session if record is not None else None
        if record is None or session is None:
            return texts.nothing
        role = self._engine.role_label(session.role) if session.role else texts.unknown
        phase = (
            self._engine.knowledge.phase(session.phase).label if session.phase else texts.unknown
        )
        return "\n".join(
            [
                texts.heading,
                texts.role.format(role=role),
                texts.phase.format(phase=phase),
                texts.answers.format(count=len(session.history)),
                texts.saved_at.format(date=record.saved_at.strftime("%d-%m-%Y %H:%M UTC")),
            ]
        )

    async def _ask_forget(
        self, update: Update, chat_id: int, record: ChatRecord | None, outbox: Outbox
    ) -> None:
        if record is None:
            await outbox.text(chat_id, self._texts.forget.nothing)
            return
        turn = record.session.turn if record.session is not None else 0
        buttons = [
            [InlineKeyboardButton(label, callback_data=CallbackData(turn, choice).encode())]
            for label, choice in (
                (self._texts.forget.confirm, FORGET_CONFIRM),
                (self._texts.forget.cancel, FORGET_CANCEL),
            )
        ]
        await outbox.text(chat_id, self._texts.forget.question, InlineKeyboardMarkup(buttons))

    async def _confirm_forget(
        self,
        update: Update,
        query: CallbackQuery,
        chat_id: int,
        record: ChatRecord,
        outbox: Outbox,
        choice: str,
    ) -> None:
        await self._answer(query)
        if choice == FORGET_CONFIRM:
            await asyncio.to_thread(self._store.erase, str(chat_id))
            await self._show_choice(query, self._texts.forget.confirm, outbox)
            await outbox.text(chat_id, self._texts.forget.done)
        else:
            await self._show_choice(query, self._texts.forget.cancel, outbox)
            await outbox.text(chat_id, self._texts.forget.cancelled)

    async def _model(
        self, update: Update, chat_id: int, record: ChatRecord | None, outbox: Outbox
    ) -> None:
        session = record.session if record is not None and record.session else new_session()
        await outbox.attachment(chat_id, "model_picture", session)

    def _notice(self, text: str) -> Action:
        """Something the bot cannot read (a photo, an edit): say what it understands, keep all."""

        async def notice(
            update: Update, chat_id: int, record: ChatRecord | None, outbox: Outbox
        ) -> None:
            await outbox.text(chat_id, text)

        return notice

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
            log_error(log, "Groepsbericht niet verstuurd", err)

    # ---- small helpers -------------------------------------------------------------------------

    async def _answer(self, query: CallbackQuery, text: str | None = None) -> None:
        """Answer a callback query; a failure here must never stop the actual reply."""
        try:
            await with_retry(lambda: query.answer(text))
        except (Blocked, TelegramError) as err:
            log_error(log, "Callback niet beantwoord", err)

    async def _apologise(self, update: Update, chat_id: int, outbox: Outbox) -> None:
        """Say sorry with the buttons of the step the user is at, so they can go on at once."""
        if update.callback_query is not None:
            await self._answer(update.callback_query)
        try:
            record = await asyncio.to_thread(self._store.load, str(chat_id))
            session = record.session if record is not None else None
            markup = None
            if session is not None:
                markup = keyboard(self._engine.current_options(session), session.turn)
            await outbox.text(chat_id, self._texts.error, markup)
        except Exception as err:
            log_error(log, "Excuus niet verstuurd", err)
