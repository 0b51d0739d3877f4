"""A data directory that is really read-only for the test process, also when tests run as root.

Permission bits do not bind root, so as root the directory tree is handed to `nobody` and the
process takes `nobody` as its effective user while the directory is locked. The tree lives in a
world-traversable temp directory, so `nobody` can reach and read it, but not write it.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


def _dirs(root: Path) -> list[Path]:
    return [root, *(p for p in root.rglob("*") if p.is_dir())]


def _chown_tree(root: Path, uid: int) -> None:
    for path in [root, *root.rglob("*")]:
        os.chown(path, uid, -1)


class ReadOnlyDir:
    """`path` is an ordinary directory until `locked()`; inside it, nothing under it is writable."""

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="readonly-"))
        self.path.chmod(0o755)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        as_root = os.geteuid() == 0
        nobody = pwd.getpwnam("nobody").pw_uid if as_root else -1
        if as_root:
            _chown_tree(self.path, nobody)
        for directory in _dirs(self.path):
            directory.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP | 0o005)
        if as_root:
            os.seteuid(nobody)
        try:
            try:
                (self.path / ".can-i-write").touch()
            except PermissionError:
                pass
            else:
                pytest.skip("this machine cannot make a directory read-only")
            yield
        finally:
            if as_root:
                os.seteuid(0)
            for directory in _dirs(self.path):
                directory.chmod(0o755)
            if as_root:
                _chown_tree(self.path, 0)

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
