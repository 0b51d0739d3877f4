"""How far a saved turn's delivery got, kept beside the chat's record in a small file of its own.

Why a file of its own: each message Telegram takes is counted, so that a crash never sends it
twice, and after the last one the outbox is marked delivered. Those marks were written as a whole
new record (a temp file renamed over the old one), twice per turn and on the event loop: about a
fifth of a millisecond of CPU each, most of it the file system's work for the rename. A mark is
three numbers, so here it is one write in place into a fixed-width file `<key>.sent`, opened
without truncating: no temp file, no rename, no new inode (a sixth of the cost).

A mark names the record it belongs to by that record's `saved_at`, which every durable save sets.
A mark of another record is ignored: a durable save then needs no write to the mark file, and a
record moved to quarantine or written anew never takes a stale count. Like the notes it replaces,
a mark is not forced to disk. A killed process keeps it (it is in the page cache); a power cut may
lose it or leave it half written, and then its checksum drops it: at worst a message goes out a
second time, as with the outbox of a turn whose mark never came.
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.persistence.records import MAX_UPDATE_ID, ChatRecord

MARK_SUFFIX = ".sent"
# Every mark has this many bytes, so a write in place always covers the one before it whole.
MARK_WIDTH = 64
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_NONE = -1  # in the file: no outbox (sent) or no live buttons (keyboard)
_MAX_SENT = 1000  # Delivery.sent's own bound


def _stamp(record: ChatRecord) -> int:
    """The record's `saved_at` in whole microseconds: exact, unlike a float timestamp."""
    return (record.saved_at - _EPOCH) // _MICROSECOND


@dataclass(frozen=True, slots=True)
class Mark:
    """The delivery marks of one record: messages taken, delivered, the live buttons' message."""

    stamp: int  # the record's saved_at (see `_stamp`)
    sent: int | None  # None: the record has no outbox
    delivered: bool
    keyboard: int | None

    @classmethod
    def of(cls, record: ChatRecord) -> Mark:
        delivery = record.delivery
        return cls(
            stamp=_stamp(record),
            sent=None if delivery is None else delivery.sent,
            delivered=delivery is None or delivery.delivered,
            keyboard=record.keyboard_message,
        )

    def encoded(self) -> bytes:
        sent = _NONE if self.sent is None else self.sent
        keyboard = _NONE if self.keyboard is None else self.keyboard
        body = f"{self.stamp} {sent} {int(self.delivered)} {keyboard}"
        line = f"{body} {zlib.crc32(body.encode()):08x}"
        return line.ljust(MARK_WIDTH - 1).encode() + b"\n"

    @classmethod
    def decoded(cls, raw: bytes) -> Mark | None:
        """The mark in `raw`; None for anything else (a torn or foreign file)."""
        try:
            body, _, crc = raw.decode("ascii").strip().rpartition(" ")
            if int(crc, 16) != zlib.crc32(body.encode()):
                return None
            stamp, sent, delivered, keyboard = (int(field) for field in body.split(" "))
        except ValueError:  # not ASCII, too few or too many fields, not numbers
            return None
        if not (_NONE <= sent <= _MAX_SENT and delivered in (0, 1)):
            return None
        if keyboard != _NONE and not 1 <= keyboard <= MAX_UPDATE_ID:
            return None
        return cls(
            stamp=stamp,
            sent=None if sent == _NONE else sent,
            delivered=bool(delivered),
            keyboard=None if keyboard == _NONE else keyboard,
        )

    def apply_to(self, record: ChatRecord) -> bool:
        """Bring the marks onto `record` when they are its own; False (nothing changed) when not."""
        if self.stamp != _stamp(record):
            return False
        record.keyboard_message = self.keyboard
        if record.delivery is not None and self.sent is not None:
            record.delivery.sent = self.sent
            record.delivery.delivered = self.delivered
        return True


def mark_path(record_path: Path) -> Path:
    """`<key>.sent` beside `<key>.json`."""
    return record_path.with_suffix(MARK_SUFFIX)


def write_mark(path: Path, record: ChatRecord) -> None:
    """Write the record's marks over the file's (blocking, no fsync; see the module docstring).

    Raises FileNotFoundError when the record's folder does not exist (no record was saved).
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        os.pwrite(fd, Mark.of(record).encoded(), 0)
    finally:
        os.close(fd)


def read_mark(path: Path) -> Mark | None:
    """The mark stored at `path`; None when there is none or it cannot be read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        raw = os.read(fd, MARK_WIDTH + 1)  # a longer file is no mark: never read on
    except OSError:  # e.g. a directory in its place
        return None
    finally:
        os.close(fd)
    return Mark.decoded(raw) if len(raw) == MARK_WIDTH else None
