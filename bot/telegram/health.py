"""Liveness for the container's health check: a heartbeat file the running bot keeps touching.

Why a file: the health check runs as a separate process (`python -m bot healthcheck`), so it cannot
ask the bot's event loop directly; a heartbeat that stops changing means the loop is stuck or dead.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from bot.settings import Settings, SettingsError

HEARTBEAT_NAME = "heartbeat"
HEARTBEAT_INTERVAL = 30.0
HEARTBEAT_MAX_AGE = 4 * HEARTBEAT_INTERVAL


def heartbeat_path(data_dir: Path) -> Path:
    return data_dir / HEARTBEAT_NAME


def touch_heartbeat(data_dir: Path) -> None:
    path = heartbeat_path(data_dir)
    path.touch()
    os.utime(path)


def check_health(settings: Settings, now: float | None = None) -> list[str]:
    """Problems that make the bot unhealthy (empty when healthy); never mentions the token."""
    problems: list[str] = []
    try:
        settings.token()
    except SettingsError as err:
        problems.append(str(err))
    data_dir = settings.bot_data_dir
    try:
        with tempfile.NamedTemporaryFile(dir=data_dir, prefix=".health-"):
            pass
    except OSError:
        problems.append(f"data directory {data_dir} is not writable")
    try:
        age = (now or time.time()) - heartbeat_path(data_dir).stat().st_mtime
    except OSError:
        problems.append("no heartbeat: the bot is not running (or not yet)")
    else:
        if age > HEARTBEAT_MAX_AGE:
            problems.append(f"heartbeat is {age:.0f} s old: the bot does not respond")
    return problems
