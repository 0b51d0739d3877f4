"""The count files: one small JSON file per month under `<data_dir>/stats/`, never a session.

Why per month: a flush rewrites only the current month (a few kB), and a year is twelve files
that together stay far under 1 MB (tests/test_stats_files.py fills a year to show it). Why JSON:
an operator can read it, and the report needs nothing else.

What a file holds, and nothing more: per day, per milestone and per coarse dimension (role, phase,
kind of business, a precondition that was a gap, how far a check-in's first steps got) a number.
No chat id, no key, no time finer than a day, no free text: the count is about use, never about
anyone, so neither the session purge nor /vergeet has anything to remove here.

Written like the sessions: atomically (temporary file, fsync, rename), so a kill leaves the old or
the new file, never half. A file that cannot be read is moved to `stats/quarantine/` and the
month starts afresh: a lost count is acceptable, a count that breaks the bot or the report is not.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from bot.persistence.atomic import atomic_write_bytes, ensure_dir, fsync_dir

log = logging.getLogger(__name__)

STATS_DIR = "stats"
QUARANTINE_DIR = "quarantine"
# Schema 2 (the kind of work and how far a check-in's first steps got, issue 23) added a sixth
# part to a cell, and packs each part into `width` characters (ALPHABET) without separators:
# with the extra part the dotted numbers of schema 1 made a year of files 1.13 MB, packed it is
# 0.71 MB. A file of schema 1 is read as it is and written as 2 at the next flush. An older bot
# meeting schema 2 says it does not know it and moves the file to quarantine (kept, not lost).
SCHEMA = 2
READABLE = (1, 2)
_NAME = re.compile(r"^counts-(\d{4}-\d{2})\.json$")
_DAY = re.compile(r"^(\d{4}-\d{2})-\d{2}$")
_ID = re.compile(r"^[a-z0-9_-]*$")  # milestone, role, phase, business, gap, step: ids, never text
SEP = "."  # schema 1: the parts of a cell, as numbers with a dot between them
ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
UNKNOWN = "-"  # schema 2: a part not known, `width` times
PARTS = 6  # milestone and the five dimensions of a Key


class Key(NamedTuple):
    """One cell of the count: a day (ISO, Amsterdam) × milestone × coarse dimensions."""

    day: str
    milestone: str
    role: str = ""
    phase: str = ""
    business: str = ""
    gap: str = ""
    step: str = ""

    @property
    def month(self) -> str:
        return self.day[:7]


class BadCountFile(ValueError):
    """A count file that does not have the expected form (hand-edited, damaged, newer)."""


def parse(data: bytes, month: str) -> dict[Key, int]:
    """The counts of one month's file; BadCountFile when anything in it is off."""
    names, days, cell_parts = _contents(data, month)
    counts: dict[Key, int] = {}
    for day, cells in days.items():
        match = _DAY.match(day)
        if match is None or match.group(1) != month or not isinstance(cells, dict):
            raise BadCountFile("a day out of place")
        for cell, number in cells.items():
            if not isinstance(number, int) or isinstance(number, bool) or number < 0:
                raise BadCountFile("a count that is not a whole number")
            parts = cell_parts(cell)
            if not parts or len(parts) > PARTS or not parts[0]:
                raise BadCountFile("a malformed cell")
            parts += [""] * (PARTS - len(parts))  # trailing empty parts are left out
            try:
                counts[Key(day, *(names[int(part)] if part else "" for part in parts))] = number
            except (ValueError, IndexError) as err:
                raise BadCountFile("a cell naming nothing") from err
    return counts


CellParts = Callable[[str], list[str]]


def _contents(data: bytes, month: str) -> tuple[list[str], dict[str, Any], CellParts]:
    """The file's names, its days, and how its cells split into parts (decimal places into the
    names, "" for a part not known), once its form is checked: a schema this version reads, the
    month's file, ids for names."""
    try:
        raw = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise BadCountFile("not JSON") from err
    if not isinstance(raw, dict) or raw.get("month") != month:
        raise BadCountFile("not this month's file")
    cell_parts = _cell_parts(raw)
    names, days = raw.get("names"), raw.get("days")
    if not isinstance(names, list) or not isinstance(days, dict):
        raise BadCountFile("no names or no days")
    if not all(isinstance(name, str) and name and _ID.match(name) for name in names):
        raise BadCountFile("a name that is not an id")
    return names, days, cell_parts


