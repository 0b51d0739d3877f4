"""What the knowledge tests share: a private copy of the data to break, and the CLI to run."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from knowledge.loader import DATA_DIR


def copy_of_knowledge(tmp_path: Path) -> Path:
    """A private copy of the real knowledge that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m knowledge ARGS` in a fresh process, as an author types it."""
    return subprocess.run(
        [sys.executable, "-m", "knowledge", *args], capture_output=True, text=True, check=False
    )


def failing_check(data: Path) -> list[str]:
    """The lines `python -m knowledge --data DATA check` prints, after it failed as it must.

    Failing as it must: exit status 1 and a list of problems, never a traceback at an author.
    """
    result = run_cli("--data", str(data), "check")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return result.stderr.strip().splitlines()
