"""Logging that never contains the bot token or what a user wrote.

Why: PTB's HTTP client (httpx) logs every request URL at INFO, and the URL contains the token; an
exception's message may quote user input. So httpx is quietened, every formatted line is scrubbed of
the token, and errors are logged as their type and stack frames only (the frames' file, line and
function, never local values or the exception's own text, except Telegram's own error descriptions),
also when a library logs an exception with its traceback.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Iterable
from typing import Any

from telegram.error import TelegramError

REDACTED = "[redacted]"


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then removes every secret from the result (also from tracebacks)."""

    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        self._secrets = [s for s in secrets if s]

    def formatException(self, ei: Any) -> str:
        """One line instead of a traceback: libraries log exceptions whose text may hold data."""
        error = ei[1] if isinstance(ei, tuple) else None
        return describe_error(error) if isinstance(error, BaseException) else "(error)"

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


def configure_logging(level: str, secrets: Iterable[str] = ()) -> None:
    """Log to stderr at `level`, with secrets scrubbed and the chatty HTTP loggers quietened."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "aiohttp.access", "transitions"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def describe_error(err: BaseException) -> str:
    """The error's type and where it happened, without its message (which may quote user input)."""
    frames = traceback.extract_tb(err.__traceback__)
    where = " <- ".join(
        f"{f.name} ({f.filename.rsplit('/', 1)[-1]}:{f.lineno})" for f in frames[::-1]
    )
    name = type(err).__name__
    if isinstance(err, TelegramError):
        # Telegram's own descriptions ("Message is too long") carry no user data.
        name = f"{name}: {err.message}"
    return f"{name} at {where}" if where else name


def log_error(logger: logging.Logger, context: str, err: BaseException) -> None:
    logger.error("%s: %s", context, describe_error(err))
