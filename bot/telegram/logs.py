"""Logging that never contains the bot token or what a user wrote.

Why: PTB's HTTP client (httpx) logs every request URL at INFO, and the URL contains the token; an
exception's message may quote user input. So httpx is quietened, every formatted line is scrubbed of
the token, and errors are logged as their type and stack frames only (the frames' file, line and
function, never local values or the exception's own text, except Telegram's own error descriptions),
also when a library logs an exception with its traceback.

Libraries also log what they carry: at DEBUG, PTB dumps every request and update (first names,
phone numbers of shared contacts, message texts), and even at ERROR it quotes an update it could
not read. So only the bot's own packages may log at DEBUG, whatever BOT_LOG_LEVEL says, and a
library's line keeps its wording and its numbers but none of its other arguments.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Iterable
from typing import Any

from telegram.error import TelegramError

REDACTED = "[redacted]"
# Placeholder for a library's log argument that may carry user data.
HIDDEN = "[...]"


class _Hidden:
    """Stands in for a hidden argument; shows as HIDDEN through both %s and %r."""

    def __repr__(self) -> str:
        return HIDDEN

    __str__ = __repr__


_HIDDEN = _Hidden()
# The packages whose log lines are written here, by us, without personal data.
OWN_PACKAGES = frozenset({"bot", "dialogs", "knowledge", "__main__"})
# Library loggers and the lowest level they may log at, whatever the bot's level. A library not
# named here logs at WARNING and above (LIBRARY_DEFAULT): fontTools alone wrote ~70 INFO lines
# per action plan, drowning the bot's own lines.
LIBRARY_DEFAULT = logging.WARNING
LIBRARY_FLOORS = {
    "telegram": logging.INFO,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "aiohttp": logging.INFO,
    "aiohttp.access": logging.WARNING,
    "transitions": logging.WARNING,
    "asyncio": logging.INFO,
    "fontTools": logging.WARNING,
    "fpdf": logging.WARNING,
    "PIL": logging.WARNING,
}


def library_floor(logger_name: str) -> int:
    """The lowest level a library's logger may write at: its own floor or its parent's, else
    LIBRARY_DEFAULT."""
    parts = logger_name.split(".")
    for end in range(len(parts), 0, -1):
        floor = LIBRARY_FLOORS.get(".".join(parts[:end]))
        if floor is not None:
            return floor
    return LIBRARY_DEFAULT


def is_own(logger_name: str) -> bool:
    return logger_name.split(".", 1)[0] in OWN_PACKAGES


class LibraryDataFilter(logging.Filter):
    """Drops libraries' lines below their floor (DEBUG always) and hides their non-numeric
    arguments at every level.

    A handler filter, so it holds for every logger, also ones the floors above do not name.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if is_own(record.name):
            return True
        if record.levelno < max(logging.INFO, library_floor(record.name)):
            return False
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            safe = tuple(a if isinstance(a, int | float) else _HIDDEN for a in args)
            template = str(record.msg)
            try:
                record.msg = template % safe
            except (TypeError, ValueError, KeyError):
                record.msg = template
            record.args = ()
        return True


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
    """Log to stderr at `level`, secrets scrubbed, libraries kept from logging user data."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    handler.addFilter(LibraryDataFilter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    for name, floor in LIBRARY_FLOORS.items():
        logging.getLogger(name).setLevel(max(floor, root.level))


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
