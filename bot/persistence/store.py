"""Durable per-chat records: one small JSON file per chat, sharded over 256 subdirectories.

Why one file per chat: a save then rewrites only that chat's file (a few hundred bytes),
atomically, so its cost stays flat whether 100 or 100,000 chats are stored (see
`bench/persistence_growth.py`). Subdirectories named by a hash of the chat key keep directories
small. A load is one read and one parse, and a look at the record's delivery marks (a small file
beside it, see bot/persistence/marks.py); a save is one atomic write (temp file, fsync, rename,
directory fsync): no read-modify-write.

The store tells the truth about failures instead of hiding them:
- a file that cannot be read is moved to quarantine (`LoadResult.quarantined`), and the chat
  starts afresh;
- a save that did not reach the disk raises `SaveFailed`, so nobody claims the answer was kept.

The methods are synchronous and blocking (fsync); async callers run them in a worker thread.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

from bot.persistence.atomic import (
    StagedWrite,
    atomic_write_bytes,
    ensure_dir,
    fsync_dir,
    is_foreign_temp,
    listed,
    read_all,
    remove,
    remove_durably,
)
from bot.persistence.checkin_index import CheckinIndex
from bot.persistence.codec import BadRecord, decode_record, decode_saved_at, encode_record
from bot.persistence.keys import check_key, shard_of
from bot.persistence.marks import mark_path, read_mark, write_mark
from bot.persistence.quarantine import QUARANTINE_DIR, Quarantine
from bot.persistence.records import ChatRecord, utc_now

log = logging.getLogger(__name__)

SESSIONS_DIR = "sessions"
# The index of pending check-ins (see bot/persistence/checkin_index.py).
CHECKINS_DIR = "checkins"
# The index of outboxes not delivered yet: one empty file `<key>` per chat whose last turn still
# has messages to send, so a start finds them by reading names, not every record (issue 24.3).
OUTBOX_DIR = "outbox"
# In the outbox index once it lists every unsent outbox: a store kept by a bot before the index
# has none, and its first start looks through the recent records once more.
INDEXED = ".indexed"
# The share of one core the upkeep walk may take (it sleeps the rest), so that a large store
# does not slow the answers of a bot that has just started (see `upkeep`).
WALK_SHARE = 0.15


# How a saved outbox whose replies have not gone out yet looks in the file's compact JSON.
UNSENT_MARK = b'"delivered":false'
# Record paths kept built, for the chats that talk now (see `_record_path`). As many as the
# live buttons keep (bot/live_taps.py); about 0.3 kB each.
PATHS_KEPT = 1024


def record_bytes(record: ChatRecord) -> bytes:
    """The exact bytes a save writes, e.g. to create benchmark fixtures fast."""
    return encode_record(record)


class NotAFile(ValueError):
    """Something other than a regular file stands where a record belongs (a directory, a pipe)."""


def read_regular(path: Path) -> bytes:
    """The bytes of the regular file at `path`; NotAFile for anything else.

    Why not `read_bytes`: a directory in a file's place raised IsADirectoryError on every load
    (a permanent apology), and a named pipe would block the worker for ever. Opened without
    blocking, the kind of entry is checked on the open file, so nothing can change in between.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotAFile("not a regular file")
        return read_all(fd, info.st_size)  # no file object: see atomic_write_bytes
    finally:
        os.close(fd)


