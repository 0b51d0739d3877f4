"""Running the real bot process against the fake Bot API, and playing users through it.

Used by the end-to-end tests and reusable by benchmarks: :class:`BotProcess` starts
`python -m bot` with the settings pointing at the fake server (and nowhere else), :class:`User`
taps buttons and types like a person would, waiting for the bot's answers with bounded waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from bot.telegram.limits import TEST_PACE_ENV
from bot.telegram.parking import PARKED_DIR
from bot.telegram.webhook import SECRET_HEADER
from fake_bot_api.server import BotMessage, FakeBotApi
from fake_bot_api.webhook_sender import WebhookSender

REPO = Path(__file__).resolve().parents[2]
# Generous bound: only a broken bot ever reaches it. A test that waits out Telegram's longest
# flood wait the bot accepts (60 s) on a busy 2-core machine must still fit in it.
WAIT = 180.0
# The bot's flood limiter at a hundredth of Telegram's intervals (the test-only setting in
# bot/telegram/limits.py): a tap costs milliseconds instead of a second per message in the chat.
# A test that checks Telegram's own pace passes {TEST_PACE_ENV: "1"} in the process's env.
FAST_PACE = "0.01"


def clean_environ() -> dict[str, str]:
    """This process's environment without any TELEGRAM_ or BOT_ setting, for a bot started here:
    a developer's own token, mode or data directory never reaches a test's bot."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}


