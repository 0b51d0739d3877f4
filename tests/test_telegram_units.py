"""The adapter's small parts on their own: splitting, callback data, keyboards, retries, health."""

from __future__ import annotations

import os
import re
import time
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from conftest import FAKE_TOKEN
from fake_bot_api.server import FakeBotApi
from hypothesis import given
from hypothesis import strategies as st
from telegram import Bot
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.settings import load_settings
from bot.telegram.app import bot_commands, build_application
from bot.telegram.callbacks import CALLBACK_DATA_LIMIT, CallbackData, decode
from bot.telegram.health import HEARTBEAT_MAX_AGE, check_health, touch_heartbeat
from bot.telegram.keyboards import keyboard
from bot.telegram.logs import RedactingFormatter, describe_error
from bot.telegram.outbox import Outbox
from bot.telegram.retry import Blocked, FloodLimited, MaybeDelivered, not_modified, with_retry
from bot.telegram.splitting import MESSAGE_LIMIT, split_message, utf16_len
from dialogs import Engine, Option, Reply, new_session
from locales import load_bundle

# ---- splitting ---------------------------------------------------------------------------------

paragraphs = st.lists(
    st.text(alphabet=st.characters(blacklist_characters="\n\r"), min_size=1, max_size=300).filter(
        str.strip
    ),
    min_size=1,
    max_size=40,
)


@given(paragraphs, st.integers(min_value=300, max_value=MESSAGE_LIMIT))
def test_split_keeps_paragraphs_whole_when_they_fit(parts: list[str], limit: int) -> None:
    text = "\n\n".join(parts)
    chunks = split_message(text, limit)
    assert all(utf16_len(chunk) <= limit for chunk in chunks)
    assert "\n\n".join(chunks) == text, "split only at paragraph boundaries"


@given(st.text(min_size=1, max_size=3000).filter(str.strip), st.integers(2, 200))
def test_split_never_exceeds_the_limit_and_loses_nothing(text: str, limit: int) -> None:
    chunks = split_message(text, limit)
    assert all(0 < utf16_len(chunk) <= limit for chunk in chunks)
    assert re.sub(r"\s", "", "".join(chunks)) == re.sub(r"\s", "", text)


def test_split_counts_utf16_like_telegram() -> None:
    assert split_message("😀" * 2048) == ["😀" * 2048]
    assert len(split_message("😀" * 2049)) == 2
    assert split_message("   ") == []


# ---- callback data and keyboards ---------------------------------------------------------------


@given(st.integers(0, 10**12 - 1), st.from_regex(r"[a-z0-9_!-]{1,50}", fullmatch=True))
def test_callback_data_round_trips_within_64_bytes(turn: int, choice: str) -> None:
    data = CallbackData(turn, choice).encode()
    assert len(data.encode()) <= CALLBACK_DATA_LIMIT
    assert decode(data) == CallbackData(turn, choice)


@pytest.mark.parametrize(
    "data", [None, "", "ja", ":ja", "1:", "x:ja", "1:ja:nee", "1:j a", "1" * 13 + ":a"]
)
def test_foreign_callback_data_is_rejected(data: str | None) -> None:
    assert decode(data) is None


def test_too_long_option_ids_are_refused_before_sending() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        CallbackData(1, "é" * 40).encode()


def test_keyboard_puts_short_answers_side_by_side_tagged_with_the_turn() -> None:
    options = [
        Option("ja", "Ja"),
        Option("nee", "Nee"),
        Option("wn", "Weet ik niet"),
        Option("kies", "Ik kies de fase zelf"),
        Option("_terug", "← Terug"),
    ]
    markup = keyboard(options, turn=7)
    assert markup is not None
    rows = markup.inline_keyboard
    assert [[b.text for b in row] for row in rows] == [
        ["Ja", "Nee", "Weet ik niet"],
        ["Ik kies de fase zelf"],
        ["← Terug"],
    ]
    assert [b.callback_data for b in rows[0]] == ["7:ja", "7:nee", "7:wn"]
    assert keyboard([], turn=1) is None


def test_keyboard_gives_long_labels_a_row_each() -> None:
    markup = keyboard([Option("a", "Leidinggevende of teamleider"), Option("b", "HR")], turn=1)
    assert markup is not None
    assert [[b.text for b in row] for row in markup.inline_keyboard] == [
        ["Leidinggevende of teamleider"],
        ["HR"],
    ]


