"""The quick advice over Telegram (real bot process, fake Bot API): every role in every phase."""

from __future__ import annotations

import asyncio
import re

import pytest
from dialog_helpers import PHASES, reserved_in
from fake_bot_api.harness import MORE, ROLE_PATHS, BotProcess, User, advice_shown, option_id
from fake_bot_api.server import FakeBotApi

from bot.telegram.splitting import MESSAGE_LIMIT
from dialogs.flow import read_flow
from dialogs.render import SCREEN
from locales import load_bundle

CHOSEN = re.compile(r"\n\n➜ .*\Z", re.DOTALL)


def _own_text(text: str | None) -> str:
    """A message as the bot sent it, without the chosen answer added under it later."""
    return CHOSEN.sub("", text or "")


async def _play(user: User, role: str, number: int) -> bool:
    """One chat: the advice for `role` in phase `number`, every detail opened once, one Meer.

    True when a difficult word of a detail was opened too (one per chat at most).
    """
    texts = load_bundle().dialog.advice
    reader = read_flow().roles[role].reader
    where = (role, number)
    await user.send(f"/start {role}")
    if "geen" in user.options():  # a reader with staff: the kind of work, skipped
        await user.choose("geen")
    await user.choose("kies")
    await user.choose(f"f.{PHASES[number - 1]}")
    while not advice_shown(user):  # the advice's first page begins with its titles
        await user.choose("nee")
    overview = user.question()
    text = _own_text(overview.text)
    assert len(text) <= SCREEN, where
    assert texts.begin in text and text.startswith(texts.phase_line[reader][:8]), where
    buttons = await _every_page(user)
    items = [b for b in buttons if option_id(b)[:2] in ("i.", "w.")]
    titles = [b["text"] for b in items if option_id(b).startswith("i.")]
    assert len(titles) == len(set(titles)) >= 3, where
    word_opened = False
    for button in items:
        detail = await user.choose_anywhere(option_id(button))
        shown = _own_text(detail.text)
        assert len(shown) <= SCREEN, (where, button["text"])
        # Back to the overview, after a button for each difficult word the detail cannot explain.
        *words, back = user.options()
        assert back == "terug" and all(word.startswith("t.") for word in words), where
        if words and not word_opened:  # one word per chat: it opens, and leads back to the detail
            explained = await user.choose(words[0])
            assert ": " in _own_text(explained.text) and user.options() == ["terug"], where
            assert _own_text((await user.choose("terug")).text) == shown, where
            word_opened = True
        again = await user.choose("terug")
        assert _own_text(again.text) == text, "back to the same overview"
    if "meer" in {option_id(b) for b in buttons}:
        more = await user.choose_anywhere("meer")
        extra = [b["text"] for b in more.buttons() if option_id(b).startswith("i.")]
        assert extra and not set(extra) & set(titles), where
        await user.choose("terug")
    for message in user.messages():
        own = _own_text(message.text)
        assert len(own) <= MESSAGE_LIMIT
        assert reserved_in(own, reader) == [], where
        # A list never starts a message: that would mean its heading was cut off from it.
        assert not own.startswith("•"), where
    return word_opened


async def _every_page(user: User) -> list[dict[str, object]]:
    """The buttons of every page of the current question ("Meer opties" goes round to the
    first page again); the question shows its first page afterwards."""
    first = user.options()
    seen = [b for b in user.question().buttons() if option_id(b) != MORE]
    while MORE in user.options():
        await user.choose(MORE)
        if user.options() == first:
            break
        seen += [b for b in user.question().buttons() if option_id(b) != MORE]
    return seen


@pytest.mark.slow
async def test_every_role_and_phase_gets_advice_that_fits_a_phone(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    # All forty chats at once: Telegram allows one message per second per chat, not per bot.
    plays = [
        _play(User(bot_process, 5000 + 10 * index + number), role, number)
        for index, role in enumerate(ROLE_PATHS)
        for number in range(1, 6)
    ]
    words_opened = await asyncio.gather(*plays)
    assert sum(words_opened) >= 20, "a difficult word opens over Telegram too"
    assert bot_api.rejections == []
    assert bot_api.unanswered_callbacks() == []
