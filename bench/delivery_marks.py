"""Benchmark: what does counting each sent message cost, next to the turn's own save?

A message is the unit of delivery (see bot/conversation.py): after every message Telegram takes,
the outbox's count is noted, without forcing it to disk (a killed process loses nothing the
operating system has; only a power loss can undo a count, and then a message comes again rather
than never): a write in place beside the record (bot/persistence/marks.py). The baseline is the
durable save every turn already makes, of the same record: the issue accepts one small write per
message, and this shows its size next to that one.

    python -m bench.delivery_marks                  # 300 marks and 300 saves
    python -m bench.delivery_marks --repeats 10     # a quick smoke run
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench.common import Result, median, percentile, ratio_of, table
from bot.persistence import ChatRecord, SessionStore
from bot.persistence.records import Delivery, StoredOption, StoredReply
from dialogs.session import Answer, Session

# Counting a message costs at most this share of the turn's own durable save.
TARGET = 0.5
# A step of the advice: a few notes of a screen each and the question with its buttons.
NOTES = 4
NOTE_CHARS = 700


def _turn_record(turn: int) -> ChatRecord:
    """A record with a realistic outbox: the state, four notes and a question with buttons."""
    session = Session(
        state="advies",
        turn=turn,
        role="leidinggevende",
        layers=["leidinggevende", "taken"],
        history=[Answer(step=f"stap-{i}", option=f"optie-{i}") for i in range(12)],
    )
    notes = [StoredReply(text="Een advies in gewone woorden. " * (NOTE_CHARS // 30))] * NOTES
    options = [StoredOption(id=f"i{n}", label=f"Een stap die je kunt zetten {n}") for n in range(6)]
    question = StoredReply(text="Wat wil je nu doen?", options=options)
    delivery = Delivery(update_id=turn, turn=turn, replies=[*notes, question])
    return ChatRecord(session=session, last_update_id=turn, delivery=delivery)


def _time(store: SessionStore, repeats: int, *, note: bool) -> list[float]:
    record = _turn_record(7)
    assert record.delivery is not None
    timings = []
    for i in range(repeats):
        key = str(1 + i % 50)
        record.delivery.sent = i % (NOTES + 1)
        start = time.perf_counter()
        if note:
            store.note(key, record)
        else:
            store.save(key, record)
        timings.append(time.perf_counter() - start)
    return timings


def run(repeats: int = 300) -> Result:
    """Median cost of one message's count (a mark in place, no fsync) against the turn's save."""
    with tempfile.TemporaryDirectory(prefix="bench-marks-") as temp:
        store = SessionStore(Path(temp))
        _time(store, 50, note=False)  # every key's record on disk, the shards and codec warm
        marks, turns = [], []
        for _ in range(3):  # interleaved, so a busy moment hits both kinds alike
            marks += _time(store, repeats // 3 or 1, note=True)
            turns += _time(store, repeats // 3 or 1, note=False)
    ours, baseline = median(marks) * 1000, median(turns) * 1000
    ratio = ratio_of(ours, baseline)
    return Result(
        name="count one sent message (mark in place, no fsync)",
        unit="ms",
        ours=ours,
        baseline=baseline,
        baseline_name="the turn's own durable save",
        ratio=ratio,
        target=f"<= {TARGET}",
        met=ratio is not None and ratio <= TARGET,
        details={"p95_mark_ms": percentile(marks, 0.95) * 1000, "repeats": len(marks)},
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeats", type=int, default=300)
    args = parser.parse_args(argv)
    print(table([run(args.repeats)]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