def free_port() -> int:
    """A port on 127.0.0.1 where nothing listens now (for a webhook, or a server that is down)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class BotProcess:
    """`python -m bot` as a child process, with its own data directory and captured output."""

    def __init__(self, api: FakeBotApi, workdir: Path, **env: str) -> None:
        self.api = api
        self.workdir = workdir
        self.data_dir = workdir / "data"
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def stdout_path(self) -> Path:
        return self.workdir / f"bot-{self.starts}.out"

    @property
    def stderr_path(self) -> Path:
        return self.workdir / f"bot-{self.starts}.err"

    def all_handled(self) -> bool:
        """Every update sent so far was handled: Telegram holds none for the bot, and none waits
        parked on disk (the poller confirms an update in hand once it is parked, so an empty
        queue at Telegram alone does not say it was handled)."""
        parked = self.data_dir / PARKED_DIR
        return self.api.pending_updates() == 0 and not any(parked.glob("*.json"))

    def output(self) -> str:
        """Everything every run of the process wrote to stdout and stderr."""
        parts = []
        for path in sorted(self.workdir.glob("bot-*.out")) + sorted(self.workdir.glob("bot-*.err")):
            parts.append(path.read_text(encoding="utf-8", errors="replace"))
        return "\n".join(parts)

    async def start(self, *args: str) -> None:
        """Start the bot and wait until it polls or serves its webhook (its menu is set by then)."""
        self.starts += 1
        env = {
            **clean_environ(),
            "TELEGRAM_BOT_TOKEN": self.api.token,
            "TELEGRAM_API_URL": self.api.url,
            "BOT_DATA_DIR": str(self.data_dir),
            "BOT_POLL_TIMEOUT": "2",
            TEST_PACE_ENV: FAST_PACE,
            "PYTHONUNBUFFERED": "1",
            **self.env,
        }
        # Ready when it polls, or (webhook mode) when it has registered its webhook.
        ready = "setWebhook" if env.get("BOT_MODE") == "webhook" else "getUpdates"
        polls_before = len(self.api.method_calls(ready))
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot", *args],
                cwd=self.workdir,  # no developer .env is read
                env=env,
                stdout=out,
                stderr=err,
            )
        await self.wait_for(
            lambda: len(self.api.method_calls(ready)) > polls_before, what=f"bot ready ({ready})"
        )

    def kill(self) -> None:
        """SIGKILL: no clean-up code of the bot runs."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    async def kill_and_drain(self) -> int:
        """SIGKILL, then wait until the server has read every request the dead bot wrote.

        Returns how many calls the server has recorded by then: every call below that index was
        made by a bot that is now dead, so a call at or above it was made after the restart.
        Counted before the kill, a request still unread in a socket would be recorded after the
        count and taken for the new bot's.
        """
        self.kill()
        return await self.api.drained()

    async def stop(self) -> int:
        """SIGTERM and wait for a clean exit (PTB shuts down gracefully)."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT
        while self.proc.poll() is None:
            if loop.time() > deadline:
                self.proc.kill()
                raise AssertionError("bot did not stop on SIGTERM")
            await asyncio.sleep(0.05)
        return self.proc.returncode

    def _log_tail(self) -> str:
        """The end of the current run's log (it holds no names or texts: the bot's log rules)."""
        try:
            return self.stderr_path.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    async def wait_for(self, predicate: Callable[[], Any], *, what: str = "condition") -> Any:
        """Like FakeBotApi.wait_for, but fails at once (with the bot's stderr) if the bot died."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT
        while True:
            result = predicate()
            if result:
                return result
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(
                    f"bot exited ({self.proc.returncode}) while waiting for {what}:\n"
                    + self._log_tail()
                )
            if loop.time() > deadline:
                raise AssertionError(
                    f"gave up waiting for {what} ({self.api.pending_updates()} updates pending,"
                    f" {len(list((self.data_dir / PARKED_DIR).glob('*.json')))} parked files);"
                    " the bot's log ends:\n" + self._log_tail()
                )
            await asyncio.sleep(0.02)


# The id of the button that shows the next page of a long list ("Meer opties").
MORE = "_meer"


def option_id(button: dict[str, Any]) -> str:
    return str(button["callback_data"]).split(":", 1)[1]


class User:
    """One simulated Telegram user in a private chat (chat id = user id)."""

    def __init__(self, bot: BotProcess, chat_id: int) -> None:
        self.bot = bot
        self.api = bot.api
        self.chat_id = chat_id

    def messages(self) -> list[BotMessage]:
        return self.api.chat(self.chat_id)

    def question(self) -> BotMessage:
        """The newest message with buttons (what the user would tap now)."""
        message = self.api.last_with_buttons(self.chat_id)
        assert message is not None, "no message with buttons yet"
        return message

    def options(self) -> list[str]:
        return [option_id(button) for button in self.question().buttons()]

    def _newest_id(self) -> int:
        messages = self.messages()
        return messages[-1].message_id if messages else 0

    async def _question_after(self, message_id: int) -> BotMessage:
        def newer() -> BotMessage | None:
            found = self.api.last_with_buttons(self.chat_id)
            return found if found is not None and found.message_id > message_id else None

        result: BotMessage = await self.bot.wait_for(newer, what=f"question in {self.chat_id}")
        return result

    async def reply_after(self, message_id: int, count: int = 1) -> list[BotMessage]:
        """Wait for `count` new bot messages after `message_id`; returns all new ones."""

        def new() -> list[BotMessage]:
            fresh = [m for m in self.messages() if m.message_id > message_id]
            return fresh if len(fresh) >= count else []

        result: list[BotMessage] = await self.bot.wait_for(new, what=f"reply in {self.chat_id}")
        return result

    async def send(self, text: str) -> BotMessage:
        """Type `text` (e.g. a command) and wait for the next question."""
        update = self.api.send_text(self.chat_id, text)
        return await self._question_after(update["message"]["message_id"])

    async def say(self, text: str, replies: int = 1) -> list[BotMessage]:
        """Type `text` and wait for `replies` messages (for answers without buttons)."""
        update = self.api.send_text(self.chat_id, text)
        return await self.reply_after(update["message"]["message_id"], replies)

    async def choose(self, option: str) -> BotMessage:
        """Tap the button for `option` under the current question; wait for the next question.

        The next question is a new message, or the tapped one edited in place (an intake step).
        """
        question = self.question()
        labels = [b["text"] for b in question.buttons() if option_id(b) == option]
        assert labels, f"option {option!r} not offered; offered: {self.options()}"
        newest = self._newest_id()
        edits = question.edits
        query_id = self.api.tap(self.chat_id, question.message_id, label=labels[0])
        await self.bot.wait_for(
            lambda: self.api.callback_queries[query_id].answered, what="callback answer"
        )

        def next_question() -> BotMessage | None:
            found = self.api.last_with_buttons(self.chat_id)
            if found is None:
                return None
            if found.message_id > newest:
                return found
            edited = found.message_id == question.message_id and found.edits > edits
            return found if edited else None

        result: BotMessage = await self.bot.wait_for(
            next_question, what=f"question in {self.chat_id}"
        )
        return result

    async def choose_anywhere(self, option: str) -> BotMessage:
        """Tap `option`, paging with "Meer opties" until the question shows it."""
        for _ in range(10):
            if option in self.options():
                return await self.choose(option)
            assert MORE in self.options(), f"option {option!r} not offered: {self.options()}"
            await self.choose(MORE)
        raise AssertionError(f"option {option!r} not found on any page")

    async def tap_label(self, label: str, replies: int = 1) -> list[BotMessage]:
        """Tap the button `label` under the current question; wait for `replies` new messages."""
        newest = self._newest_id()
        query_id = self.api.tap(self.chat_id, self.question().message_id, label=label)
        await self.bot.wait_for(
            lambda: self.api.callback_queries[query_id].answered, what="callback answer"
        )
        return await self.reply_after(newest, replies)

    async def tap_raw(self, message_id: int, data: str) -> str | None:
        """Send callback `data` as if from the button of `message_id`; returns the answer text."""
        query_id = self.api.tap(self.chat_id, message_id, data=data)
        await self.bot.wait_for(
            lambda: self.api.callback_queries[query_id].answered, what="callback answer"
        )
        return self.api.callback_queries[query_id].answer_text


# Readers with staff are asked their kind of work after the role: "geen" skips it (issue 20).
ROLE_PATHS = {
    "lijn": ["lijn", "geen"],
    "hr": ["hr", "geen"],
    "dir": ["dir", "geen"],
    "mkb": ["mkb", "geen"],
    "hrzl": ["anders", "hrzl", "geen"],
    "collega": ["anders", "collega"],
    "onderwijs": ["anders", "onderwijs"],
    "zzp": ["anders", "zzp"],
}


def advice_shown(user: User) -> bool:
    """Whether the current question is the advice's first page: its titles (`i.<id>`) come first."""
    options = user.options()
    return bool(options) and options[0].startswith("i.")


async def play_to_advice(user: User, role: str) -> None:
    """From the role question to the advice: role, staging (applies + keeps learning), checks."""
    for option in [*ROLE_PATHS[role], "ja", "ja", "ok"]:
        await user.choose(option)
    while not advice_shown(user):  # the advice's first page: the titles
        await user.choose("ja")


@contextlib.asynccontextmanager
async def running(process: BotProcess) -> AsyncIterator[BotProcess]:
    """`process` started; killed afterwards if the test left it running (a failed test, say)."""
    await process.start()
    try:
        yield process
    finally:
        if process.proc is not None and process.proc.poll() is None:
            process.proc.kill()
            process.proc.wait()


@contextlib.asynccontextmanager
async def webhook_bot(
    api: FakeBotApi, workdir: Path, secret: str, **env: str
) -> AsyncIterator[tuple[BotProcess, WebhookSender]]:
    """The real bot in webhook mode on a free port, with Telegram's side of the webhook (the
    sender that posts each update until the bot answers 200), started; stopped afterwards,
    the bot killed if it still runs."""
    port = free_port()
    bot = BotProcess(
        api,
        workdir,
        BOT_MODE="webhook",
        BOT_WEBHOOK_URL="https://bot.example.nl/hook",
        BOT_WEBHOOK_SECRET=secret,
        BOT_WEBHOOK_LISTEN="127.0.0.1",
        BOT_WEBHOOK_PORT=str(port),
        **env,
    )
    sender = WebhookSender(api, f"http://127.0.0.1:{port}/hook", secret, SECRET_HEADER)
    stop = asyncio.Event()
    delivering = asyncio.create_task(sender.run(stop))
    try:
        async with running(bot):
            yield bot, sender
    finally:
        stop.set()
        await delivering
