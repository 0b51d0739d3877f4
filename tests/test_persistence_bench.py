"""The persistence benchmark runs on its own with tiny sizes (no timing is asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bench.persistence_growth", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_benchmark_prints_one_row_per_size_and_the_ratio() -> None:
    result = _bench("--sizes", "5", "40", "--repeats", "3", "--single-file-max", "5")
    assert result.returncode == 0, result.stderr[-2000:]
    rows = [line.split() for line in result.stdout.splitlines() if line.strip()[:1].isdigit()]
    assert [row[0] for row in rows] == ["5", "40"]
    assert rows[1][-1] == "gemeten)", "the single-file column stops at --single-file-max"
    assert "verhouding" in result.stdout


def test_benchmark_refuses_empty_sizes() -> None:
    result = _bench("--sizes", "0")
    assert result.returncode == 2 and "at least 1" in result.stderr
