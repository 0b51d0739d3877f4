"""The bot's HTTP connections, with a cheap check whether the server closed an idle one.

Why: before and after every call, httpcore's pool asks each idle connection whether its server
closed it (`get_extra_info("is_readable")`). Its anyio stream answers by first building the
socket's whole table of attributes, which asks the kernel for the peer's address, and only
then polls the socket. That is two system calls per idle connection per call, on the event loop,
each one also handing the interpreter lock to a worker thread and back. Under a burst it came to
about 5 % of the bot's CPU (py-spy: `extra_attributes`, `getpeername`, `has_expired`). Here the
stream keeps its socket from the start and runs httpcore's own poll on it: the same answer,
one system call.

Everything else passes to httpcore's own anyio backend and streams unchanged.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

# httpcore's own poll of a socket, which its anyio stream runs after building the attribute
# table: calling it keeps the answer the same by construction (private, but a test covers it).
from httpcore._utils import is_socket_readable

# httpcore's type of a socket option: a level, a name and a value (or None and a length).
SocketOption = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)


class QuickCheckStream(httpcore.AsyncNetworkStream):
    """httpcore's stream, answering "is_readable" from the socket it was opened on."""

    def __init__(self, stream: httpcore.AsyncNetworkStream) -> None:
        self._stream = stream
        self._socket: socket.socket | None = stream.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._stream.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._stream.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """TLS on the same socket (httpcore's check also polls the socket under TLS)."""
        return QuickCheckStream(await self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            return is_socket_readable(self._socket)
        return self._stream.get_extra_info(info)


class QuickCheckBackend(httpcore.AsyncNetworkBackend):
    """httpcore's anyio backend, whose streams are `QuickCheckStream`s."""

    def __init__(self) -> None:
        self._backend = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return QuickCheckStream(stream)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._backend.connect_unix_socket(path, timeout, socket_options)
        return QuickCheckStream(stream)

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


def quick_check_transport(connections: int) -> httpx.AsyncHTTPTransport:
    """httpx's transport as PTB builds it (HTTP/1.1, `connections` at most, the default SSL
    checks and keep-alive), on `QuickCheckBackend`.

    httpx takes no network backend, so its connection pool (`_pool`, the same since httpx 0.18)
    is made again with one; tests/test_telegram_idle_check.py fails when that attribute goes.
    """
    limits = httpx.Limits(max_connections=connections)
    checks = httpx.create_ssl_context()
    transport = httpx.AsyncHTTPTransport(verify=checks, limits=limits)
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=checks,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        http1=True,
        http2=False,
        network_backend=QuickCheckBackend(),
    )
    return transport