def test_every_engine_option_fits_in_callback_data() -> None:
    engine = Engine.load()
    for state in engine.flow.states:
        session = new_session()
        session.state = state
        for option in (*engine.current_options(session), *engine.shown_options(session)):
            assert len(CallbackData(10**9, option.id).encode().encode()) <= CALLBACK_DATA_LIMIT


# ---- retries -----------------------------------------------------------------------------------


class _Flaky:
    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_retry_honours_retry_after_and_backs_off() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    call = _Flaky(RetryAfter(3), TimedOut(), NetworkError("reset"))
    assert await with_retry(call, idempotent=True, sleep=sleep) == "ok"
    assert call.calls == 4
    assert slept[0] == 3 and slept[1] < slept[2]


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_retry_gives_up_after_bounded_attempts() -> None:
    async def sleep(seconds: float) -> None:
        return None

    call = _Flaky(*(TimedOut() for _ in range(10)))
    with pytest.raises(TimedOut):
        await with_retry(call, idempotent=True, sleep=sleep, attempts=3)
    assert call.calls == 3
    with pytest.raises(RetryAfter):
        await with_retry(_Flaky(*(RetryAfter(1) for _ in range(10))), sleep=sleep, attempts=3)
    too_long = _Flaky(RetryAfter(3600))
    with pytest.raises(FloodLimited) as caught:
        await with_retry(too_long, idempotent=True, sleep=sleep)
    assert caught.value.retry_after == 3600 and too_long.calls == 1


def _wrapped(error: type[TelegramError], cause: Exception) -> TelegramError:
    """A PTB error raised from an httpx error, as PTB's HTTPXRequest raises it."""
    try:
        try:
            raise cause
        except Exception as inner:
            raise error("wrapped") from inner
    except TelegramError as outer:
        return outer


@pytest.mark.parametrize(
    "error",
    [
        _wrapped(TimedOut, httpx.ReadTimeout("read")),
        _wrapped(NetworkError, httpx.ReadError("reset")),
        _wrapped(NetworkError, httpx.RemoteProtocolError("server disconnected")),
        _wrapped(TimedOut, httpx.WriteTimeout("write")),
        NetworkError("Bad Gateway (502)"),
    ],
)
async def test_a_send_that_may_have_arrived_is_not_repeated(error: TelegramError) -> None:
    async def sleep(seconds: float) -> None:
        return None

    send = _Flaky(error)
    with pytest.raises(MaybeDelivered):
        await with_retry(send, sleep=sleep)
    assert send.calls == 1
    edit = _Flaky(error)
    assert await with_retry(edit, idempotent=True, sleep=sleep) == "ok"
    assert edit.calls == 2, "an idempotent call is retried after the same error"


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_a_send_that_surely_did_not_arrive_is_retried() -> None:
    async def sleep(seconds: float) -> None:
        return None

    send = _Flaky(
        _wrapped(NetworkError, httpx.ConnectError("refused")),
        _wrapped(TimedOut, httpx.ConnectTimeout("connect")),
        _wrapped(TimedOut, httpx.PoolTimeout("pool")),
        RetryAfter(1),
    )
    assert await with_retry(send, sleep=sleep) == "ok"
    assert send.calls == 5


def test_message_not_modified_is_recognised() -> None:
    assert not_modified(BadRequest("Message is not modified: specified new message content"))
    assert not not_modified(BadRequest("Message to edit not found"))
    assert not not_modified(NetworkError("message is not modified"))


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_a_429_is_honoured_once_never_looped_on() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    call = _Flaky(RetryAfter(2), RetryAfter(2), RetryAfter(2))
    with pytest.raises(RetryAfter):
        await with_retry(call, sleep=sleep)
    assert call.calls == 2 and slept == [2]


async def test_bad_requests_and_blocks_are_not_retried() -> None:
    bad = _Flaky(BadRequest("Message is too long"))
    with pytest.raises(BadRequest):
        await with_retry(bad)
    blocked = _Flaky(Forbidden("Forbidden: bot was blocked by the user"))
    with pytest.raises(Blocked):
        await with_retry(blocked)
    assert bad.calls == blocked.calls == 1


