"""The bot's HTTP connections check an idle connection with one poll, and answer as httpcore does.

See bot/telegram/idle_check.py for why. A local HTTP/1.1 server on 127.0.0.1 stands in for the
Bot API; nothing here reaches the internet.
"""

from __future__ import annotations

import asyncio
import select
import socket
import ssl
from collections.abc import AsyncIterator
from typing import Any

import httpcore
import pytest
import trustme
from httpcore._utils import is_socket_readable

from bot.telegram.bounded import BoundedRequest
from bot.telegram.idle_check import (
    QuickCheckBackend,
    QuickCheckStream,
    quick_check_transport,
)

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n"
BODY = b'{"ok":true}'


class KeepAliveServer:
    """Answers every request on a connection with `{"ok":true}` and keeps the connection open,
    until `close_connections` closes every one from the server's side."""

    def __init__(self) -> None:
        self.writers: list[asyncio.StreamWriter] = []
        self.connections = 0
        self.port = 0

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.writers.append(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":", 1)[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    0,
                )
                await reader.readexactly(length)
                writer.write(RESPONSE + BODY)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    def close_connections(self) -> None:
        """Close every connection at once, as a server that drops idle ones (under TLS without
        waiting for the client's goodbye, which an idle client never reads)."""
        for writer in self.writers:
            writer.transport.abort()
        self.writers.clear()


@pytest.fixture
async def server() -> AsyncIterator[KeepAliveServer]:
    served = KeepAliveServer()
    listening = await asyncio.start_server(served.serve, "127.0.0.1", 0)
    served.port = listening.sockets[0].getsockname()[1]
    async with listening:
        yield served


def test_an_idle_socket_is_not_gone_and_one_whose_peer_closed_is() -> None:
    """httpcore's poll, which the quick check runs on the socket it keeps (a private function
    of httpcore: this fails when it goes or changes its answer)."""
    ours, theirs = socket.socketpair()
    with ours:
        assert not is_socket_readable(ours)
        theirs.close()
        assert is_socket_readable(ours)
    assert is_socket_readable(ours), "a closed socket counts as gone"
    assert is_socket_readable(None)


class _Counted(httpcore.AsyncNetworkStream):
    """httpcore's stream, counting what it is asked."""

    def __init__(self, stream: httpcore.AsyncNetworkStream) -> None:
        self.stream = stream
        self.asked: list[str] = []

    def get_extra_info(self, info: str) -> Any:
        self.asked.append(info)
        return self.stream.get_extra_info(info)

    async def aclose(self) -> None:
        await self.stream.aclose()


async def test_the_quick_check_answers_as_httpcores_own_without_asking_its_stream(
    server: KeepAliveServer,
) -> None:
    plain = await httpcore.AnyIOBackend().connect_tcp("127.0.0.1", server.port)
    counted = _Counted(plain)
    quick = QuickCheckStream(counted)
    try:
        assert counted.asked == ["socket"], "the socket is taken once, at the start"
        await asyncio.wait_for(_until(lambda: server.connections == 1), 10)
        assert quick.get_extra_info("is_readable") is plain.get_extra_info("is_readable") is False
        server.close_connections()
        # Wait for the end of the stream to reach our socket (an event, read with poll).
        await asyncio.to_thread(_readable_within, plain.get_extra_info("socket"), 10_000)
        assert quick.get_extra_info("is_readable") is plain.get_extra_info("is_readable") is True
        assert counted.asked == ["socket"], "the check asked the stream nothing"
        assert quick.get_extra_info("client_addr") == plain.get_extra_info("client_addr")
    finally:
        await quick.aclose()


async def test_the_bots_requests_keep_an_open_connection_and_replace_a_closed_one(
    server: KeepAliveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the bot's own request object; fails when it no longer runs on QuickCheckBackend
    (an httpx that renamed the pool it is built on, say)."""
    streams: list[QuickCheckStream] = []
    checks: list[bool] = []
    real_init, real_check = QuickCheckStream.__init__, QuickCheckStream.get_extra_info

    def opened(self: QuickCheckStream, stream: httpcore.AsyncNetworkStream) -> None:
        real_init(self, stream)
        streams.append(self)

    def noted(self: QuickCheckStream, info: str) -> Any:
        answer = real_check(self, info)
        if info == "is_readable":
            checks.append(answer)
        return answer

    monkeypatch.setattr(QuickCheckStream, "__init__", opened)
    monkeypatch.setattr(QuickCheckStream, "get_extra_info", noted)
    request = BoundedRequest(2, pool_timeout=5)
    await request.initialize()
    url = f"http://127.0.0.1:{server.port}/bottoken/getMe"
    try:
        for _ in range(2):
            assert await request.do_request(url, "POST") == (200, BODY)
        assert checks and not any(checks), "the idle connection was checked, and kept"
        assert len(streams) == server.connections == 1

        server.close_connections()
        await asyncio.to_thread(_readable_within, streams[0].get_extra_info("socket"), 10_000)
        checks.clear()
        assert await request.do_request(url, "POST") == (200, BODY)
        assert checks[0] is True, "the closed connection was seen as closed"
        assert len(streams) == server.connections == 2, "and replaced by a new one"
    finally:
        await request.shutdown()


async def test_under_tls_the_check_polls_the_socket_below_it() -> None:
    """The Bot API is reached over HTTPS: the stream after start_tls checks the same socket."""
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("localhost").configure_cert(server_context)
    client_context = ssl.create_default_context()
    authority.configure_trust(client_context)
    served = KeepAliveServer()
    listening = await asyncio.start_server(served.serve, "127.0.0.1", 0, ssl=server_context)
    async with listening:
        port = listening.sockets[0].getsockname()[1]
        plain = await QuickCheckBackend().connect_tcp("127.0.0.1", port)
        secure = await plain.start_tls(client_context, "localhost")
        try:
            assert isinstance(secure, QuickCheckStream)
            await secure.write(b"POST /bot/getMe HTTP/1.1\r\nHost: localhost\r\n\r\n")
            answer = b""
            while not answer.endswith(BODY):
                answer += await secure.read(4096)
            assert answer == RESPONSE + BODY
            assert secure.get_extra_info("is_readable") is False
            served.close_connections()
            await asyncio.to_thread(_readable_within, secure.get_extra_info("socket"), 10_000)
            assert secure.get_extra_info("is_readable") is True
        finally:
            await secure.aclose()


def test_the_backend_is_the_one_the_transport_runs_on() -> None:
    pool = quick_check_transport(3)._pool
    assert isinstance(pool, httpcore.AsyncConnectionPool)
    assert isinstance(pool._network_backend, QuickCheckBackend)


async def _until(condition: Any) -> None:
    """Let the loop run until `condition()` holds (the caller bounds the wait)."""
    while not condition():
        await asyncio.sleep(0)


def _readable_within(sock: socket.socket, milliseconds: int) -> None:
    """Wait (in a thread) until the server's close reaches `sock`, at most `milliseconds`."""
    poller = select.poll()
    poller.register(sock.fileno(), select.POLLIN)
    assert poller.poll(milliseconds), "the server's close never arrived"