def _whole(value: object) -> int | None:
    """A whole number of JSON (not a truth value), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _cell_parts(raw: dict[str, Any]) -> CellParts:
    """How the cells of a file of this schema split into parts."""
    schema = _whole(raw.get("schema"))
    if schema not in READABLE:
        raise BadCountFile("unknown schema")
    if schema == 1:
        return _dotted
    width = _whole(raw.get("width"))
    if width is None or not 1 <= width <= 3:
        raise BadCountFile("no width")
    return partial(_packed, width)


def _dotted(cell: str) -> list[str]:
    """Schema 1: `"3.2.0..5"`, at most five parts (no step yet)."""
    parts = cell.split(SEP)
    return parts if len(parts) <= PARTS - 1 else []


def _packed(width: int, cell: str) -> list[str]:
    """Schema 2: `width` characters per part, `"320-5"` at width 1."""
    if len(cell) % width:
        return []
    parts = [cell[start : start + width] for start in range(0, len(cell), width)]
    return [_place(part) for part in parts]


def _place(part: str) -> str:
    """A packed part as a decimal place ("" for UNKNOWN); "x" (naming nothing) when neither."""
    if part == UNKNOWN * len(part):
        return ""
    place = 0
    for char in part:
        digit = ALPHABET.find(char)
        if digit < 0:
            return "x"
        place = place * len(ALPHABET) + digit
    return str(place)


def _pack(place: int, width: int) -> str:
    digits = []
    for _ in range(width):
        place, digit = divmod(place, len(ALPHABET))
        digits.append(ALPHABET[digit])
    return "".join(reversed(digits))


def render(counts: Mapping[Key, int], month: str) -> bytes:
    """The file's bytes: compact and sorted (stable for an operator who keeps copies).

    Each cell names its milestone and dimensions by their place in the file's list of names, in
    `width` characters of ALPHABET each (`"3g0-5"`: milestone 3, role 16, phase 0, no business,
    gap 5; trailing empty parts left out), not by the names themselves: a year of files then
    stays under 1 MB (tests/test_stats_files.py). One character fits 62 names; a month with more
    (the knowledge grew) gets two.
    """
    names = sorted({part for key in counts for part in key[1:] if part})
    width = 1
    while len(ALPHABET) ** width < len(names):
        width += 1
    place = {name: _pack(index, width) for index, name in enumerate(names)}
    empty = UNKNOWN * width
    days: dict[str, dict[str, int]] = {}
    for key in sorted(counts):
        parts = [place[part] if part else empty for part in key[1:]]
        while parts and parts[-1] == empty:
            parts.pop()
        days.setdefault(key.day, {})["".join(parts)] = counts[key]
    raw = {"schema": SCHEMA, "month": month, "names": names, "width": width, "days": days}
    return json.dumps(raw, separators=(",", ":"), ensure_ascii=True).encode("ascii")


class CountFiles:
    """The month files of one data directory."""

    def __init__(self, data_dir: Path) -> None:
        self._dir = data_dir / STATS_DIR

    @property
    def path(self) -> Path:
        return self._dir

    def file_of(self, month: str) -> Path:
        return self._dir / f"counts-{month}.json"

    def add(self, counts: Mapping[Key, int]) -> None:
        """Add `counts` to their months' files (read, add, write atomically). Raises OSError."""
        months: dict[str, dict[Key, int]] = {}
        for key, number in counts.items():
            months.setdefault(key.month, {})[key] = number
        for month, added in months.items():
            stored = self._load(month, quarantine=True)
            for key, number in added.items():
                stored[key] = stored.get(key, 0) + number
            atomic_write_bytes(self.file_of(month), render(stored, month))

    def months(self) -> list[str]:
        """The months that have a file, oldest first."""
        try:
            names = [entry.name for entry in os.scandir(self._dir) if entry.is_file()]
        except FileNotFoundError:
            return []
        return sorted(match.group(1) for name in names if (match := _NAME.match(name)))

    def read(self) -> Iterator[tuple[Key, int]]:
        """Every stored count; a bad file is skipped (and logged), not moved: reading changes
        nothing, so the report can run beside the bot."""
        for month in self.months():
            yield from self._load(month, quarantine=False).items()

    def _load(self, month: str, *, quarantine: bool) -> dict[Key, int]:
        path = self.file_of(month)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return {}
        try:
            return parse(data, month)
        except BadCountFile as err:
            if quarantine:
                self._quarantine(path)
                log.warning("Count file moved to quarantine (%s); that month starts afresh", err)
            else:
                log.warning("Count file skipped (%s): %s", err, path.name)
            return {}

    def _quarantine(self, path: Path) -> None:
        target_dir = self._dir / QUARANTINE_DIR
        ensure_dir(target_dir)
        os.replace(path, target_dir / f"{path.stem}.{time.time_ns()}{path.suffix}")
        fsync_dir(target_dir)
        fsync_dir(self._dir)
