"""The advice stays one message (issue 19, part 3): a detail, "Terug naar het overzicht" and the
reminder's question are edited into it, never sent as a new copy of the advice."""

from __future__ import annotations

import re

from fake_bot_api.harness import BotProcess, User
from fake_bot_api.server import FakeBotApi

from locales import load_bundle

CHOSEN = re.compile(r"\n\n➜ .*\Z", re.DOTALL)


async def test_details_and_the_reminder_are_edited_into_the_advice(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    texts = load_bundle().dialog
    user = User(bot_process, 951)
    await user.send("/start lijn")
    await user.choose("geen")  # the kind of work, skipped
    await user.choose("kies")
    await user.choose("f.actie")
    while not any(option.startswith("i.") for option in user.options()):
        await user.choose("ja")
    overview = user.question()
    first_text = overview.text or ""
    count = len(user.messages())
    first, second = [option for option in user.options() if option.startswith("i.")][:2]
    steps = [(second, None), ("terug", first_text), (first, None), ("terug", first_text)]
    for option, expected in steps:
        shown = await user.choose(option)
        assert shown.message_id == overview.message_id, option
        assert len(user.messages()) == count, option
        if expected is not None:
            assert CHOSEN.sub("", shown.text or "") == expected, option
    asked = await user.choose_anywhere("herinner")  # paging edits the same message too
    assert asked.message_id == overview.message_id
    back = await user.choose("w4")
    assert back.message_id == overview.message_id and len(user.messages()) == count
    said = texts.team.reminder_set.split("{date}")[0]
    assert (back.text or "").startswith(said) and texts.advice.begin in (back.text or "")
