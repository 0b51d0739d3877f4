"""Liveness for the container's health check: a heartbeat, a real write, and the quarantine count.

Why a file: the health check runs as a separate process (`python -m bot healthcheck`), so it cannot
ask the bot's event loop directly; a heartbeat that stops changing means the loop is stuck or dead.
Why a real write with fsync: merely creating a file may succeed on a full disk, yet every save
would fail; only writing a new file the way a save does (write, fsync, rename) tells the truth.
Quarantined session files are reported, not counted as unhealthy: the bot itself is fine, but the
operator should look at them.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.persistence import SessionStore
from bot.persistence.atomic import atomic_write_bytes
from bot.settings import Settings, SettingsError

HEARTBEAT_NAME = "heartbeat"
HEARTBEAT_INTERVAL = 30.0
HEARTBEAT_MAX_AGE = 4 * HEARTBEAT_INTERVAL
PROBE_NAME = ".health-probe"


def heartbeat_path(data_dir: Path) -> Path:
    return data_dir / HEARTBEAT_NAME


def touch_heartbeat(data_dir: Path) -> None:
    path = heartbeat_path(data_dir)
    path.touch()
    os.utime(path)


def probe_write(directory: Path) -> None:
    """Write a small file in `directory` exactly as a save does; raises OSError on failure.

    A new temp file, written, fsynced and renamed: rewriting an existing file would still succeed
    in a read-only directory, and without fsync a full disk may go unnoticed. A missing directory
    is reported, not created.
    """
    atomic_write_bytes(directory / PROBE_NAME, b"probe\n", make_parents=False)


@dataclass
class HealthReport:
    """Problems that make the bot unhealthy, and what the operator should know besides."""

    problems: list[str] = field(default_factory=list)
    quarantined: int = 0

    def notes(self) -> list[str]:
        if not self.quarantined:
            return []
        files = "unreadable session file" if self.quarantined == 1 else "unreadable session files"
        return [f"{self.quarantined} {files} in quarantine"]


def health_report(settings: Settings, now: float | None = None) -> HealthReport:
    """Check token, a real write in the data (and sessions) directory, heartbeat, quarantine."""
    report = HealthReport()
    try:
        settings.token()
    except SettingsError as err:
        report.problems.append(str(err))
    data_dir = settings.bot_data_dir
    store = SessionStore(data_dir)
    for directory in (data_dir, store.root):
        if directory == store.root and not directory.is_dir():
            continue  # created at start-up; until then the data directory's probe says enough
        try:
            probe_write(directory)
        except OSError as err:
            reason = err.strerror or type(err).__name__
            report.problems.append(f"data directory {directory} is not writable ({reason})")
            break
    try:
        report.quarantined = store.quarantine.count()
    except OSError:
        report.problems.append(f"quarantine {store.quarantine.path} is not readable")
    try:
        age = (now or time.time()) - heartbeat_path(data_dir).stat().st_mtime
    except OSError:
        report.problems.append("no heartbeat: the bot is not running (or not yet)")
    else:
        if age > HEARTBEAT_MAX_AGE:
            report.problems.append(f"heartbeat is {age:.0f} s old: the bot does not respond")
    return report


def check_health(settings: Settings, now: float | None = None) -> list[str]:
    """Problems that make the bot unhealthy (empty when healthy); never mentions the token."""
    return health_report(settings, now).problems
