"""A small Telegram Bot API server for tests and benchmarks, on 127.0.0.1 only.

Why: the real bot process must be exercised over real HTTP, exactly as it talks to Telegram,
without a network. The server implements the methods the bot uses, with getUpdates long polling,
and enforces Telegram's limits with Telegram's error texts (text ≤ 4096 UTF-16 units,
callback_data ≤ 64 bytes, captions ≤ 1024, ≤ 100 buttons and ≤ 8 per row, callback queries
answered once). Everything the bot
does wrong is kept in :attr:`FakeBotApi.rejections`, so a test can insist there was nothing.
A call that repeats one Telegram already carried out (an edit into the state the message's last
edit gave it, the answer to a query already answered) is refused as Telegram refuses it but kept
apart in :attr:`FakeBotApi.repeats`: a bot that cannot know whether its first call arrived (a
timeout, a kill before the answer) must be free to make it again, and a test must still see a
needless call, such as taking buttons off a message that never had them.

Telegram's flood control is an opt-in mode (:class:`FloodControl`, the ``flood`` argument or the
``flood_control`` test action): about 30 counted calls a second for the bot and one a second per
chat, answered beyond that with 429 and ``retry_after``, as Telegram does. Off by default, so a
test sees only the limits it asks for.

Tests in the same event loop drive it through the Python methods (``send_text``, ``tap``, …). Other
processes (benchmarks) use the same actions over HTTP under ``/_test/<action>``; run it with
``python -m tests.fake_bot_api.server --port 8081``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import math
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

BOT_ID = 7000001
BOT_USERNAME = "leercultuur_test_bot"
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_CALLBACK_ANSWER = 200
MAX_BUTTONS = 100
MAX_ROW = 8

# The calls that count against Telegram's flood limits: everything that sends or changes a message.
# Not counted: answering a callback query, getUpdates, getMe, setMyCommands, chat actions.
COUNTED_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendAudio",
        "sendVideo",
        "sendAnimation",
        "sendVoice",
        "sendVideoNote",
        "sendMediaGroup",
        "sendSticker",
        "sendLocation",
        "sendVenue",
        "sendContact",
        "sendPoll",
        "sendDice",
        "copyMessage",
        "copyMessages",
        "forwardMessage",
        "forwardMessages",
        "editMessageText",
        "editMessageCaption",
        "editMessageMedia",
        "editMessageReplyMarkup",
        "editMessageLiveLocation",
    }
)

# Parameters that PTB sends as plain strings; every other form value is JSON-encoded.
STRING_PARAMS = frozenset(
    {"text", "caption", "callback_query_id", "parse_mode", "url", "secret_token", "action"}
)

JSON = dict[str, Any]
# Uploaded files by form field name: (file name, bytes).
Files = dict[str, tuple[str | None, bytes]]


class ApiError(Exception):
    """An error answer in Telegram's format."""

    def __init__(
        self, code: int, description: str, retry_after: int | None = None, repeat: bool = False
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.repeat = repeat  # refused because an earlier, identical call was carried out

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def utf16_len(text: str) -> int:
    """Telegram counts message length in UTF-16 code units."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class Bucket:
    """A leaky bucket: `capacity` calls at once, draining at `rate` calls a second.

    The same model as PTB's AIORateLimiter (aiolimiter), so a bot that keeps to it is never refused:
    30 at once and then 30 a second for the bot, one a second for a chat.
    """

    def __init__(self, capacity: float, rate: float) -> None:
        self.capacity = capacity
        self.rate = rate
        self._level = 0.0
        self._updated = -math.inf

    def _drain(self, now: float) -> None:
        self._level = max(0.0, self._level - (now - self._updated) * self.rate)
        self._updated = now

    def wait(self, now: float) -> float:
        """Seconds until one more call fits (0 when it fits now)."""
        self._drain(now)
        return max(0.0, (self._level + 1 - self.capacity) / self.rate)

    def take(self, now: float) -> None:
        self._drain(now)
        self._level += 1


@dataclass
class FloodControl:
    """Telegram's flood limits for counted calls (:data:`COUNTED_METHODS`), off unless asked for.

    `jitter` is the slack for the trip from the bot's limiter to this server: a call that would fit
    that many seconds later is let through, so a bot whose limiter keeps the limits exactly is not
    refused because two calls travelled at different speeds.
    """

    global_calls: float = 30.0
    global_period: float = 1.0
    chat_calls: float = 1.0
    chat_period: float = 1.0
    jitter: float = 0.05
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        if min(self.global_calls, self.global_period, self.chat_calls, self.chat_period) <= 0:
            raise ValueError("flood limits must be positive")
        self._global = Bucket(self.global_calls, self.global_calls / self.global_period)
        self._chats: dict[str, Bucket] = {}

    def admit(self, method: str, chat_id: Any) -> int | None:
        """None when the call may go through (and is counted); else the retry_after in seconds."""
        if method not in COUNTED_METHODS:
            return None
        now = self.clock()
        chat = None
        if chat_id is not None:
            key = str(chat_id)
            chat = self._chats.get(key)
            if chat is None:
                chat = self._chats[key] = Bucket(
                    self.chat_calls, self.chat_calls / self.chat_period
                )
        wait = max(self._global.wait(now), chat.wait(now) if chat is not None else 0.0)
        if wait > self.jitter:
            return max(1, math.ceil(wait))
        self._global.take(now)
        if chat is not None:
            chat.take(now)
        return None


@dataclass(frozen=True)
class FloodRefusal:
    """One call refused with 429 by the flood control."""

    method: str
    chat_id: Any
    retry_after: int


@dataclass
class BotMessage:
    """A message the bot sent, as it currently looks (after edits)."""

    chat_id: int
    message_id: int
    text: str | None = None
    caption: str | None = None
    reply_markup: JSON | None = None
    kind: str = "text"  # text | photo | document
    file_name: str | None = None
    file_data: bytes = b""
    edits: int = 0

    def buttons(self) -> list[JSON]:
        if not self.reply_markup:
            return []
        return [b for row in self.reply_markup.get("inline_keyboard", []) for b in row]

    def to_api(self) -> JSON:
        message: JSON = {
            "message_id": self.message_id,
            "date": int(time.time()),
            "chat": _private_chat(self.chat_id),
            "from": _bot_user(),
        }
        if self.kind == "text":
            message["text"] = self.text
        elif self.kind == "photo":
            message["photo"] = [
                {
                    "file_id": f"p{self.message_id}",
                    "file_unique_id": f"u{self.message_id}",
                    "width": 800,
                    "height": 600,
                    "file_size": len(self.file_data),
                }
            ]
        else:
            message["document"] = {
                "file_id": f"d{self.message_id}",
                "file_unique_id": f"u{self.message_id}",
                "file_name": self.file_name,
                "file_size": len(self.file_data),
            }
        if self.caption is not None:
            message["caption"] = self.caption
        if self.reply_markup:
            message["reply_markup"] = self.reply_markup
        if self.edits:
            message["edit_date"] = int(time.time())
        return message


@dataclass
class CallbackQuery:
    id: str
    chat_id: int
    message_id: int
    data: str
    delivered: bool = False
    answered: bool = False
    answer_text: str | None = None


@dataclass
class Failure:
    code: int
    description: str
    retry_after: int | None


def _bot_user() -> JSON:
    return {
        "id": BOT_ID,
        "is_bot": True,
        "first_name": "Leercultuur-coach",
        "username": BOT_USERNAME,
    }


def _user(user_id: int) -> JSON:
    return {"id": user_id, "is_bot": False, "first_name": "Test", "language_code": "nl"}


# "@name" as Telegram recognises a mention: 5-32 letters, digits and underscores.
_MENTION = re.compile(r"@[A-Za-z0-9_]{5,32}")


def _private_chat(chat_id: int) -> JSON:
    if chat_id < 0:
        return {"id": chat_id, "type": "group", "title": "Testgroep"}
    return {"id": chat_id, "type": "private", "first_name": "Test"}


@dataclass
class FakeBotApi:
    """The server's state and behaviour; one bot token, any number of simulated users."""

    token: str
    host: str = "127.0.0.1"
    port: int = 0
    messages: dict[int, list[BotMessage]] = field(default_factory=dict)
    calls: list[tuple[str, JSON]] = field(default_factory=list)
    rejections: list[tuple[str, str]] = field(default_factory=list)
    repeats: list[tuple[str, str]] = field(default_factory=list)  # refused only as repeats
    callback_queries: dict[str, CallbackQuery] = field(default_factory=dict)
    commands: list[JSON] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    webhook: JSON | None = None
    # A user's own name fields (first_name, last_name, username) instead of the anonymous "Test".
    profiles: dict[int, JSON] = field(default_factory=dict)
    flood: FloodControl | None = None  # Telegram's flood limits; None: no limits (the default)
    flood_refusals: list[FloodRefusal] = field(default_factory=list)
    # Calls that were never done because their caller went away (see `delay_next`).
    lost: list[tuple[str, JSON]] = field(default_factory=list)
    # Telegram's update ids keep rising across a bot's restarts. A new server over a data
    # directory an earlier server filled must start above that one's ids, or the bot takes its
    # updates for ones it already handled.
    first_update_id: int = 1

    def __post_init__(self) -> None:
        self._updates: list[JSON] = []
        self._update_ids = itertools.count(self.first_update_id)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._query_ids = itertools.count(1)
        self._failures: dict[str, deque[Failure]] = {}
        self._delays: dict[str, deque[tuple[float, bool]]] = {}
        self._stopping = asyncio.Event()
        self._late: dict[str, deque[float]] = {}
        self._holds: dict[int, float] = {}  # chat → when its flood-control hold ends (monotonic)
        self._resets: dict[str, deque[bool]] = {}
        self._new_update = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.app = web.Application(client_max_size=64 * 1024 * 1024)
        self.app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        self.app.router.add_route("*", "/_test/{action}", self._handle_test)

    # ---- running -------------------------------------------------------------------------------

    async def start(self) -> str:
        """Listen on 127.0.0.1 (an ephemeral port unless one was given); returns the root URL."""
        self._runner = web.AppRunner(self.app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        assert server is not None and isinstance(server, asyncio.base_events.Server)
        self.port = server.sockets[0].getsockname()[1]
        return self.url

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def connected(self) -> bool:
        """Whether a client still holds a connection the server has not seen close."""
        server = self._runner.server if self._runner is not None else None
        return bool(server is not None and server.connections)

    async def drained(self) -> int:
        """Wait until the server has read every request its clients wrote; the count of calls.

        After a SIGKILL the kernel closes the dead bot's sockets, but a request it wrote just
        before may still wait in one (or in a connection not yet accepted), unread: the server
        reads and records it before it sees that connection close. So first a request of our
        own on a new connection (the listening socket accepts in order: once ours is answered,
        every connection queued before it is accepted), then no connection left open.
        """
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{self.url}/_test/state", headers={"Connection": "close"}) as answer,
        ):
            await answer.read()
        await self.wait_for(lambda: not self.connected(), what="every connection closed")
        return len(self.calls)

    def release_pollers(self) -> None:
        """Answer waiting and future getUpdates at once (empty), so a bot can stop without delay."""
        self._closing = True
        self._stopping.set()
        self._new_update.set()

    async def stop(self) -> None:
        self.release_pollers()
        if self._runner is not None:
            await self._runner.cleanup()

    # ---- simulated users (Python API; the same actions exist under /_test/) --------------------

    def send_text(self, chat_id: int, text: str, *, user_id: int | None = None) -> JSON:
        """The user types `text` (a leading /command gets a bot_command entity, as in Telegram)."""
        message = self._user_message(chat_id, user_id)
        message["text"] = text
        entities: list[JSON] = []
        if text.startswith("/"):
            command = text.split()[0]
            entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command)})
        for mention in _MENTION.finditer(text):
            if mention.start() > 0 and text[mention.start() - 1] not in " \n":
                continue  # part of a word or of a /command@bot
            entities.append(
                {
                    "type": "mention",
                    "offset": utf16_len(text[: mention.start()]),
                    "length": utf16_len(mention.group()),
                }
            )
        if entities:
            message["entities"] = entities
        return self._push({"message": message})

    def send_contact(
        self,
        chat_id: int,
        phone_number: str,
        first_name: str,
        *,
        last_name: str | None = None,
        contact_user_id: int | None = None,
    ) -> JSON:
        """The user shares a contact card (theirs or someone else's) from the attachment menu."""
        message = self._user_message(chat_id, None)
        contact: JSON = {"phone_number": phone_number, "first_name": first_name}
        if last_name is not None:
            contact["last_name"] = last_name
        if contact_user_id is not None:
            contact["user_id"] = contact_user_id
        message["contact"] = contact
        return self._push({"message": message})

    def send_media(self, chat_id: int, kind: str, *, user_id: int | None = None) -> JSON:
        """The user sends a photo, sticker, voice message or document."""
        message = self._user_message(chat_id, user_id)
        file = {"file_id": f"f{next(self._update_ids)}", "file_unique_id": "u1"}
        if kind == "photo":
            message["photo"] = [{**file, "width": 90, "height": 90}]
        elif kind == "sticker":
            message["sticker"] = {
                **file,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            }
        elif kind == "voice":
            message["voice"] = {**file, "duration": 3}
        elif kind == "document":
            message["document"] = {**file, "file_name": "notities.pdf"}
        else:
            raise ValueError(f"unknown media kind {kind!r}")
        return self._push({"message": message})

    def edit_text(self, chat_id: int, message_id: int, text: str) -> JSON:
        """The user edits a message they sent earlier."""
        message = self._user_message(chat_id, None, message_id=message_id)
        message["text"] = text
        message["edit_date"] = int(time.time())
        return self._push({"edited_message": message})

    def tap(
        self,
        chat_id: int,
        message_id: int,
        *,
        label: str | None = None,
        index: int | None = None,
        data: str | None = None,
    ) -> str:
        """The user taps a button of a bot message (by label or index), or sends forged `data`.

        Returns the callback query id.
        """
        message = self._find(chat_id, message_id)
        if data is None:
            buttons = message.buttons()
            if label is not None:
                matching = [b for b in buttons if b["text"] == label]
                if not matching:
                    raise LookupError(f"no button {label!r} on message {message_id}")
                data = str(matching[0]["callback_data"])
            else:
                if not buttons:
                    raise LookupError(f"message {message_id} has no buttons")
                data = str(buttons[index or 0]["callback_data"])
        query_id = str(next(self._query_ids))
        self.callback_queries[query_id] = CallbackQuery(query_id, chat_id, message_id, data)
        self._push(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self._sender(chat_id),
                    "chat_instance": f"ci{chat_id}",
                    "message": message.to_api(),
                    "data": data,
                }
            }
        )
        return query_id

    def fail_next(
        self,
        method: str,
        count: int = 1,
        *,
        code: int = 429,
        retry_after: int | None = 1,
        description: str | None = None,
    ) -> None:
        """Make the next `count` calls of `method` fail (default: 429 flood control)."""
        text = description or (
            f"Too Many Requests: retry after {retry_after}" if code == 429 else "Bad Gateway"
        )
        queue = self._failures.setdefault(method, deque())
        queue.extend(
            Failure(code, text, retry_after if code == 429 else None) for _ in range(count)
        )

    def delay_next(
        self, method: str, seconds: float, count: int = 1, *, lost_if_gone: bool = False
    ) -> None:
        """Make the next `count` calls of `method` answer only after `seconds` (a slow Telegram).

        `lost_if_gone`: a call whose caller went away during the wait (a killed process) is never
        done, as if its connection broke before Telegram took it. Without it the call is done.
        """
        self._delays.setdefault(method, deque()).extend(
            (seconds, lost_if_gone) for _ in range(count)
        )

    def push_raw(self, update: JSON) -> JSON:
        """Queue an update exactly as given (e.g. one a client library cannot parse)."""
        return self._push(update)

    def queued(self) -> list[JSON]:
        """The updates not yet confirmed, oldest first (for a test playing Telegram's webhook)."""
        return list(self._updates)

    def acknowledge(self, update_id: int) -> None:
        """A webhook answered 200 for this update: Telegram forgets it."""
        self._updates = [u for u in self._updates if u["update_id"] != update_id]

    def answer_late_next(self, method: str, seconds: float, count: int = 1) -> None:
        """Do the next `count` calls of `method` at once but answer them only after `seconds`.

        Past the bot's read timeout this is Telegram accepting a call whose answer never arrives.
        """
        self._late.setdefault(method, deque()).extend(seconds for _ in range(count))

    def reset_next(self, method: str, count: int = 1, *, taken: bool = False) -> None:
        """Break the connection of the next `count` calls of `method` before any answer.

        `taken`: Telegram did the call first (the message is in the chat, its answer lost);
        without it the call is never done, as when the connection broke on the way in.
        """
        self._resets.setdefault(method, deque()).extend(taken for _ in range(count))

    def set_flood_control(self, limits: FloodControl | None) -> None:
        """Switch Telegram's flood control on (with these limits) or off (None)."""
        self.flood = limits

    def hold(self, chat_id: int, seconds: float) -> None:
        """Flood control holds one chat for `seconds` from now: every call into it (a send, an
        edit) is answered 429 with the time left as `retry_after`, rounded up, as Telegram does."""
        self._holds[chat_id] = time.monotonic() + seconds

    def held(self, chat_id: int) -> bool:
        """Whether the hold on the chat is still in force (so its retry_after has not passed)."""
        return self._hold_left(chat_id) > 0

    def _hold_left(self, chat_id: Any) -> float:
        try:
            until = self._holds.get(int(chat_id), 0.0)
        except (TypeError, ValueError):
            return 0.0
        return until - time.monotonic()

    def block(self, chat_id: int) -> None:
        """The user blocks the bot: every send to the chat answers 403 from now on."""
        self.blocked.add(chat_id)

    # ---- inspection ----------------------------------------------------------------------------

    def chat(self, chat_id: int) -> list[BotMessage]:
        return self.messages.get(chat_id, [])

    def last(self, chat_id: int) -> BotMessage | None:
        chat = self.chat(chat_id)
        return chat[-1] if chat else None

    def last_with_buttons(self, chat_id: int) -> BotMessage | None:
        for message in reversed(self.chat(chat_id)):
            if message.buttons():
                return message
        return None

    def unanswered_callbacks(self) -> list[str]:
        return [q.id for q in self.callback_queries.values() if q.delivered and not q.answered]

    def method_calls(self, method: str) -> list[JSON]:
        return [params for name, params in self.calls if name == method]

    def pending_updates(self) -> int:
        return len(self._updates)

    async def wait_for(
        self, predicate: Callable[[], Any], *, timeout: float = 180.0, what: str = "condition"
    ) -> Any:
        """Poll `predicate` until it returns something truthy; bounded so a broken bot fails."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"gave up waiting for {what}")
            await asyncio.sleep(0.02)

    # ---- internals: users ----------------------------------------------------------------------

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def _user_message(
        self,
        chat_id: int,
        user_id: int | None,
        message_id: int | None = None,
    ) -> JSON:
        return {
            "message_id": message_id or self._next_message_id(chat_id),
            "date": int(time.time()),
            "chat": {**_private_chat(chat_id), **(self.profiles.get(chat_id, {}))},
            "from": self._sender(user_id or abs(chat_id)),
        }

    def _sender(self, user_id: int) -> JSON:
        return {**_user(user_id), **self.profiles.get(user_id, {})}

    def _push(self, update: JSON) -> JSON:
        update = {"update_id": next(self._update_ids), **update}
        self._updates.append(update)
        self._new_update.set()
        return update

    def _find(self, chat_id: int, message_id: int) -> BotMessage:
        for message in self.chat(chat_id):
            if message.message_id == message_id:
                return message
        raise LookupError(f"no bot message {message_id} in chat {chat_id}")

    # ---- internals: HTTP -----------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        params, files = await _read_params(request)
        self.calls.append((method, params))
        resets = self._resets.get(method)
        if resets:
            return await self._reset(request, method, params, files, taken=resets.popleft())
        delays = self._delays.get(method)
        if delays and await self._slow(request, *delays.popleft()):
            self.lost.append((method, params))
            return web.Response(status=499)  # never done: nobody is listening any more
        status, body = await self._answer(method, params, files)
        self._observe(method, params, files, status, body)
        late = self._late.get(method)
        if late and status == 200:  # injected by a test: done, but answered late
            with contextlib.suppress(TimeoutError):  # at once when the server stops
                await asyncio.wait_for(self._stopping.wait(), late.popleft())
        return web.json_response(body, status=status)

    async def _reset(
        self, request: web.Request, method: str, params: JSON, files: Files, *, taken: bool
    ) -> web.Response:
        """The connection breaks after the request arrived: no answer reaches the bot."""
        if taken:
            status, body = await self._answer(method, params, files)
            self._observe(method, params, files, status, body)
        else:
            self.lost.append((method, params))
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=499)

    async def _slow(self, request: web.Request, seconds: float, lost_if_gone: bool) -> bool:
        """Wait `seconds`, cut short when the server stops; True when the call is to be lost
        because its caller went away first (see `delay_next`)."""

        def gone() -> bool:
            return lost_if_gone and (request.transport is None or request.transport.is_closing())

        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while (left := deadline - loop.time()) > 0 and not self._stopping.is_set():
            if gone():
                return True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), min(left, 0.05))
        return gone()

    async def _answer(self, method: str, params: JSON, files: Files) -> tuple[int, JSON]:
        """The HTTP status and body for one Bot API call."""
        failures = self._failures.get(method)
        if failures:  # injected by a test: not the bot's fault, so not a rejection
            failure = failures.popleft()
            error = ApiError(failure.code, failure.description, failure.retry_after)
            return error.code, error.body()
        held = self._hold_left(params.get("chat_id"))
        if held > 0:  # injected by a test (`hold`): Telegram's flood control on one chat
            wait = math.ceil(held)
            self.flood_refusals.append(FloodRefusal(method, params.get("chat_id"), wait))
            error = ApiError(429, f"Too Many Requests: retry after {wait}", wait)
            return error.code, error.body()
        if self.flood is not None:
            retry_after = self.flood.admit(method, params.get("chat_id"))
            if retry_after is not None:
                self.flood_refusals.append(FloodRefusal(method, params.get("chat_id"), retry_after))
                error = ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
                return error.code, error.body()
        try:
            handler = getattr(self, f"_api_{method}", None)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            result = await handler(params, files)
        except ApiError as err:
            if err.code == 400:
                (self.repeats if err.repeat else self.rejections).append((method, err.description))
            return err.code, err.body()
        return 200, {"ok": True, "result": result}

    def _observe(self, method: str, params: JSON, files: Files, status: int, body: JSON) -> None:
        """Called after every authorised call with its answer; subclasses watch the bot here."""

    async def _handle_test(self, request: web.Request) -> web.Response:
        """Test hooks for other processes: the Python API as JSON over HTTP."""
        action = request.match_info["action"]
        body: JSON = await request.json() if request.can_read_body else {}
        body.update({k: _coerce(k, v) for k, v in request.query.items()})
        try:
            result: Any
            if action == "send_text":
                result = self.send_text(int(body["chat_id"]), str(body["text"]))
            elif action == "send_media":
                result = self.send_media(int(body["chat_id"]), str(body["kind"]))
            elif action == "edit_text":
                result = self.edit_text(
                    int(body["chat_id"]), int(body["message_id"]), str(body["text"])
                )
            elif action == "tap":
                result = self.tap(
                    int(body["chat_id"]),
                    int(body["message_id"]),
                    label=body.get("label"),
                    index=body.get("index"),
                    data=body.get("data"),
                )
            elif action == "fail_next":
                self.fail_next(
                    str(body["method"]),
                    int(body.get("count", 1)),
                    code=int(body.get("code", 429)),
                    retry_after=body.get("retry_after", 1),
                )
                result = True
            elif action == "flood_control":
                on = bool(body.pop("on", True))
                self.set_flood_control(FloodControl(**body) if on else None)
                result = True
            elif action == "block":
                self.block(int(body["chat_id"]))
                result = True
            elif action == "messages":
                result = [m.to_api() for m in self.chat(int(body["chat_id"]))]
            elif action == "state":
                result = {
                    "unanswered_callbacks": self.unanswered_callbacks(),
                    "rejections": self.rejections,
                    "pending_updates": len(self._updates),
                    "calls": len(self.calls),
                    "too_many_requests": len(self.flood_refusals),
                }
            else:
                return web.json_response({"ok": False, "description": "unknown action"}, status=404)
        except (KeyError, ValueError, LookupError, TypeError) as err:
            return web.json_response({"ok": False, "description": str(err)}, status=400)
        return web.json_response({"ok": True, "result": result})

    # ---- the Bot API methods -------------------------------------------------------------------

    async def _api_getMe(self, params: JSON, files: Files) -> JSON:
        return {
            **_bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _api_deleteWebhook(self, params: JSON, files: Files) -> bool:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook = None
        return True

    async def _api_setWebhook(self, params: JSON, files: Files) -> bool:
        url = str(params.get("url") or "")
        if not url.startswith("https://"):
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        self.webhook = params
        return True

    async def _api_getUpdates(self, params: JSON, files: Files) -> list[JSON]:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        deadline = asyncio.get_running_loop().time() + timeout
        while not self._updates:
            if self._closing:
                return []
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return []
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), remaining)
            except TimeoutError:
                return []
        batch = self._updates[:limit]
        for update in batch:
            if "callback_query" in update:
                self.callback_queries[update["callback_query"]["id"]].delivered = True
        return batch

    async def _api_setMyCommands(self, params: JSON, files: Files) -> bool:
        commands = params.get("commands") or []
        for command in commands:
            if not (1 <= len(command["command"]) <= 32) or not (
                1 <= len(command["description"]) <= 256
            ):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        self.commands = list(commands)
        return True

    async def _api_getMyCommands(self, params: JSON, files: Files) -> list[JSON]:
        return self.commands

    async def _api_sendChatAction(self, params: JSON, files: Files) -> bool:
        self._target_chat(params)
        return True

    async def _api_sendMessage(self, params: JSON, files: Files) -> JSON:
        chat_id = self._target_chat(params)
        text = _check_text(params.get("text"))
        markup = _check_markup(params.get("reply_markup"))
        message = BotMessage(
            chat_id, self._next_message_id(chat_id), text=text, reply_markup=markup
        )
        self.messages.setdefault(chat_id, []).append(message)
        return message.to_api()

    async def _api_sendPhoto(self, params: JSON, files: Files) -> JSON:
        return self._send_file("photo", params, files)

    async def _api_sendDocument(self, params: JSON, files: Files) -> JSON:
        return self._send_file("document", params, files)

    async def _api_editMessageText(self, params: JSON, files: Files) -> JSON:
        message = self._editable(params)
        text = _check_text(params.get("text"))
        markup = _check_markup(params.get("reply_markup"))
        if text == message.text and markup == message.reply_markup:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message "
                "content and reply markup are exactly the same as a current content "
                "and reply markup of the message",
                repeat=message.edits > 0,
            )
        message.text, message.reply_markup = text, markup
        message.edits += 1
        return message.to_api()

    async def _api_editMessageReplyMarkup(self, params: JSON, files: Files) -> JSON:
        message = self._editable(params)
        markup = _check_markup(params.get("reply_markup"))
        if markup == message.reply_markup:
            raise ApiError(400, "Bad Request: message is not modified", repeat=message.edits > 0)
        message.reply_markup = markup
        message.edits += 1
        return message.to_api()

    async def _api_answerCallbackQuery(self, params: JSON, files: Files) -> bool:
        query = self.callback_queries.get(str(params.get("callback_query_id")))
        if query is None or query.answered or not query.delivered:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
                repeat=query is not None and query.answered,
            )
        text = params.get("text")
        if text is not None and utf16_len(str(text)) > MAX_CALLBACK_ANSWER:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        query.answered, query.answer_text = True, text
        return True

    # ---- helpers -------------------------------------------------------------------------------

    def _target_chat(self, params: JSON) -> int:
        try:
            chat_id = int(params["chat_id"])
        except (KeyError, TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None
        if chat_id not in self._message_ids:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    def _editable(self, params: JSON) -> BotMessage:
        chat_id = self._target_chat(params)
        try:
            return self._find(chat_id, int(params["message_id"]))
        except (KeyError, ValueError, LookupError):
            raise ApiError(400, "Bad Request: message to edit not found") from None

    def _send_file(self, kind: str, params: JSON, files: Files) -> JSON:
        chat_id = self._target_chat(params)
        reference = params.get(kind)
        name = (
            reference[len("attach://") :]
            if isinstance(reference, str) and reference.startswith("attach://")
            else kind
        )
        if name not in files or not files[name][1]:
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        caption = params.get("caption")
        if caption is not None and utf16_len(str(caption)) > MAX_CAPTION:
            raise ApiError(400, "Bad Request: message caption is too long")
        message = BotMessage(
            chat_id,
            self._next_message_id(chat_id),
            caption=caption,
            reply_markup=_check_markup(params.get("reply_markup")),
            kind=kind,
            file_name=files[name][0],
            file_data=files[name][1],
        )
        self.messages.setdefault(chat_id, []).append(message)
        return message.to_api()


def _coerce(key: str, value: str) -> Any:
    if key in STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


async def _read_params(request: web.Request) -> tuple[JSON, Files]:
    """PTB posts form data (multipart with files); other clients may post JSON."""
    params: JSON = {k: _coerce(k, v) for k, v in request.query.items()}
    files: Files = {}
    if request.content_type == "application/json":
        params.update(await request.json())
        return params, files
    if request.can_read_body:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files[key] = (value.filename, value.file.read())
            else:
                params[key] = _coerce(key, str(value))
    return params, files


def _check_text(value: Any) -> str:
    text = "" if value is None else str(value)
    if not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if utf16_len(text) > MAX_TEXT:
        raise ApiError(400, "Bad Request: message is too long")
    return text


def _check_markup(markup: Any) -> JSON | None:
    if not markup:
        return None
    rows = markup.get("inline_keyboard")
    if rows is None:
        return dict(markup)
    if sum(len(row) for row in rows) > MAX_BUTTONS or any(len(row) > MAX_ROW for row in rows):
        raise ApiError(400, "Bad Request: reply markup is too long")
    for row in rows:
        for button in row:
            data = button.get("callback_data")
            if not str(button.get("text", "")).strip():
                raise ApiError(
                    400, "Bad Request: text buttons are unallowed in the inline keyboard"
                )
            if data is not None and not (1 <= len(str(data).encode("utf-8")) <= MAX_CALLBACK_DATA):
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    if not any(rows):
        return None
    return dict(markup)


async def _serve(token: str, port: int) -> None:
    api = FakeBotApi(token=token, port=port)
    url = await api.start()
    print(f"Fake Bot API listening on {url}", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description="Fake Telegram Bot API server on 127.0.0.1")
    parser.add_argument("--token", required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    asyncio.run(_serve(args.token, args.port))


if __name__ == "__main__":
    main()
