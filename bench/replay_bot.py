"""The same-traffic floor: a bare python-telegram-bot bot that replays our bot's recorded calls.

For each update of the scripted conversation (/start, then each tap) it makes exactly the calls our
bot made for it, with the same payloads (texts, keyboards, the picture's bytes): see
`bench.script`. It has no dialog, knowledge or storage, so the ratio against it isolates what those
cost. Built with the same settings as the real bot (`bench.floor`: same server, concurrent updates,
polling timeout, allowed updates). A button's callback data names the step it leads to.

With `--rate-limiter` it runs under PTB's AIORateLimiter (default rates: 30 calls a second, 20 a
minute per group; up to RETRIES retries after a 429), the baseline of the flood-control benchmark.

With `--durable-writes BYTES` it also does our bot's disk work for each update: it reads the
chat's file and replaces it durably by BYTES bytes, with our own primitive
(`bot.persistence.atomic`: temp file, fsync, rename, directory fsync) under `$BOT_DATA_DIR`. It
does so on its event loop, blocking it: the least CPU that work can cost, as a thread's hand-over
and its passing of the interpreter lock cost more (ours runs it in a worker, so the loop goes on
meanwhile). No dialog, no knowledge, no parsing: the ratio against this floor is what our bot
costs besides keeping each turn on disk (a report line of `bench.e2e_throughput`).

    python -m bench.replay_bot SCRIPT.json [--rate-limiter] [--durable-writes BYTES]
"""

from __future__ import annotations

import argparse
import contextlib
import os
from pathlib import Path
from typing import Any

from telegram import Bot, CallbackQuery, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.ext import AIORateLimiter, CallbackQueryHandler, CommandHandler, ContextTypes

from bench.floor import builder_from_env, poll
from bench.script import SENDS, TAPPED, Script, ScriptCall
from bot.persistence.atomic import atomic_write_bytes
from bot.persistence.keys import shard_of
from bot.persistence.store import read_regular

RETRIES = 3


def retagged(markup: Any, step: int) -> InlineKeyboardMarkup | None:
    """The recorded keyboard, each button's callback data now naming the next step."""
    if not markup:
        return None
    rows = [
        [
            {**button, "callback_data": f"{step}:{str(button['callback_data']).split(':', 1)[-1]}"}
            if "callback_data" in button
            else button
            for button in row
        ]
        for row in markup["inline_keyboard"]
    ]
    return InlineKeyboardMarkup.de_json({"inline_keyboard": rows}, None)


class DurableWrites:
    """Per update, our bot's disk work without its content: read the chat's file, then replace
    it durably by a record of the same size."""

    def __init__(self, directory: Path, size: int) -> None:
        self._directory = directory
        self._record = b"x" * size

    def turn(self, chat_id: int) -> None:
        key = str(chat_id)
        path = self._directory / shard_of(key) / f"{key}.json"
        with contextlib.suppress(FileNotFoundError):  # the chat's first update: nothing yet
            read_regular(path)
        atomic_write_bytes(path, self._record)


