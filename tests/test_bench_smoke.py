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

ROOT = Path(__file__).resolve().parent.parent


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
    assert len(names) == 7
    assert any("throughput" in name for name in names)
    for row in rows:
        assert math.isfinite(row["ratio"]) and row["ratio"] > 0, row
        assert row["ours"] > 0 and row["baseline"] > 0, row
    for name in names:
        assert name in result.stdout
