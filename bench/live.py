"""A live bot against the test suite's own Bot API server on 127.0.0.1, for the benchmarks.

The server is the one the end-to-end tests use (`tests/fake_bot_api`), extended here only by
per-chat events: a simulated user waits for the bot's answer by awaiting an event instead of
polling, so that the driver costs next to nothing and the measurement is the bot's.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
TESTS = REPO / "tests"
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

# option_id is re-exported for the benchmarks, which import the test server only through here.
from fake_bot_api.harness import option_id as option_id  # noqa: E402
from fake_bot_api.server import JSON, BotMessage, FakeBotApi, Files  # noqa: E402

TOKEN = "123456789:AAFakeTokenForBenchmarks_0123456789abcd"
WAIT_SECONDS = 60.0  # a bound for one answer; only a broken bot reaches it
POLL_TIMEOUT = "2"


class NotifyingBotApi(FakeBotApi):
    """The test Bot API server, setting a per-chat event whenever the bot acts in that chat."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.changed: defaultdict[int, asyncio.Event] = defaultdict(asyncio.Event)
        self.first_answer_at: float | None = None

    def _notify(self, chat_id: int) -> None:
        if self.first_answer_at is None:
            self.first_answer_at = time.perf_counter()
        self.changed[chat_id].set()

    async def _api_sendMessage(self, params: JSON, files: Files) -> JSON:
        result = await super()._api_sendMessage(params, files)
        self._notify(int(params["chat_id"]))
        return result

    async def _api_sendPhoto(self, params: JSON, files: Files) -> JSON:
        result = await super()._api_sendPhoto(params, files)
        self._notify(int(params["chat_id"]))
        return result

    async def _api_sendDocument(self, params: JSON, files: Files) -> JSON:
        result = await super()._api_sendDocument(params, files)
        self._notify(int(params["chat_id"]))
        return result

    async def _api_answerCallbackQuery(self, params: JSON, files: Files) -> bool:
        result = await super()._api_answerCallbackQuery(params, files)
        query = self.callback_queries[str(params["callback_query_id"])]
        self._notify(query.chat_id)
        return result

    async def until(self, chat_id: int, done: Any) -> Any:
        """Wait (bounded) until `done()` is truthy; re-checked whenever the bot acts in the chat."""
        event = self.changed[chat_id]
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            result = done()
            if result:
                return result
            event.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no answer in chat {chat_id}")
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                continue


def newest_question(
    api: FakeBotApi, chat_id: int, after: int, tapped: tuple[BotMessage, int] | None = None
) -> BotMessage | None:
    """The newest message with buttons sent after message id `after`.

    `tapped`: the tapped question and its edit count then; the bot may edit that question in
    place into the next one instead of sending a new message.
    """
    if tapped is not None:
        message, edits = tapped
        newest = api.last_with_buttons(chat_id)
        if newest is message and message.edits > edits:
            return message
    for message in reversed(api.chat(chat_id)):
        if message.message_id <= after:
            return None
        if message.buttons():
            return message
    return None


def start_process(
    module: str,
    api: FakeBotApi,
    workdir: Path,
    args: tuple[str, ...] = (),
    extra_env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """Start `python -m module` against the server, with its own data directory and log files."""
    workdir.mkdir(parents=True, exist_ok=True)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))},
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_URL": api.url,
        "BOT_DATA_DIR": str(workdir / "data"),
        "BOT_POLL_TIMEOUT": POLL_TIMEOUT,
        "BOT_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(REPO),  # `bench` is not installed; the bot's packages are
        **(extra_env or {}),
    }
    with (
        (workdir / f"{module}.out").open("ab") as out,
        (workdir / f"{module}.err").open("ab") as err,
    ):
        return subprocess.Popen(
            [sys.executable, "-m", module, *args], cwd=workdir, env=env, stdout=out, stderr=err
        )


async def wait_until_polling(api: FakeBotApi, proc: subprocess.Popen[bytes]) -> None:
    """Bounded wait for the process's first getUpdates; fails at once if it died."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not api.method_calls("getUpdates"):
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode} before polling")
        if time.monotonic() > deadline:
            raise TimeoutError("the bot never polled")
        await asyncio.sleep(0.01)


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if it does not go within a bounded wait."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