# ---- sending a long reply over real HTTP -------------------------------------------------------


async def test_an_overlong_reply_is_split_at_paragraphs_with_the_keyboard_last(
    bot_api: FakeBotApi,
) -> None:
    paragraphs = [f"Alinea {n}: " + "leren op de werkvloer " * 40 for n in range(12)]
    text = "\n\n".join(paragraphs)
    assert len(text) > 2 * MESSAGE_LIMIT
    bot_api.send_text(21, "/start")
    session = new_session()
    async with Bot(FAKE_TOKEN, base_url=f"{bot_api.url}/bot") as bot:
        outbox = Outbox(bot, Engine.load())
        await outbox.replies(21, [Reply(text, (Option("ja", "Ja"),))], session.turn, session)
    sent = bot_api.chat(21)
    assert len(sent) == 3
    assert all(m.text is not None and m.text.startswith("Alinea") for m in sent)
    assert "\n\n".join(m.text or "" for m in sent) == text
    assert [bool(m.buttons()) for m in sent] == [False, False, True]
    assert bot_api.rejections == []


async def test_notes_join_the_question_after_them_and_the_old_layout_keeps_each_reply(
    bot_api: FakeBotApi,
) -> None:
    bot_api.send_text(22, "/start")
    bot_api.send_text(24, "/start")
    session = new_session()
    replies = [
        Reply("Een opmerking vooraf."),
        Reply("Nog een opmerking."),
        Reply("De vraag?", (Option("ja", "Ja"), Option("nee", "Nee"))),
        Reply("Tot slot."),
    ]
    async with Bot(FAKE_TOKEN, base_url=f"{bot_api.url}/bot") as bot:
        await Outbox(bot, Engine.load()).replies(22, replies, session.turn, session)
        await Outbox(bot, Engine.load()).replies(24, replies, session.turn, session, layout=1)
    sent = bot_api.chat(22)
    assert [m.text for m in sent] == [
        "Een opmerking vooraf.\n\nNog een opmerking.\n\nDe vraag?",
        "Tot slot.",
    ]
    assert [len(m.buttons()) for m in sent] == [2, 0]
    old = bot_api.chat(24)  # layout 1: each reply, only a short note joins its question
    assert [m.text for m in old] == [
        "Een opmerking vooraf.",
        "Nog een opmerking.\n\nDe vraag?",
        "Tot slot.",
    ]
    assert [len(m.buttons()) for m in old] == [0, 2, 0]
    assert bot_api.rejections == []


async def test_a_heading_with_its_list_is_never_cut(bot_api: FakeBotApi) -> None:
    bot_api.send_text(23, "/start")
    bot_api.send_text(25, "/start")
    session = new_session()
    listed = "Kop:\n• een\n• twee"
    replies = [Reply(listed), Reply("x" * 300), Reply("De vraag?", (Option("ja", "Ja"),))]
    long = [Reply(listed), Reply("x" * 4090), Reply("De vraag?", (Option("ja", "Ja"),))]
    async with Bot(FAKE_TOKEN, base_url=f"{bot_api.url}/bot") as bot:
        await Outbox(bot, Engine.load()).replies(23, replies, session.turn, session, layout=1)
        await Outbox(bot, Engine.load()).replies(25, long, session.turn, session)
    assert [m.text for m in bot_api.chat(23)] == [listed, "x" * 300, "De vraag?"]
    # Joined only when all of it fits in one message; else each reply stays whole.
    assert [m.text for m in bot_api.chat(25)] == [listed, "x" * 4090, "De vraag?"]


# ---- texts, commands, logging, health ----------------------------------------------------------


def test_command_menu_matches_the_registered_commands(tmp_path: Path) -> None:
    settings = load_settings(_env_file=None, telegram_bot_token=FAKE_TOKEN, bot_data_dir=tmp_path)
    app = build_application(settings, Engine.load())
    registered = {
        command
        for handlers in app.handlers.values()
        for handler in handlers
        for command in getattr(handler, "commands", ())
    }
    menu = [command.command for command in bot_commands(load_bundle().telegram)]
    assert set(menu) == registered
    assert all(1 <= len(c.description) <= 256 for c in bot_commands(load_bundle().telegram))


