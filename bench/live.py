"""A live bot against the test suite's own Bot API server on 127.0.0.1, for the benchmarks.

The server is the one the end-to-end tests use (`tests/fake_bot_api`), extended here with what a
benchmark needs to watch the bot from outside, whatever the bot does inside:

- per-chat events: a simulated user waits for the bot's answer by awaiting an event instead of
  polling, so that the driver costs next to nothing and the measurement is the bot's;
- per-chat segments: the bot's successful calls in a chat after each user action, so that calls
  per tap (and the calls a baseline must replay) are counted from what reached the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import psutil

from bot.telegram.limits import TEST_PACE_ENV

REPO = Path(__file__).resolve().parent.parent
TESTS = REPO / "tests"
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

# Re-exported for the benchmarks, which import the test server only through here.
from fake_bot_api.harness import clean_environ  # noqa: E402
from fake_bot_api.harness import option_id as option_id  # noqa: E402
from fake_bot_api.server import COUNTED_METHODS as COUNTED_METHODS  # noqa: E402
from fake_bot_api.server import JSON, BotMessage, FakeBotApi, Files  # noqa: E402
from fake_bot_api.server import FloodControl as FloodControl  # noqa: E402

TOKEN = "123456789:AAFakeTokenForBenchmarks_0123456789abcd"
# `--quick` runs check that a benchmark still runs, not what it measures: there our bot's flood
# limiter keeps a hundredth of Telegram's pace (the test-only setting of bot/telegram/limits.py),
# so that a tiny conversation does not sit out a second per message. Measuring runs keep pace 1.
QUICK_PACE = 0.01
WAIT_SECONDS = 60.0  # a bound for one answer; only a broken bot reaches it
STOP_SECONDS = 20.0
POLL_TIMEOUT = "2"
# Calls that are no answer to a user: they are neither segments nor events.
_SILENT = frozenset({"getUpdates", "getMe", "setMyCommands", "deleteWebhook", "getMyCommands"})

T = TypeVar("T")


@dataclass(frozen=True)
class Call:
    """One successful Bot API call the bot made in a chat, as the server received it."""

    method: str
    params: JSON
    files: Files
    result: Any
    at: float


@dataclass
class Segment:
    """The bot's successful calls in one chat after one user action (a typed text or a tap)."""

    tapped: int | None  # the tapped message, for a tap
    at: float
    calls: list[Call] = field(default_factory=list)

    def counted(self) -> int:
        """Calls that count against Telegram's flood limits (not the callback answer)."""
        return sum(1 for call in self.calls if call.method in COUNTED_METHODS)


class NotifyingBotApi(FakeBotApi):
    """The test Bot API server, noting per chat what the bot did after each user action."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.changed: defaultdict[int, asyncio.Event] = defaultdict(asyncio.Event)
        self.segments: defaultdict[int, list[Segment]] = defaultdict(list)
        self.first_answer_at: float | None = None
        self.last_call_at = 0.0

    # ---- the users' actions, each opening a segment --------------------------------------------

    def user_text(self, chat_id: int, text: str) -> JSON:
        self.segments[chat_id].append(Segment(None, time.perf_counter()))
        return self.send_text(chat_id, text)

    def user_tap(self, chat_id: int, message_id: int, label: str) -> str:
        self.segments[chat_id].append(Segment(message_id, time.perf_counter()))
        return self.tap(chat_id, message_id, label=label)

    # ---- watching the bot ------------------------------------------------------------------------

    def _observe(self, method: str, params: JSON, files: Files, status: int, body: JSON) -> None:
        if method in _SILENT:
            return
        now = time.perf_counter()
        self.last_call_at = now
        chat_id = self._chat_of(method, params)
        if status != 200 or chat_id is None:
            return
        segments = self.segments.get(chat_id)
        if segments:
            segments[-1].calls.append(Call(method, params, files, body.get("result"), now))
        if self.first_answer_at is None:
            self.first_answer_at = now
        self.changed[chat_id].set()

    def _chat_of(self, method: str, params: JSON) -> int | None:
        if method == "answerCallbackQuery":
            query = self.callback_queries.get(str(params.get("callback_query_id")))
            return query.chat_id if query is not None else None
        try:
            return int(params["chat_id"])
        except (KeyError, TypeError, ValueError):
            return None

    async def until(
        self, chat_id: int, done: Callable[[], T | None], timeout: float = WAIT_SECONDS
    ) -> T:
        """Wait (bounded) until `done()` is truthy; re-checked whenever the bot acts in the chat."""
        event = self.changed[chat_id]
        deadline = time.monotonic() + timeout
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

    async def quiet(self, seconds: float, timeout: float = WAIT_SECONDS) -> None:
        """Wait (bounded) until the bot made no call for `seconds`: its answer is complete."""
        deadline = time.monotonic() + timeout
        while time.perf_counter() - self.last_call_at < seconds:
            if time.monotonic() > deadline:
                raise TimeoutError("the bot never went quiet")
            await asyncio.sleep(seconds / 3)


@dataclass(frozen=True)
class Mark:
    """What a chat looked like just before a user action, to recognise the bot's next question."""

    newest: int
    tapped: int | None = None
    tapped_edits: int = 0


