"""Each benchmark runs with tiny sizes, so that none of them rots unnoticed.

Benchmarks are not tests: nothing here asserts on time or speed, only that every benchmark runs
to its end and reports a well-formed result.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# One word of each benchmark's rows: a benchmark that stops reporting is noticed.
EXPECTED = (
    "throughput",
    "same Telegram traffic",
    "CPU per update",
    "same traffic and disk writes",
    "per Telegram call",
    "flood control: tap",
    "429s",
    "without an answer",
    "calls per intake tap",
    "engine step",
    "/terug after",
    "save one session",
    "count one sent message",
    "memory per session",
    "start-up to first answer",
    "stored vs empty",
    "purge of",
    "while purging",
    "per distinct user",
    "tap -> callback answer",
    "moderate load (2 users): tap -> callback answer p50",
    "moderate load (2 users): tap -> next question p95",
    "tap p50 while purging",
    "anonymous count on vs off",
    "whole bot, anonymous count",
)


@pytest.mark.slow
def test_every_benchmark_runs_with_tiny_sizes(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rows = json.loads(out.read_text(encoding="utf-8"))
    names = [row["name"] for row in rows]
    assert len(names) == 31
    for word in EXPECTED:
        assert any(word in name for name in names), word
    for row in rows:
        assert math.isfinite(row["ours"]) and row["ours"] >= 0, row
        assert math.isfinite(row["baseline"]) and row["baseline"] >= 0, row
        if row["ratio"] is None:
            assert row["unit"] in ("", "ms"), row  # counts, or no tap during a short purge
        else:
            # Memory per session can be a true zero: nothing per session stays resident.
            assert math.isfinite(row["ratio"]) and row["ratio"] >= 0, row
        if row["spread"] is not None:
            low, high = row["spread"]
            assert low <= row["ratio"] <= high, row
        assert row["met"] in (True, False, None), row
    for name in names:
        assert name in result.stdout