def test_redacting_formatter_hides_secrets_and_tracebacks() -> None:
    import logging

    formatter = RedactingFormatter("%(message)s", [FAKE_TOKEN])
    try:
        raise ValueError(f"user wrote: geheim {FAKE_TOKEN}")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "x", logging.ERROR, "f", 1, f"url /bot{FAKE_TOKEN}/x", (), sys.exc_info()
        )
    text = formatter.format(record)
    assert FAKE_TOKEN not in text and "geheim" not in text and "ValueError" in text
    assert "Traceback" not in text


def test_describe_error_has_no_message_except_telegrams() -> None:
    assert "geheim" not in describe_error(KeyError("geheim"))
    assert "Message is too long" in describe_error(BadRequest("Message is too long"))


def test_health_needs_a_fresh_heartbeat(tmp_path: Path) -> None:
    settings = load_settings(_env_file=None, telegram_bot_token=FAKE_TOKEN, bot_data_dir=tmp_path)
    assert any("heartbeat" in p for p in check_health(settings))
    touch_heartbeat(tmp_path)
    assert check_health(settings) == []
    old = time.time() - HEARTBEAT_MAX_AGE - 5
    os.utime(tmp_path / "heartbeat", (old, old))
    assert any("old" in p for p in check_health(settings))
    bad = load_settings(_env_file=None, telegram_bot_token="nope", bot_data_dir=tmp_path / "x")
    problems = check_health(bad)
    assert any("TELEGRAM_BOT_TOKEN" in p for p in problems)
    assert any("writable" in p for p in problems)
    assert "nope" not in " ".join(problems)


def test_privacy_text_names_retention_and_erasure() -> None:
    text = load_bundle().telegram.privacy.format(retention_days="30")
    assert "30 dagen" in text and "/vergeet" in text


# ---- the plan of a turn's messages --------------------------------------------------------------


def test_a_turn_becomes_the_same_plan_of_messages_every_time() -> None:
    from bot.telegram.outbox import SHORT_NOTE, plan, question_index

    long_note = "\n\n".join(["woord " * 100] * 12)  # longer than one message
    replies = (
        Reply(long_note),
        Reply("Zo ziet het model eruit.", attachment="model_picture"),
        Reply("Kort."),  # rides along with the question after it
        Reply("Wat kies je?", (Option("a", "A"), Option("b", "B"))),
    )
    messages = plan(replies, 7, layout=1)
    assert plan(replies, 7, layout=1) == messages, "deterministic: a restart resumes the same"
    parts = split_message(long_note)
    assert len(parts) > 1 and [m.text for m in messages[: len(parts)]] == parts
    assert all(m.markup is None for m in messages[: len(parts)])
    picture_text, picture, question = messages[len(parts) :]
    assert picture_text.text == "Zo ziet het model eruit." and picture_text.attachment is None
    assert picture.attachment == "model_picture" and not picture.text, "a file after its text"
    assert question.text == "Kort.\n\nWat kies je?" and question.markup is not None
    assert question_index(messages) == len(messages) - 1
    assert question_index(plan((Reply("x" * (SHORT_NOTE + 1)),), 1)) is None

    packed = plan(replies, 7)  # layout 2: the intro is the picture's caption
    assert packed == plan(replies, 7)
    assert [m.text for m in packed[: len(parts)]] == parts
    picture, question = packed[len(parts) :]
    assert (picture.text, picture.attachment) == ("Zo ziet het model eruit.", "model_picture")
    assert question.text == "Kort.\n\nWat kies je?" and question.markup is not None


def test_an_illustration_goes_after_a_question_that_takes_the_answered_ones_place() -> None:
    from bot.telegram.outbox import INTRO_IN_CAPTION, plan, question_index

    note = Reply("Nog 3 korte vragen.")
    model = Reply("Zo ziet het model eruit.", attachment="model_picture")
    ask = Reply("Kan het?", (Option("ja", "Ja"),), replaces=True)
    first, after = plan((note, model, ask), 5)
    assert first.text == "Nog 3 korte vragen.\n\nKan het?" and first.replaces
    assert question_index([first, after]) == 0
    assert (after.attachment, after.text) == ("model_picture", "Zo ziet het model eruit.")
    team = Reply("Je team.", attachment="team_picture")  # its list is what the question needs
    assert [m.attachment for m in plan((team, ask), 5)] == ["team_picture", None]
    new = replace(ask, replaces=False)  # sent as a new message: the picture first, as meant
    assert [m.attachment for m in plan((model, new), 5)] == ["model_picture", None]
    long_intro = Reply("x" * (INTRO_IN_CAPTION + 1), attachment="action_plan")
    assert [(bool(m.text), m.attachment) for m in plan((long_intro,), 5)] == [
        (True, None),
        (False, "action_plan"),
    ], "an intro too long for a caption goes before the file"


