"""Benchmark: resident memory per session with many sessions touched by the real bot code.

Run in a fresh child process so that nothing else lives in its heap: it loads the engine and the
session store, measures its resident memory, then for each of N chats does what the bot does for
an update (load the record, feed the engine, save), and measures again. The difference divided by
N is what one chat costs in memory; with one file per chat and nothing cached it should be near 0.

fsync is switched off in the child: it changes how long a save takes, not what stays in memory,
and with it 100,000 saves take minutes on a slow disk.

    python -m bench.memory_per_session --sessions 100000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile

from bench.common import Result

TARGET_BYTES = 2048
CHILD_SECONDS = 240.0

_CHILD = """
import gc, json, os, sys, time
from pathlib import Path
import psutil
os.fsync = lambda fd: None
from bot.persistence import ChatRecord, SessionStore
from dialogs import Engine, Event, new_session
count, data_dir, budget = int(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3])
engine = Engine.load()
store = SessionStore(data_dir)
process = psutil.Process()
# Warm up every code path once, so that lazily built caches count as baseline, not per session.
for chat_id in (-1, -2):
    record = store.load(str(chat_id)) or ChatRecord(session=new_session())
    engine.handle(record.session, Event.start())
    store.save(str(chat_id), record)
gc.collect()
before = process.memory_info().rss
deadline = time.monotonic() + budget
touched = 0
for chat_id in range(1, count + 1):
    record = store.load(str(chat_id)) or ChatRecord(session=new_session())
    session = record.session
    engine.handle(session, Event.start())
    engine.handle(session, Event.option(engine.current_options(session)[0].id))
    store.save(str(chat_id), record)
    touched += 1
    if time.monotonic() > deadline:
        break
gc.collect()
after = process.memory_info().rss
print(json.dumps({"before": before, "after": after, "touched": touched}))
"""


def run(sessions: int = 100_000) -> Result:
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as temp:
        output = subprocess.run(
            [sys.executable, "-c", _CHILD, str(sessions), temp, str(CHILD_SECONDS)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    measured = json.loads(output.strip().splitlines()[-1])
    touched = int(measured["touched"])
    per_session = (measured["after"] - measured["before"]) / touched
    return Result(
        name="memory per session",
        unit="bytes",
        ours=per_session,
        baseline=float(TARGET_BYTES),
        baseline_name="target",
        ratio=per_session / TARGET_BYTES,
        target=f"<= {TARGET_BYTES} B",
        met=per_session <= TARGET_BYTES,
        details={
            "sessions_touched": touched,
            "rss_before_mb": measured["before"] / 2**20,
            "rss_after_mb": measured["after"] / 2**20,
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=100_000)
    print(run(parser.parse_args().sessions))


if __name__ == "__main__":
    main()