def mark(api: FakeBotApi, chat_id: int, tapped: BotMessage | None = None) -> Mark:
    chat = api.chat(chat_id)
    newest = chat[-1].message_id if chat else 0
    if tapped is None:
        return Mark(newest)
    return Mark(newest, tapped.message_id, tapped.edits)


def next_question(api: FakeBotApi, chat_id: int, before: Mark) -> BotMessage | None:
    """The question the bot asked after `before`: a new message with buttons, or the tapped one
    edited to carry buttons again (a bot that edits its question in place)."""
    chat = api.chat(chat_id)
    for message in reversed(chat):
        if message.message_id <= before.newest:
            break
        if message.buttons():
            return message
    if before.tapped is not None:
        for message in reversed(chat):
            if message.message_id == before.tapped:
                if message.edits > before.tapped_edits and message.buttons():
                    return message
                break
    return None


def start_process(
    module: str,
    api: FakeBotApi,
    workdir: Path,
    args: tuple[str, ...] = (),
    extra_env: dict[str, str] | None = None,
    pace: float = 1.0,
) -> subprocess.Popen[bytes]:
    """Start `python -m module` against the server, with its own data directory and log files.

    `pace` below 1 speeds up our bot's flood limiter (see QUICK_PACE); other bots ignore it.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    env = {
        **clean_environ(),
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_URL": api.url,
        "BOT_DATA_DIR": str(workdir / "data"),
        "BOT_POLL_TIMEOUT": POLL_TIMEOUT,
        "BOT_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(REPO),  # `bench` is not installed; the bot's packages are
        **({TEST_PACE_ENV: repr(pace)} if pace != 1.0 else {}),
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


async def stop_process(proc: subprocess.Popen[bytes], api: FakeBotApi | None = None) -> None:
    """SIGTERM, then SIGKILL if it does not go within a bounded wait.

    The event loop keeps serving meanwhile (the server answers the bot's last calls at once), so a
    stop takes as long as the bot's own shutdown and not a client time-out.
    """
    if api is not None:
        api.release_pollers()
    if proc.poll() is None:
        proc.terminate()
        deadline = time.monotonic() + STOP_SECONDS
        while proc.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@contextlib.asynccontextmanager
async def api_server(**options: Any) -> AsyncIterator[NotifyingBotApi]:
    """The test Bot API server for one run (`options` as NotifyingBotApi takes them), stopped
    afterwards."""
    api = NotifyingBotApi(token=TOKEN, **options)
    await api.start()
    try:
        yield api
    finally:
        await api.stop()


@contextlib.asynccontextmanager
async def running(
    api: NotifyingBotApi,
    module: str,
    workdir: Path,
    args: tuple[str, ...] = (),
    pace: float = 1.0,
) -> AsyncIterator[subprocess.Popen[bytes]]:
    """`python -m module` against `api` (see `start_process`), stopped when the block ends."""
    proc = start_process(module, api, workdir, args, pace=pace)
    try:
        yield proc
    finally:
        await stop_process(proc, api)


async def first_answer(api: NotifyingBotApi, proc: subprocess.Popen[bytes]) -> float:
    """Bounded wait for the bot's first answer to anyone; when it came (`time.perf_counter`)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while api.first_answer_at is None:
        if proc.poll() is not None:
            raise RuntimeError(f"the bot exited with {proc.returncode} before answering")
        if time.monotonic() > deadline:
            raise TimeoutError("the bot never answered")
        await asyncio.sleep(0.002)
    return api.first_answer_at


def cpu_seconds(proc: subprocess.Popen[bytes]) -> float:
    """CPU time (user + system) the process has used so far."""
    times = psutil.Process(proc.pid).cpu_times()
    return float(times.user + times.system)