class _Sends:
    """A bot whose sends fail as told, in order; counts what Telegram 'took'."""

    def __init__(self, *failures: TelegramError | None) -> None:
        self.failures = list(failures)
        self.taken: list[str] = []

    async def send_message(self, chat_id: int, text: str, reply_markup: object = None) -> object:
        failure = self.failures.pop(0) if self.failures else None
        if failure is not None:
            raise failure
        self.taken.append(text)
        return type("Sent", (), {"message_id": 100 + len(self.taken)})()


async def _send_turn(
    bot: _Sends, start: int = 0
) -> tuple[int | None, list[tuple[int, int | None]]]:
    replies = (
        Reply("Een eerste mededeling die te lang is om met de vraag mee te gaan.\nTweede regel."),
        Reply("Wat kies je?", (Option("a", "A"),)),
    )
    counted: list[tuple[int, int | None]] = []

    async def taken(sent: int, live: int | None, last: bool) -> None:
        counted.append((sent, live))

    outbox = Outbox(bot, Engine.load())  # type: ignore[arg-type]
    # Layout 1 keeps the long note a message of its own (layout 2 would join the two).
    live = await outbox.replies(1, replies, 3, None, start=start, taken=taken, layout=1)
    return live, counted


async def test_a_note_in_doubt_is_let_be_and_the_question_is_sent_once_more() -> None:
    reset = _wrapped(NetworkError, httpx.ReadError("reset"))
    bot = _Sends(reset, None, reset, None)
    live, counted = await _send_turn(bot)
    assert bot.taken == ["Wat kies je?"], "the note not again, the question on its second try"
    assert live == 101 and counted == [(1, None), (2, 101)]
    again = _Sends(reset, reset)
    with pytest.raises(MaybeDelivered):  # the question still in doubt: the turn stays unfinished
        await _send_turn(again, start=1)
    assert again.taken == []
    rest = _Sends()
    assert await _send_turn(rest, start=1) == (101, [(2, 101)]), "resumed after the note"


# ---- the live buttons --------------------------------------------------------------------------


def test_only_a_turn_that_begins_with_a_replacing_question_is_edited_in_place() -> None:
    from bot.conversation import Status, Turn
    from bot.telegram.live_buttons import fits_in_place, in_place_covers

    question = Reply("Wat kies je?", (Option("a", "A"),), replaces=True)
    note = Reply("Goed zo.")

    def turn(*replies: Reply, status: Status = Status.DONE, layout: int = 2) -> Turn:
        return Turn(status, replies, 4, layout=layout)

    assert fits_in_place(turn(note, question))
    assert fits_in_place(turn(note, question, status=Status.REDELIVERED))
    assert not fits_in_place(turn(note, question, status=Status.STALE)), "a stale tap: anew"
    assert not fits_in_place(turn(note, Reply("Wat kies je?", (Option("a", "A"),))))
    picture = Reply("Het model.", attachment="model_picture")
    assert fits_in_place(turn(picture, question)), "the picture follows the edited question"
    assert in_place_covers(turn(picture, question)) == 1
    assert not fits_in_place(turn(picture, question, layout=1)), "layout 1: a message of its own"
    assert fits_in_place(turn(note, question, layout=1))
    assert in_place_covers(turn(note, question, layout=1)) == 1
    team = Reply("Het team.", attachment="team_picture")
    assert not fits_in_place(turn(team, question)), "a team's picture before its question"
    assert not fits_in_place(turn(Reply("x" * MESSAGE_LIMIT), question)), "too long for one"
    assert not fits_in_place(turn(Reply("Nog een?", (Option("b", "B"),)), question))
    assert not fits_in_place(turn())
