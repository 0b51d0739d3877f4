"""Benchmark: does the cost of saving one session grow with the number of stored sessions?

It should not: every chat has its own small file, so a save rewrites a few hundred bytes whether 100
or 100,000 chats are stored, and finds its own check-in entry without reading the others' (one
stored chat in ten has a pending check-in here). For contrast the table also shows the naive
design (one TinyDB file for all chats), whose every save rewrites every session, for the sizes
where that is still bearable.

    python -m bench.persistence_growth                      # 100, 10,000 and 100,000 sessions
    python -m bench.persistence_growth --sizes 10 100 --repeats 5   # a quick smoke run
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import JSONStorage
from tinydb.table import Document

from bot.persistence import ChatRecord, SessionStore
from bot.persistence.checkin_index import marker_name
from bot.persistence.store import CHECKINS_DIR, record_bytes
from dialogs.session import Answer, Session

DEFAULT_SIZES = (100, 10_000, 100_000)
TABLE = "chat"  # the single-file design's TinyDB table, one document per chat


def _sample_record(turn: int) -> ChatRecord:
    """A realistic mid-dialog record (role, layers, a few answers)."""
    session = Session(
        state="vraag-fase",
        turn=turn,
        role="leidinggevende",
        layers=["leidinggevende", "taken"],
        history=[Answer(step=f"stap-{i}", option=f"optie-{i}") for i in range(6)],
    )
    return ChatRecord(session=session, last_update_id=turn)


# One stored chat in this many has a pending check-in (a manager who set a reminder): a save
# keeps its own chat's index entry in step, and must not pay for every other entry.
CHECKIN_EVERY = 10


def populate(store: SessionStore, count: int) -> None:
    """Write `count` records directly in the store's format (no fsync: fixtures, not saves),
    with a pending check-in for one chat in CHECKIN_EVERY."""
    data = record_bytes(_sample_record(1))
    made: set[Path] = set()
    checkins = store.root.parent / CHECKINS_DIR
    checkins.mkdir(parents=True, exist_ok=True)
    first_due = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    for chat_id in range(1, count + 1):
        path = store.path_for(str(chat_id))
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_bytes(data)
        if chat_id % CHECKIN_EVERY == 0:
            due = first_due + timedelta(hours=chat_id % 1000)
            (checkins / marker_name(str(chat_id), due)).touch()


def _time_saves(store: SessionStore, count: int, repeats: int) -> list[float]:
    timings = []
    for i in range(repeats):
        chat_id = 1 + (i * 7919) % count  # existing chats spread over the shards
        record = _sample_record(i + 2)
        start = time.perf_counter()
        store.save(str(chat_id), record)
        timings.append(time.perf_counter() - start)
    return timings


def _time_single_file(directory: Path, count: int, repeats: int) -> list[float]:
    """The rejected design: all chats in one TinyDB file, one document per chat."""
    path = directory / "all.json"
    doc = _sample_record(1).model_dump(mode="json")
    with TinyDB(path, storage=JSONStorage) as db:
        db.table(TABLE).insert_multiple(Document(doc, doc_id=i) for i in range(1, count + 1))
    timings = []
    with TinyDB(path, storage=JSONStorage) as db:
        table = db.table(TABLE)
        for i in range(repeats):
            chat_id = 1 + (i * 7919) % count
            record = _sample_record(i + 2).model_dump(mode="json")
            start = time.perf_counter()
            table.upsert(Document(record, doc_id=chat_id))
            timings.append(time.perf_counter() - start)
    return timings


def _ms(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return {"median_ms": statistics.median(ordered) * 1000, "p95_ms": p95 * 1000}


def run(
    sizes: Sequence[int] = DEFAULT_SIZES, repeats: int = 200, single_file_max: int = 10_000
) -> dict[str, Any]:
    """Measure save cost per store size; returns rows plus the largest/smallest median ratio."""
    rows: list[dict[str, Any]] = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="bench-sessions-") as tmp:
            store = SessionStore(Path(tmp))
            populate(store, size)
            row: dict[str, Any] = {"sessions": size, **_ms(_time_saves(store, size, repeats))}
            if size <= single_file_max:
                single = _time_single_file(Path(tmp), size, max(3, min(repeats, 20)))
                row["single_file_median_ms"] = _ms(single)["median_ms"]
            rows.append(row)
    ratio = rows[-1]["median_ms"] / rows[0]["median_ms"] if rows else 1.0
    return {"name": "persistence_growth", "repeats": repeats, "rows": rows, "ratio": ratio}


def format_table(result: dict[str, Any]) -> str:
    lines = [
        "Kosten van één sessie opslaan (per chat een eigen bestand, atomair, met fsync)",
        f"{'opgeslagen sessies':>20} {'mediaan ms':>11} {'p95 ms':>9} "
        f"{'één bestand voor alles ms':>27}",
    ]
    for row in result["rows"]:
        single = row.get("single_file_median_ms")
        single_text = f"{single:.2f}" if single is not None else "(niet gemeten)"
        lines.append(
            f"{row['sessions']:>20,} {row['median_ms']:>11.2f} {row['p95_ms']:>9.2f} "
            f"{single_text:>27}"
        )
    lines.append(
        f"verhouding grootste/kleinste (mediaan): {result['ratio']:.2f}x "
        "(1x = kosten groeien niet mee)"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--single-file-max", type=int, default=10_000)
    args = parser.parse_args(argv)
    if min(args.sizes) < 1 or args.repeats < 1:
        parser.error("sizes and repeats must be at least 1")
    print(format_table(run(args.sizes, args.repeats, args.single_file_max)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
