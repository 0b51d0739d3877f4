"""Benchmark: time from process start to the first handled update, against importing telegram.

A /start is queued on the test Bot API server before the bot starts, so the time runs until the
bot's first answer arrives: interpreter start, imports, knowledge and flow loading, the first
getUpdates and the first reply. The floor is `python -c "import telegram"`, measured in the same
run, alternating with the bot so that a noisy moment hits both.

    python -m bench.startup --runs 5
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import Result, median
from bench.live import api_server, first_answer, running

CHAT = 4242


async def _bot_start(workdir: Path) -> float:
    async with api_server() as api:
        api.send_text(CHAT, "/start")
        begin = time.perf_counter()
        async with running(api, "bot", workdir) as proc:
            return await first_answer(api, proc) - begin


def _import_telegram() -> float:
    begin = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import telegram"], check=True)
    return time.perf_counter() - begin


def run(runs: int = 5) -> Result:
    bot_times: list[float] = []
    import_times: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as temp:
        for index in range(runs):
            import_times.append(_import_telegram())
            bot_times.append(asyncio.run(_bot_start(Path(temp) / str(index))))
    ours, floor = median(bot_times), median(import_times)
    return Result(
        name="start-up to first answer",
        unit="ms",
        ours=ours * 1000,
        baseline=floor * 1000,
        baseline_name='python -c "import telegram"',
        ratio=ours / floor,
        target="report only",
        met=None,
        details={"runs": runs},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    print(run(parser.parse_args().runs))


if __name__ == "__main__":
    main()
