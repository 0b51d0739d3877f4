"""Crash-safe file replacement: a reader sees the old bytes or the new ones, never half of each.

Why: the bot may be killed (SIGKILL, power loss) at any instant, also during a save. Writing to a
temporary file in the same directory, fsyncing it, renaming it over the target and fsyncing the
directory makes the replacement atomic and durable on POSIX file systems.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import secrets
from pathlib import Path

TEMP_SUFFIX = ".tmp"

# A path given as text or as a Path: a caller that writes a new name on every call (a parked
# batch) passes text, which pathlib never parses (see `bot.persistence.store._record_path`).
StrPath = str | os.PathLike[str]

_tag: tuple[int, str] | None = None


def process_tag() -> str:
    """This process's mark in its temp file names: its pid and a random part drawn at its start.

    Why: at start-up the store sweeps away the temp files a killed process left behind, while this
    process already saves (the sweep runs in the background). The sweep must spare the temp file of
    a save about to be renamed, and only the name can tell whose it is: a pid alone repeats (in a
    container the bot is always the same pid), hence the random part. A forked child draws anew.
    """
    global _tag
    pid = os.getpid()
    if _tag is None or _tag[0] != pid:
        _tag = (pid, f"{pid}-{secrets.token_hex(6)}")
    return _tag[1]


def is_foreign_temp(name: str) -> bool:
    """A temp file of another (earlier) process: no save of this process can still own it."""
    return name.endswith(TEMP_SUFFIX) and f".{process_tag()}." not in name


def fsync_dir(directory: StrPath) -> None:
    """Make a rename or a new entry in `directory` durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def ensure_dir(directory: Path) -> None:
    """Create `directory` (and parents) durably; cheap when it already exists."""
    if directory.is_dir():
        return
    directory.mkdir(parents=True, exist_ok=True)
    fsync_dir(directory.parent)


def listed(directory: Path, *, dirs_only: bool = False) -> list[Path]:
    """The entries of `directory` (only its subdirectories with `dirs_only`); none when it does
    not exist yet, which for the store's folders means nothing was written there so far."""
    try:
        with os.scandir(directory) as entries:
            return [Path(entry.path) for entry in entries if not dirs_only or entry.is_dir()]
    except FileNotFoundError:
        return []


def atomic_write_bytes(
    path: StrPath, data: bytes, *, make_parents: bool = True, durable: bool = True
) -> None:
    """Replace `path` by `data` atomically; the file is private to the bot's user (mode 0600).

    With `make_parents=False` a missing directory is an error (FileNotFoundError), e.g. for a
    probe that must not create what it checks. With `durable=False` the write is still atomic
    (old or new bytes, never half) but not forced to disk: for a file whose loss is harmless
    (the figures page of `python -m bot stats`, made again by its next run).
    """
    StagedWrite(path, data, make_parents=make_parents).commit(durable=durable)


class StagedWrite:
    """A replacement of `path` by `data` in two halves: the bytes go to a temp file at once, the
    flush to disk and the rename wait for `commit`; until then readers see the old bytes.

    Why two halves: writing a few kilobytes into the page cache takes microseconds, the flushes
    wait for the disk. A turn's step on the event loop writes its record's bytes there and has
    a worker thread commit them (bot/conversation.py), so that the loop never waits for a disk.

    Plain file descriptors, no `tempfile.mkstemp` and no file object: every turn writes a few
    of these, and those layers cost a third of a write's CPU (a stat of the folder, a random
    name, a buffered writer's own fstat, ioctl and lseek), each system call also handing the
    interpreter lock back and forth with the event loop. The temp name is unique without them:
    this process's tag and a counter, created exclusively. A temp file never committed (the
    process was killed) is swept at the next start (`is_foreign_temp`).
    """

    def __init__(self, path: StrPath, data: bytes, *, make_parents: bool = True) -> None:
        directory, name = os.path.split(path)
        self._path = path
        self._directory = directory or os.curdir
        self._temp = f"{self._directory}/.{name}.{process_tag()}.{next(_temp_serial)}{TEMP_SUFFIX}"
        try:
            self._fd = _create(self._temp)
        except FileNotFoundError:
            if not make_parents:
                raise
            ensure_dir(Path(self._directory))
            self._fd = _create(self._temp)
        try:
            _write_all(self._fd, data)
        except BaseException:
            self._drop()
            raise

    def commit(self, *, durable: bool = True) -> None:
        """Put the bytes in place: flushed to disk with the rename unless `durable=False`.
        Once only; a failure removes the temp file and leaves the old bytes in place."""
        try:
            if durable:
                os.fsync(self._fd)
            os.close(self._fd)
            self._fd = -1
            os.replace(self._temp, self._path)
        except BaseException:
            self._drop()
            raise
        if durable:
            fsync_dir(self._directory)

    def _drop(self) -> None:
        """Close and remove the temp file after a failure (the failure is what gets raised)."""
        with contextlib.suppress(OSError):
            if self._fd >= 0:
                os.close(self._fd)
            self._fd = -1
        with contextlib.suppress(OSError):
            os.unlink(self._temp)


# Numbers this process's temp files, so that two writes of the same file never share a name
# (`next` on a count is atomic under the interpreter lock: worker threads write side by side).
_temp_serial = itertools.count()


def _create(temp: str) -> int:
    return os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)


def _write_all(fd: int, data: bytes) -> None:
    """All of `data`: a write to a regular file may take less than asked (a signal, a full disk
    on the way to ENOSPC)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def read_all(fd: int, size_hint: int) -> bytes:
    """Everything from `fd` to its end. With `size_hint` the file's size, one read takes it all
    and a second, empty one finds the end (a file that grew meanwhile is read on to its end)."""
    chunks = [os.read(fd, size_hint + 1)]
    while chunks[-1]:
        chunks.append(os.read(fd, max(size_hint, 65536)))
    return b"".join(chunks)


def remove(path: Path) -> bool:
    """Delete `path` without forcing the deletion to disk; False when it did not exist.

    For a deletion that is simply made again when a power loss undid it (the upkeep walk's: an
    expired record or a stale temp file is still expired at the next walk). Each directory fsync
    waits for the file system's journal, and in the walk they queued up behind the answers' own
    saves.
    """
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def remove_durably(path: Path) -> bool:
    """Delete `path` and make the deletion durable; False when it did not exist."""
    if not remove(path):
        return False
    fsync_dir(path.parent)
    return True
