"""The HTTP client of the bot's Bot API calls: no more calls on their way than it has connections.

Why: httpcore's connection pool does its bookkeeping on every call it starts and ends. It walks
every queued call and, for each, every open connection; and it asks every idle connection's
socket whether the server closed it (a system call, which also hands the interpreter lock to
the step's worker thread). Under a burst, hundreds of calls queued inside the pool, so each call
paid for all the others: with 150 users tapping at once, httpcore took about a fifth of the
bot's CPU (py-spy), and our bot spent 1.6-1.7x the CPU per update of a bare PTB bot making the
same calls. Here the calls wait their turn in a plain semaphore, in arrival order, before they
reach the pool: its queue stays empty, and no more connections are opened than calls can use.
The long poll (getUpdates) has a request object of its own and is not held here.

A call waits here without the pool's timeout; its wait still ends, as every call let through
ends by its own read, write or connect timeout. The size (`CONNECTION_POOL`, bot/telegram/app.py)
is a trade-off between CPU and a real network's round trips: eight calls on their way at once
carry about 160 calls a second at 50 ms a call, more than Telegram's limits let a bot send.
"""

from __future__ import annotations

import asyncio
from typing import Any

from telegram.request import HTTPXRequest

from bot.telegram.idle_check import quick_check_transport


class BoundedRequest(HTTPXRequest):
    """PTB's httpx request, with at most `connections` calls inside httpx at any moment, on
    connections whose idle check is one poll (bot/telegram/idle_check.py)."""

    def __init__(self, connections: int, pool_timeout: float) -> None:
        super().__init__(
            connection_pool_size=connections,
            pool_timeout=pool_timeout,
            httpx_kwargs={"transport": quick_check_transport(connections)},
        )
        self.connections = connections
        self._turns = asyncio.Semaphore(connections)

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """The call, once it has its turn (arguments as PTB's: passed on untouched)."""
        async with self._turns:
            return await super().do_request(*args, **kwargs)
