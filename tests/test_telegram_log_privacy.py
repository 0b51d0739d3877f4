"""Logs hold no personal data at any level: not at DEBUG, not from the libraries, not on errors."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from conftest import FAKE_TOKEN
from dialog_helpers import engine
from fake_bot_api.harness import BotProcess, User
from fake_bot_api.server import FakeBotApi

from bot.artifacts import render
from bot.telegram.logs import HIDDEN, LIBRARY_FLOORS, configure_logging
from dialogs.session import Session

PROFILE = {"first_name": "Wilhelmina", "last_name": "Zwartkop", "username": "wzwartkop_nl"}
PHONE, CONTACT_FIRST, CONTACT_LAST, CONTACT_ID = "+31612345678", "Gerrit", "Hoogeveen", 770011
# Not an answer to the role question (a role named in a sentence would be one).
TYPED = "Pietje Puk zegt dat het weer mooi is"


async def test_a_debug_conversation_logs_no_names_numbers_or_texts(
    bot_api: FakeBotApi, tmp_path: Path
) -> None:
    bot_api.profiles[501] = dict(PROFILE)
    bot = BotProcess(bot_api, tmp_path, BOT_LOG_LEVEL="DEBUG")
    await bot.start()
    try:
        user = User(bot, 501)
        first = await user.send("/start")
        await user.say(TYPED)
        shared = bot_api.send_contact(
            501, PHONE, CONTACT_FIRST, last_name=CONTACT_LAST, contact_user_id=CONTACT_ID
        )
        await user.reply_after(shared["message"]["message_id"])
        await user.choose("mkb")
        assert await bot.stop() == 0
    finally:
        if bot.proc is not None and bot.proc.poll() is None:
            bot.proc.kill()
            bot.proc.wait()
    output = bot.output()
    assert re.search(r" DEBUG bot\.", output), "the bot's own DEBUG lines stay"
    for library in ("telegram", "httpx", "httpcore"):
        assert f" DEBUG {library}" not in output
    assert first.text is not None
    forbidden = [*PROFILE.values(), PHONE, PHONE[1:], CONTACT_FIRST, CONTACT_LAST]
    forbidden += [str(CONTACT_ID), TYPED, "Pietje", FAKE_TOKEN, first.text.splitlines()[0]]
    for item in forbidden:
        assert item not in output, item


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    """configure_logging writing to a string; the root logger is restored afterwards."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    levels = {name: logging.getLogger(name).level for name in LIBRARY_FLOORS}
    buffer = io.StringIO()
    configure_logging("DEBUG", [FAKE_TOKEN])
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    try:
        yield buffer
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def test_library_lines_keep_wording_and_numbers_but_hide_data(stream: io.StringIO) -> None:
    update = {"update_id": 7, "message": {"from": {"first_name": "Wilhelmina"}, "text": TYPED}}
    logging.getLogger("telegram.Bot").debug("Calling endpoint with %s", update)
    logging.getLogger("telegram.ext.Application").critical(
        "Error while parsing updates! Received data was %r", [update]
    )
    logging.getLogger("telegram.ext.Updater").error("Failed run %s of %d: %s", 3, 5, "Wilhelmina")
    logging.getLogger("some.library").debug("%s", TYPED)
    logging.getLogger("some.library").warning("odd format %d", "Wilhelmina")
    logging.getLogger("bot.telegram.handlers").debug("Update %d: %s", 7, "text")
    text = stream.getvalue()
    assert "Wilhelmina" not in text and TYPED not in text
    assert f"Received data was {HIDDEN}" in text
    assert "Failed run 3 of 5: [...]" in text
    assert "odd format %d" in text, "a template that cannot take the placeholder stays as is"
    assert "Calling endpoint" not in text, "a library's DEBUG line is dropped"
    assert "Update 7: text" in text, "the bot's own DEBUG line stays"


def test_library_levels_never_drop_below_their_floor_nor_below_the_bots() -> None:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        configure_logging("DEBUG")
        assert logging.getLogger("telegram").level == logging.INFO
        assert logging.getLogger("httpx").level == logging.WARNING
        configure_logging("ERROR")
        assert logging.getLogger("telegram").level == logging.ERROR
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        for name in LIBRARY_FLOORS:
            logging.getLogger(name).setLevel(logging.NOTSET)


def test_a_plan_pdf_writes_no_library_chatter(stream: io.StringIO) -> None:
    """Making a PDF made fontTools write ~70 INFO lines into the bot's log: libraries not named in
    LIBRARY_FLOORS write WARNING and above only, named ones their floor."""
    kb = engine().knowledge
    session = Session(role="hr", layers=["hr"], phase="actie")
    session.advised = [item.id for item in engine().advice_plan(session).first]
    assert render("action_plan", session, engine(), date(2026, 11, 28)).data
    logging.getLogger("fontTools.subset").info("glyphs kept %d", len(kb.phases))
    logging.getLogger("fontTools.subset").warning("a real problem %d", 1)
    logging.getLogger("telegram.ext.Application").info("Application started")
    text = stream.getvalue()
    assert "fontTools" not in text.replace("fontTools.subset: a real problem 1", "")
    assert "a real problem 1" in text and "Application started" in text