class Replayer:
    """Plays the script's step for each update; remembers per chat the newest message it sent."""

    def __init__(self, script: Script, writes: DurableWrites | None = None) -> None:
        self._script = script
        self._writes = writes
        self._newest: dict[int, int] = {}

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        if chat is not None:
            self._written(chat.id)
            await self._play(0, chat.id, None, None, context.bot)

    async def on_tap(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or query.message is None or query.data is None:
            return
        step = int(query.data.split(":", 1)[0])
        self._written(query.message.chat.id)
        await self._play(step, query.message.chat.id, query.message.message_id, query, context.bot)

    def _written(self, chat_id: int) -> None:
        """The update's disk work, before its calls (ours saves a turn before sending it)."""
        if self._writes is not None:
            self._writes.turn(chat_id)  # blocking, on purpose: see the module docstring

    async def _play(
        self, step: int, chat_id: int, tapped: int | None, query: CallbackQuery | None, bot: Bot
    ) -> None:
        if step >= len(self._script.steps):
            if query is not None:
                await query.answer()
            return
        for call in self._script.steps[step]:
            await self._call(call, step + 1, chat_id, tapped, query, bot)

    async def _call(
        self,
        call: ScriptCall,
        next_step: int,
        chat_id: int,
        tapped: int | None,
        query: CallbackQuery | None,
        bot: Bot,
    ) -> None:
        payload = dict(call.payload)
        markup = retagged(payload.pop("reply_markup", None), next_step)
        if call.method == "answerCallbackQuery":
            assert query is not None
            await query.answer(payload.pop("text", None), **_kw(payload))
        elif call.method == "sendChatAction":
            await bot.send_chat_action(chat_id, payload.pop("action"), **_kw(payload))
        elif call.method in SENDS:
            sent = await self._send(call, chat_id, markup, payload, bot)
            self._newest[chat_id] = sent.message_id
        else:
            target = tapped if call.target == TAPPED else self._newest.get(chat_id)
            if target is None:
                raise RuntimeError(f"{call.method} of a message this chat does not have")
            await _edit(call.method, chat_id, target, markup, payload, bot)

    async def _send(
        self,
        call: ScriptCall,
        chat_id: int,
        markup: InlineKeyboardMarkup | None,
        payload: dict[str, Any],
        bot: Bot,
    ) -> Message:
        if call.method == "sendMessage":
            return await bot.send_message(
                chat_id, payload.pop("text"), reply_markup=markup, **_kw(payload)
            )
        assert call.file is not None
        name, data = self._script.files[call.file]
        caption = payload.pop("caption", None)
        file = InputFile(data, filename=name)
        if call.method == "sendPhoto":
            return await bot.send_photo(
                chat_id, file, caption=caption, reply_markup=markup, **_kw(payload)
            )
        return await bot.send_document(
            chat_id, file, caption=caption, reply_markup=markup, **_kw(payload)
        )


async def _edit(
    method: str,
    chat_id: int,
    message_id: int,
    markup: InlineKeyboardMarkup | None,
    payload: dict[str, Any],
    bot: Bot,
) -> None:
    if method == "editMessageText":
        await bot.edit_message_text(
            payload.pop("text"),
            chat_id=chat_id,
            message_id=message_id,
            reply_markup=markup,
            **_kw(payload),
        )
    elif method == "editMessageReplyMarkup":
        await bot.edit_message_reply_markup(
            chat_id=chat_id, message_id=message_id, reply_markup=markup, **_kw(payload)
        )
    elif method == "editMessageCaption":
        await bot.edit_message_caption(
            chat_id=chat_id,
            message_id=message_id,
            caption=payload.pop("caption", None),
            reply_markup=markup,
            **_kw(payload),
        )
    elif method == "deleteMessage":
        await bot.delete_message(chat_id, message_id, **_kw(payload))
    else:
        raise RuntimeError(f"the replay bot cannot make {method} calls")


def _kw(payload: dict[str, Any]) -> dict[str, Any]:
    """Whatever else was recorded goes along unchanged, as extra API parameters."""
    return {"api_kwargs": payload} if payload else {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("script", help="the recorded script (JSON)")
    parser.add_argument("--rate-limiter", action="store_true", help="PTB's AIORateLimiter")
    parser.add_argument(
        "--durable-writes", type=int, metavar="BYTES", help="our disk work per update (see above)"
    )
    args = parser.parse_args()
    writes = None
    if args.durable_writes is not None:
        writes = DurableWrites(Path(os.environ["BOT_DATA_DIR"]) / "sessions", args.durable_writes)
    replayer = Replayer(Script.load(Path(args.script)), writes)
    builder = builder_from_env()
    app = (
        builder.rate_limiter(AIORateLimiter(max_retries=RETRIES)).build()
        if args.rate_limiter
        else builder.build()
    )
    app.add_handler(CommandHandler("start", replayer.on_start))
    app.add_handler(CallbackQueryHandler(replayer.on_tap))
    poll(app)


if __name__ == "__main__":
    main()
