"""What every benchmark shares: one result row, robust statistics, the table and results.json."""

from __future__ import annotations

import json
import os
import statistics
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

RESULTS = Path(__file__).parent / "results.json"


@dataclass(frozen=True)
class Result:
    """One benchmark's outcome: our number, the baseline's, and how they compare."""

    name: str
    unit: str
    ours: float
    baseline: float
    baseline_name: str
    ratio: float | None  # None for counts, where a quotient says nothing (0 of 0)
    target: str
    met: bool | None  # None where the issue sets no target
    details: dict[str, float | int | str]
    # The lowest and highest ratio over repeated interleaved rounds, where there were rounds.
    spread: tuple[float, float] | None = None

    def ratio_text(self) -> str:
        if self.ratio is None:
            return "-"
        if self.spread is None:
            return f"{self.ratio:.2f}"
        low, high = self.spread
        return f"{self.ratio:.2f} ({low:.2f}-{high:.2f})"


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def ratio_of(ours: float, baseline: float) -> float | None:
    """ours / baseline, or None when the baseline is 0 (a count of nothing)."""
    return ours / baseline if baseline else None


def percentile(values: Sequence[float], fraction: float) -> float:
    """The value below which `fraction` of the samples fall (nearest rank)."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def _format(value: float, unit: str = "x") -> str:
    if not unit:  # a count
        return f"{value:,.0f}"
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def table(results: Sequence[Result]) -> str:
    """A plain-text table, one row a benchmark; also pasted into the README."""
    header = ("benchmark", "ours", "baseline", "ratio", "target", "met")
    rows = [
        (
            r.name,
            f"{_format(r.ours, r.unit)} {r.unit}".rstrip(),
            f"{_format(r.baseline, r.unit)} {r.unit}".rstrip() + f" ({r.baseline_name})",
            r.ratio_text(),
            r.target,
            "-" if r.met is None else ("yes" if r.met else "NO"),
        )
        for r in results
    ]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        " | ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in [header, *rows]
    ]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(lines)


def write_results(results: Sequence[Result], path: Path = RESULTS) -> None:
    """Write results.json atomically, so an interrupted run never leaves half a file."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".results.", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump([asdict(r) for r in results], out, indent=2)
        out.write("\n")
    os.replace(temp, path)
