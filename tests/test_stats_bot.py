"""The real bot (`python -m bot` over the test Bot API server) counts, and writes its count when
it stops: the batch kept in memory is not lost on a clean shutdown."""

from __future__ import annotations

import pytest
from fake_bot_api.harness import BotProcess, User

from bot.stats import CountFiles


@pytest.mark.slow
async def test_the_running_bot_writes_its_count_when_it_stops(bot_process: BotProcess) -> None:
    user = User(bot_process, 5151)
    await user.send("/start")
    await user.choose("lijn")
    files = CountFiles(bot_process.data_dir)
    assert await bot_process.stop() == 0
    counted = {key.milestone: number for key, number in files.read() if not key.role}
    assert counted == {"started": 1}
    assert {key.role for key, _ in files.read() if key.milestone == "role"} == {"lijn"}
    assert "5151" not in files.file_of(files.months()[0]).read_text(encoding="ascii")