class SaveFailed(OSError):
    """A record did not reach the disk (full, read-only, I/O error): the answer was NOT saved."""


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What a load found: the record (None: start afresh) and whether a broken file was moved."""

    record: ChatRecord | None = None
    # True when a stored file existed but could not be read and is now in quarantine: the user's
    # earlier conversation is lost to the bot, and they deserve to be told.
    quarantined: bool = False

    @property
    def blocked(self) -> bool:
        """The user blocked the bot: send them nothing until they write again."""
        return self.record is not None and self.record.blocked


# Entries the upkeep walk handles between two pauses: about a millisecond of work, so an answer
# that waits for the interpreter while the walk runs waits that long at most.
WALK_CHUNK = 64


class _Pace:
    """Keeps a walk to `share` of the wall clock: after each chunk of work, a pause 1/share - 1
    times as long. Wall time, not CPU time: on a busy machine the walk's thread also holds the
    interpreter while it waits for a core, and that is what the event loop feels."""

    def __init__(self, share: float, sleep: Callable[[float], None]) -> None:
        self._factor = max(0.0, (1.0 - share) / share) if share > 0 else 0.0
        self._sleep = sleep
        self._count = 0
        self._began = time.perf_counter()

    def tick(self) -> None:
        self._count += 1
        if self._count >= WALK_CHUNK:
            self.rest()

    def rest(self) -> None:
        """Pause for the work done since the last pause (none when the walk is not paced)."""
        if self._factor and self._count:
            self._sleep((time.perf_counter() - self._began) * self._factor)
        self._count = 0
        self._began = time.perf_counter()


@dataclass
class Upkeep:
    """What one upkeep walk did: temp files removed, idle records deleted."""

    temps: int = 0
    deleted: int = 0


@functools.lru_cache(maxsize=PATHS_KEPT)
def _record_path(root: Path, key: str) -> Path:
    """`root/<shard>/<key>.json`, built once for each chat in use.

    Why kept: Python 3.11's pathlib interns every part of a path it parses (`sys.intern`). A
    record's path built anew for each load, save and note put the chat's file name into the
    interpreter's table of interned strings and took it out again when the path was dropped:
    about five times per update, each one a used slot. The table is rebuilt when its slots run
    out, a new block of nearly 4 MB each time, and the memory grew by that much in one step
    every couple of thousand users (`bench/soak.py`). Kept for the chats in use, a chat's file
    name enters the table about once per conversation. (The first releases of Python 3.12 made
    interned strings immortal, CPython gh-113993: there each new name stayed for good.)
    """
    return root / shard_of(key) / f"{key}.json"


class SessionStore:
    """Load, save, erase and expire chat records under `<data_dir>/sessions/`."""

    def __init__(self, data_dir: Path) -> None:
        # Fixed for the store's life: Final, so mypy refuses a reassignment.
        self.root: Final = data_dir / SESSIONS_DIR
        self._checkins = CheckinIndex(data_dir / CHECKINS_DIR)
        self._outbox = data_dir / OUTBOX_DIR
        # Where unreadable files go (`.path`, `.count()` files there now, `.moved` by this store).
        self.quarantine: Final = Quarantine(data_dir / QUARANTINE_DIR)

    def path_for(self, key: str) -> Path:
        """`sessions/<shard>/<key>.json`; raises ValueError for a key unsafe as a file name."""
        return _record_path(self.root, check_key(key))

    def load_result(self, key: str) -> LoadResult:
        """The chat's record, and whether an unreadable file had to be moved to quarantine.

        Raises OSError only when the disk itself fails (the file exists but cannot be read or
        moved); the file's content never makes a load fail.
        """
        path = self.path_for(key)
        try:
            raw = read_regular(path)
        except FileNotFoundError:
            return LoadResult()
        except NotAFile as err:
            self._set_aside(path, str(err))
            return LoadResult(quarantined=True)
        try:
            record = decode_record(raw)
        except BadRecord as err:
            self._set_aside(path, err.reason)
            return LoadResult(quarantined=True)
        mark = read_mark(mark_path(path))
        if mark is not None:
            mark.apply_to(record)  # how far its outbox got (bot/persistence/marks.py)
        return LoadResult(record)

    def _set_aside(self, path: Path, reason: str) -> bool:
        """Move a record to quarantine; its delivery marks go first (they count its outbox)."""
        with contextlib.suppress(OSError):
            remove(mark_path(path))
        return self.quarantine.move(path, reason)

    def set_aside(self, key: str, reason: str) -> bool:
        """Move the chat's record to quarantine although it decodes: the dialog cannot go on from
        it (an unknown role after a knowledge change, say). False when there was no record.

        `reason` is logged: it must hold no personal data.
        """
        moved = self._set_aside(self.path_for(key), reason)
        self._index(key, None)  # its check-ins went with it
        return moved

    def quarantined_copies(self, key: str) -> int:
        """How many unreadable earlier records of the chat are kept in quarantine (for /privacy)."""
        return len(self.quarantine.copies(check_key(key)))

    def load(self, key: str) -> ChatRecord | None:
        """The chat's record, or None when nothing (readable) is stored."""
        return self.load_result(key).record

    def is_blocked(self, key: str) -> bool:
        """True when the user blocked the bot and has not written since."""
        return self.load_result(key).blocked

    def save(self, key: str, record: ChatRecord) -> None:
        """Write the record; returns only when it is on disk, else raises SaveFailed."""
        self.stage(key, record).commit()

    def stage(self, key: str, record: ChatRecord) -> StagedRecord:
        """The record's save up to its flush: its bytes in a temp file, without waiting for the
        disk. Its `commit` makes it durable (and may be called from a worker thread); raises
        SaveFailed when the disk refused already. Until the commit a load sees the old record.
        """
        record.saved_at = utc_now()  # also what the delivery marks name (bot/persistence/marks.py)
        unsent = record.delivery is not None and not record.delivery.delivered
        try:
            if unsent:  # listed before the record: a crash between leaves a spare entry
                self._list_unsent(key)
            write = StagedWrite(self.path_for(key), encode_record(record))
        except OSError as err:
            raise _failed(err) from err
        follow = functools.partial(self._follow, key, unsent, record.next_checkin())
        return StagedRecord(write, follow)

    def _follow(self, key: str, unsent: bool, due: datetime | None) -> None:
        """The index entries that follow a record just put in place: out of the outbox index
        when its outbox has nothing to send, and its check-in's entry."""
        if not unsent:
            self.unlist_unsent(key)
        self._index(key, due)

    def note(self, key: str, record: ChatRecord) -> None:
        """Keep how far the record's outbox got and which message has the live buttons: only
        those marks, in place and not forced to disk (bot/persistence/marks.py). `record` is
        the one the last save wrote, or its load. Nothing is written when no record was ever
        saved in the key's folder; raises SaveFailed when the disk refused.

        Notes are written on the event loop (bot/turns.py), which must not wait for the check-in
        index's lock or its first read: a note touches neither that index nor the record.
        """
        try:
            write_mark(mark_path(self.path_for(key)), record)
        except FileNotFoundError:
            return
        except OSError as err:
            raise _failed(err) from err
        if record.delivery is None or record.delivery.delivered:
            self.unlist_unsent(key)

    # ---- the outbox index --------------------------------------------------------------------

    def _list_unsent(self, key: str) -> None:
        """An empty entry named `key`, without an fsync of its own.

        Why no fsync: it would add a third flush to every turn's save. The entry is created
        before the record's durable write, whose flushes commit it too on journalling file
        systems (ext4, xfs commit a transaction's metadata together); a kill never loses it.
        Only a power loss on another file system might, and then the turn's replies wait for
        the user's next message (the turn itself is on disk).
        """
        ensure_dir(self._outbox)
        # Joined as text: a Path would put the key into the table of interned strings (see
        # `_record_path`).
        os.close(os.open(os.path.join(self._outbox, key), os.O_CREAT | os.O_WRONLY, 0o600))

    def unlist_unsent(self, key: str) -> None:
        """Take `key` out of the outbox index (its outbox was delivered, or is gone)."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(self._outbox, key))

    def unsent_keys(self) -> list[str] | None:
        """Keys of the chats whose outbox may hold unsent messages, read from the index.

        None when the index is not known to be complete (a store from before it): then the
        caller looks through the recent records (`recent_keys`) and calls `indexed()`.
        """
        try:
            names = [entry.name for entry in os.scandir(self._outbox)]
        except FileNotFoundError:
            return None
        if INDEXED not in names:
            return None
        return sorted(name for name in names if not name.startswith("."))

    def indexed(self) -> None:
        """Say that the outbox index lists every unsent outbox from now on."""
        ensure_dir(self._outbox)
        atomic_write_bytes(self._outbox / INDEXED, b"")

    # ---- the check-in index ------------------------------------------------------------------

    def _index(self, key: str, due: datetime | None) -> None:
        """Keep the check-in index entry of `key` in step with its record (after the record)."""
        self._checkins.put(key, due)

    def due_checkins(self, now: datetime) -> list[str]:
        """Keys of chats whose check-in is due at `now`, the longest waiting first."""
        markers = sorted(self._checkins.entries(), key=lambda marker: (marker.due, marker.key))
        return [marker.key for marker in markers if marker.due <= now]

    def pending_checkins(self) -> dict[str, datetime]:
        """Every chat with a pending check-in, with its due time (for the purge)."""
        return {marker.key: marker.due for marker in self._checkins.entries()}

    def erase(self, key: str) -> bool:
        """Delete everything stored about the chat: its record, its pending check-ins and its
        quarantined copies (they hold an earlier conversation); False when nothing was stored."""
        self._index(key, None)
        self.unlist_unsent(key)
        path = self.path_for(key)
        marked = remove(mark_path(path))
        erased = remove_durably(path)
        if marked and not erased:
            fsync_dir(path.parent)  # the same folder: the record's flush made it durable too
        return self.quarantine.erase(key) > 0 or erased

    def mark_blocked(self, key: str) -> None:
        """Remember that the user blocked the bot, so nothing more is sent to them."""
        record = self.load(key) or ChatRecord()
        if not record.blocked:
            record.blocked = True
            self.save(key, record)

    def files(self) -> Iterator[Path]:
        """Every entry in every shard (also temp files); an unreadable shard is skipped."""
        for shard in self._shards():
            yield from self._entries(shard)

    def count(self) -> int:
        return sum(1 for path in self.files() if path.suffix == ".json")

    def recent_keys(self, since: datetime) -> Iterator[str]:
        """Keys of the chats saved at or after `since` whose file may hold unsent replies.

        For the start-up look for replies that never went out: only a recent turn can have any,
        judged by file time; and only a file whose bytes hold an outbox not marked delivered
        (a save writes compact JSON, so `"delivered":false`). Nothing is parsed here: with a
        large store, parsing every recent file delayed the first answers after a start.
        """
        cutoff = since.timestamp()
        for path in self.files():
            if path.suffix != ".json" or path.name.startswith("."):
                continue
            try:
                if path.stat().st_mtime >= cutoff and UNSENT_MARK in path.read_bytes():
                    yield path.stem
            except OSError:
                continue

    def prepare(self, *, sessions: bool = True) -> int:
        """Create the root and remove temp files a killed process left behind; returns removed.

        Only those of earlier processes (see `atomic.process_tag`): the sweep runs while this
        process already saves, and deleting the temp file of a save about to be renamed made that
        save fail ("not saved") or lose its outbox mark. `sessions=False` leaves the records'
        shards to the upkeep walk (`upkeep`) and sweeps only the small index directories.
        """
        ensure_dir(self.root)
        removed = 0
        walked = self.files() if sessions else iter(())
        for path in [*walked, *listed(self._checkins.directory), *self._outbox_entries()]:
            if is_foreign_temp(path.name) and remove(path):
                removed += 1
        return removed

    def _outbox_entries(self) -> list[Path]:
        return listed(self._outbox)

    def purge_idle(self, retention: timedelta, now: datetime | None = None) -> int:
        """Delete records not saved within `retention`; returns how many were deleted.

        Decided by mtime first (every save touches it): a file changed since the cutoff is kept
        without being read. An older file is judged by its stored `saved_at` (a restore may have
        kept old mtimes); one that cannot be read goes to quarantine. No single file's problem
        stops the purge. Quarantined files are deleted after the same retention.
        """
        return self.upkeep(retention, now, temps=False, share=1.0).deleted

    def upkeep(
        self,
        retention: timedelta,
        now: datetime | None = None,
        *,
        temps: bool = True,
        share: float = WALK_SHARE,
        sleep: Callable[[float], None] = time.sleep,
    ) -> Upkeep:
        """One walk over every record: temp files of earlier processes removed (`temps`) and
        idle records purged (see `purge_idle`), at most `share` of one core.

        Why one walk: at a start the temp sweep, the look for unsent replies and the purge
        each walked every file (1M files: 6, 14 and 28 s of a busy core), and the first answers
        waited for the CPU. Unsent replies are found from their index now (`unsent_keys`);
        the rest is this walk, which sleeps after each shard so that it takes at most `share`
        of a core: at 1M files it takes longer, and the answers meanwhile do not notice it.
        Its deletions are not flushed one by one (`atomic.remove`): a directory fsync per deleted
        file queued behind the answers' own saves, and a deletion a power loss undoes is made
        again by the next walk.
        """
        cutoff = (now or utc_now()) - retention
        cutoff_ts = cutoff.timestamp()
        done = Upkeep()
        pace = _Pace(share, sleep)
        # A check-in not sent yet keeps its chat until the retention period has passed after it.
        waiting = {key for key, due in self.pending_checkins().items() if due > cutoff}
        for shard in self._shards():
            for entry in self._scan(shard):
                pace.tick()
                name = entry.name
                if temps and is_foreign_temp(name):
                    with contextlib.suppress(OSError):
                        done.temps += remove(Path(entry.path))
                    continue
                if not name.endswith(".json") or name[: -len(".json")] in waiting:
                    continue
                try:
                    if entry.stat().st_mtime >= cutoff_ts:
                        continue  # saved since the cutoff: kept without a look inside
                    path = Path(entry.path)
                    if self._expired(path, cutoff, cutoff_ts) and _remove_with_mark(path):
                        self._index(path.stem, None)
                        self.unlist_unsent(path.stem)
                        done.deleted += 1
                except Exception as err:  # one bad file must never end the purge
                    log.warning("Purge skipped a session file (%s)", type(err).__name__)
            pace.rest()
        self.quarantine.purge(cutoff_ts)
        return done

    @staticmethod
    def _scan(shard: Path) -> Iterator[os.DirEntry[str]]:
        """The entries of one shard, one at a time (a listing of thousands at once holds the
        interpreter for milliseconds, and every answer meanwhile waits for it)."""
        try:
            with os.scandir(shard) as entries:
                yield from entries
        except OSError as err:
            log.warning("Session shard skipped (%s)", type(err).__name__)

    def _shards(self) -> list[Path]:
        return listed(self.root, dirs_only=True)

    @staticmethod
    def _entries(shard: Path) -> list[Path]:
        try:
            return [Path(entry.path) for entry in os.scandir(shard)]
        except OSError as err:
            log.warning("Session shard skipped (%s)", type(err).__name__)
            return []

    def _expired(self, path: Path, cutoff: datetime, cutoff_ts: float) -> bool:
        if path.stat().st_mtime >= cutoff_ts:
            return False
        try:
            saved_at = decode_saved_at(read_regular(path))
        except (BadRecord, NotAFile) as err:
            self.quarantine.move(path, str(err))
            return False
        return saved_at < cutoff


def _remove_with_mark(path: Path) -> bool:
    """Delete an expired record, its delivery marks first (no flush: see `upkeep`)."""
    remove(mark_path(path))
    return remove(path)


@dataclass
class StagedRecord:
    """A record's save whose bytes wait in a temp file for `commit` (see `SessionStore.stage`)."""

    write: StagedWrite
    follow: Callable[[], None]  # the index entries that follow the record (`SessionStore._follow`)

    def commit(self) -> None:
        """Flush the record to disk and put it in place, then the index entries that follow it;
        raises SaveFailed when the disk refused (the old record stays)."""
        try:
            self.write.commit()
        except OSError as err:
            raise _failed(err) from err
        self.follow()


def _failed(err: OSError) -> SaveFailed:
    """The reason only (e.g. "No space left on device"): the path holds the chat key."""
    return SaveFailed(err.errno, f"session not saved: {err.strerror or type(err).__name__}")
