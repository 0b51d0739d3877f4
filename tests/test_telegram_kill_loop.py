"""Nothing lost, nobody stuck: the real bot SIGKILLed again and again while 20 people tap through.

Per mode (polling, webhook) the bot is killed at ten random moments (seeded) while twenty
simulated users tap their way through the conversation, each choosing an offered option on the
newest message with buttons and, like a person, tapping the newest buttons again when no new
question came within a few seconds. After a final restart and a settle period:

- no lost tap: every answer the bot confirmed under a question ("➜ label") is in the stored
  history, every stored answer is one the user tapped at that turn, and every tap that is not in
  the history was answered and followed by the question of now;
- nobody stuck: every user's last message carries the buttons of the stored current turn (or
  only a picture follows that question);
- nothing corrupt: every session file decodes, the quarantine is empty, no temp file is left;
- nothing twice: no message is sent twice, except the one honest exception per kill and chat
  (the message Telegram took just before the kill, whose answer, and so its mark, never came
  back); a repeat the user asked for (a stale button shows the question again, a second
  /start) is no duplicate.

The assertions hold whatever the timing; only how many taps land on a dead bot varies.
"""

from __future__ import annotations

import asyncio
import json
import random
import socket
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fake_bot_api.harness import BotProcess, option_id, webhook_bot
from fake_bot_api.server import BotMessage, FakeBotApi

from bot.persistence import SessionStore
from bot.persistence.atomic import TEMP_SUFFIX
from bot.persistence.codec import decode_record
from bot.persistence.marks import MARK_SUFFIX, read_mark
from bot.telegram.outbox import QUESTION_AGAIN
from dialogs import Engine
from dialogs.session import MAX_HISTORY, Session
from locales import load_bundle

# How long the users may go on tapping after the kills to reach enough taps (seconds).
ENOUGH_TAPS_WAIT = 45.0
SEED = 1313
USERS = 20
KILLS = 10
FIRST_CHAT = 9000
# Options that do not add to the history (a restart empties it; `plan` and `volgende` only send
# something; "Meer opties" shows other buttons, "← Terug" takes an answer away): left out, so that
# the history alone shows which taps were accepted.
# "herken" shows what a phase looks like and answers nothing: it is never in the history.
NOT_TAPPED = frozenset({"opnieuw", "plan", "volgende", "_meer", "_terug", "herken", "hulp"})
# Views opened from the advice (a step's detail, a warning, a term, help) are closed with
# "terug", which takes their answer out of the history again: the history alone can then not
# show which taps were accepted. The users stop at the advice; the advice itself, the turn with
# the most messages, is what the kills must not break.
VIEWS = ("i.", "w.", "t.", "n.")
PATIENCE = 3.0  # seconds a user waits for a new question before tapping again
# Seconds a user reads before the next tap. Twenty users still keep taps in flight at every
# kill (about 300 taps a run, three times what the test needs), at half the CPU of quicker ones.
THINK = (0.4, 1.2)
QUIET = 1.5  # seconds without any bot call that count as settled
SECRET = "kill_loop-secret"


@dataclass
class Tap:
    message_id: int
    turn: int
    option: str
    label: str
    query_id: str
    calls_before: int  # how many API calls the bot had made when the user tapped


def turn_of(button: dict[str, Any]) -> int:
    return int(str(button["callback_data"]).split(":", 1)[0])


class Person:
    """One user: taps an offered option on the newest question, again when nothing comes."""

    def __init__(self, api: FakeBotApi, chat_id: int, rng: random.Random) -> None:
        self.api = api
        self.chat_id = chat_id
        self.rng = rng
        self.taps: list[Tap] = []
        self.starts = 0
        self.start_calls: list[int] = []  # how many API calls the bot had made at each /start

    def newest_question(self) -> BotMessage | None:
        return self.api.last_with_buttons(self.chat_id)

    async def _new_question_after(
        self, message_id: int, tapped: BotMessage | None = None, edits: int = 0
    ) -> bool:
        """Wait up to PATIENCE for a question newer than `message_id`, or for the tapped one
        edited in place into the next question."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + PATIENCE
        while loop.time() < deadline:
            question = self.newest_question()
            if question is not None and question.message_id > message_id:
                return True
            if question is not None and question is tapped and question.edits > edits:
                return True
            await asyncio.sleep(0.05)
        return False

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            question = self.newest_question()
            if question is None:  # nothing to tap yet: write /start, as a person would
                self.starts += 1
                self.start_calls.append(len(self.api.calls))
                sent = self.api.send_text(self.chat_id, "/start")
                await self._new_question_after(sent["message"]["message_id"] - 1)
                continue
            buttons = [b for b in question.buttons() if _tappable(option_id(b))]
            if not buttons:  # at the advice: nothing more this user taps
                await asyncio.sleep(self.rng.uniform(*THINK))
                continue
            button = self.rng.choice(buttons)
            newest = self.api.chat(self.chat_id)[-1].message_id
            edits = question.edits
            query_id = self.api.tap(self.chat_id, question.message_id, label=button["text"])
            self.taps.append(
                Tap(
                    question.message_id,
                    turn_of(button),
                    option_id(button),
                    str(button["text"]),
                    query_id,
                    len(self.api.calls),
                )
            )
            await self._new_question_after(newest, question, edits)
            await asyncio.sleep(self.rng.uniform(*THINK))


def _tappable(option: str) -> bool:
    return option not in NOT_TAPPED and not option.startswith(VIEWS)


async def _settle(api: FakeBotApi, bot: BotProcess, drained: Any) -> None:
    """Wait until every update is handled and the bot made no call (other than polling) a while."""
    await bot.wait_for(drained, what="every update handled")

    def calls() -> int:
        return sum(1 for method, _ in api.calls if method != "getUpdates")

    loop = asyncio.get_running_loop()
    seen, since = calls(), loop.time()
    while loop.time() - since < QUIET:
        await asyncio.sleep(0.1)
        if calls() != seen or not drained():
            seen, since = calls(), loop.time()
    await bot.wait_for(drained, what="every update handled")


def _check_files(data_dir: Path) -> dict[str, Session]:
    """Every session file decodes, and every file of delivery marks beside one; nothing in
    quarantine, no temp file left. Sessions by key."""
    store = SessionStore(data_dir)
    sessions: dict[str, Session] = {}
    leftovers = []
    for path in store.files():
        if path.name.endswith(TEMP_SUFFIX):
            leftovers.append(path.name)
            continue
        if path.suffix == MARK_SUFFIX:  # a kill never leaves half a mark (one small write)
            assert read_mark(path) is not None, path.name
            assert path.with_suffix(".json").exists(), "marks outlived their record"
            continue
        record = decode_record(path.read_bytes())  # raises on a corrupt file
        assert record.session is not None, path.name
        sessions[path.stem] = record.session
    assert leftovers == [], "temp files left after the restart"
    assert store.quarantine.count() == 0, "a session file was corrupted"
    return sessions


def _check_person(api: FakeBotApi, person: Person, session: Session, engine: Engine) -> None:
    chosen_format = load_bundle().telegram.chosen
    expired = load_bundle().telegram.expired
    history = [answer.option for answer in session.history]
    first_turn = session.turn - len(history)  # each accepted tap made one turn and one answer
    # The history keeps the newest answers only (a bound for /terug): on a quick machine a user
    # taps more than that, and the taps before the kept ones cannot be checked against it.
    full = len(history) >= MAX_HISTORY
    assert first_turn >= 0
    first_question = next(
        m for m in api.method_calls("sendMessage") if _to(m, person.chat_id) and _turns(m)
    )
    if full:
        assert max(_turns(first_question)) <= first_turn
    else:
        assert _turns(first_question) == {first_turn}, "every turn after the first is one answer"

    tapped = {(tap.turn, tap.option) for tap in person.taps}
    for index, option in enumerate(history):
        assert (first_turn + index, option) in tapped, f"answer {index} was never tapped"

    for tap in person.taps:
        index = tap.turn - first_turn
        if index < 0 and full:
            continue
        accepted = 0 <= index < len(history) and history[index] == tap.option
        confirmed = _confirmed(api, tap, person.chat_id, chosen_format.format(label=tap.label))
        if confirmed:
            assert accepted, f"lost tap: {tap} was confirmed but is not in the history"
        if accepted:
            continue
        query = api.callback_queries[tap.query_id]
        assert query.answered, f"a refused tap was never answered: {tap}"
        later_questions = [
            params
            for method, params in api.calls[tap.calls_before :]
            if method in ("sendMessage", "editMessageText")
            and _to(params, person.chat_id)
            and _turns(params)
        ]
        assert later_questions, f"a refused tap got no question again: {tap}"
        assert query.answer_text in (expired, None)

    # The question is the last message, or only an illustration (the model picture, the plan)
    # follows it: a file after a question that took the answered one's place (issue 24).
    chat = api.chat(person.chat_id)
    asked = [index for index, message in enumerate(chat) if message.buttons()]
    assert asked, f"user {person.chat_id} is stuck: no message has buttons"
    last = chat[asked[-1]]
    after = chat[asked[-1] + 1 :]
    assert all(m.kind in ("photo", "document") for m in after), (
        f"user {person.chat_id} is stuck: the last message has no buttons"
    )
    assert {turn_of(b) for b in last.buttons()} == {session.turn}, "buttons of an old turn"
    offered = [option.id for option in engine.shown_options(session)]
    assert [option_id(b) for b in last.buttons()] == offered


def _confirmed(api: FakeBotApi, tap: Tap, chat_id: int, chosen: str) -> bool:
    """Whether the bot confirmed `tap`: its next call in the chat after answering the tap edited
    the tapped question, to show the chosen answer under it or to turn it in place into the next
    question (its buttons then belong to the next turn).

    One message carries many turns of the intake, so an edit is tied to its tap by its place
    right after that tap's answer (the chat's lock keeps the two together).
    """
    for index, (method, params) in enumerate(api.calls):
        if method != "answerCallbackQuery" or str(params.get("callback_query_id")) != tap.query_id:
            continue
        following = next(((m, p) for m, p in api.calls[index + 1 :] if _to(p, chat_id)), None)
        if following is None or following[0] != "editMessageText":
            continue
        edited = following[1]
        if int(edited["message_id"]) != tap.message_id:
            continue
        if str(edited["text"]).endswith(chosen) or _turns(edited) == {tap.turn + 1}:
            return True
    return False


def _to(params: dict[str, Any], chat_id: int) -> bool:
    return str(params.get("chat_id")) == str(chat_id)


def _turns(params: dict[str, Any]) -> set[int]:
    markup = params.get("reply_markup") or {}
    return {turn_of(b) for row in markup.get("inline_keyboard", []) for b in row}


SENDS = ("sendMessage", "sendPhoto", "sendDocument")


def _sent(params: dict[str, Any]) -> str:
    """What a send showed: its text or caption and its buttons."""
    shown = params.get("text", params.get("caption"))
    return json.dumps([shown, params.get("reply_markup")], sort_keys=True, default=str)


def _asked_again(api: FakeBotApi, chat_id: int, index: int, expired: str) -> bool:
    """The send at `index` answers a stale tap: the chat's call before it (taking old buttons
    away aside) is the toast of an expired button."""
    for method, params in reversed(api.calls[:index]):
        if method == "answerCallbackQuery":
            query = api.callback_queries.get(str(params.get("callback_query_id")))
            if query is not None and query.chat_id == chat_id:
                return params.get("text") == expired
        elif _to(params, chat_id) and method != "editMessageReplyMarkup":
            return False
    return False


def _turn_shown(api: FakeBotApi, index: int, chat: int) -> frozenset[int]:
    """The turn a send at `index` belongs to: its own buttons' turn, or for a note or a picture
    the turn of the question that follows it in the chat (every turn ends with a question)."""
    for _method, params in api.calls[index:]:
        if _to(params, chat) and (turns := _turns(params)):
            return frozenset(turns)
    return frozenset()


def _calls_between(api: FakeBotApi, chat: int, first: int, last: int) -> list[str]:
    """What the bot did in the chat between two calls: for the message of a failed check."""
    return [
        f"{index}:{method}"
        for index, (method, params) in enumerate(api.calls[first + 1 : last], first + 1)
        if _to(params, chat) or method == "answerCallbackQuery"
    ][:12]


def _duplicates(
    api: FakeBotApi, people: list[Person], kills: list[int], questions_again: int = 0
) -> list[str]:
    """Every send that repeats an earlier one of the same turn in its chat, beyond what the
    promise allows.

    A note of a later turn may say what an earlier turn said (a second employee gets the same
    picture's intro): that is a new message, so a send is keyed by its turn as well.
    Allowed: a repeat the user asked for (a stale tap; per /start after the first, one repeat:
    a user without buttons, say while the bot is down, writes /start again, and each /start
    is answered), per kill and chat the chat's last send before the kill, once after it
    (the documented exception), and a question the bot itself says it sent once more after its
    send was left in doubt (a read timeout on a busy machine): `questions_again` such repeats in
    all, as counted in the bot's log, which names no chat.
    """
    bundle = load_bundle()
    expired = bundle.telegram.expired
    start_answers = (bundle.dialog.resumed, bundle.dialog.welcome)  # what a /start is answered with
    starts = {person.chat_id: person.start_calls for person in people}
    last: dict[tuple[int, frozenset[int], str], int] = {}
    excused: set[tuple[int, int]] = set()  # (kill, chat) whose one exception is used
    # per chat and message: repeats a /start explains
    restarts: dict[tuple[int, frozenset[int], str], int] = {}
    found = []
    welcomed: set[int] = set()  # chats whose last send was a welcome: its question comes next
    for index, (method, params) in enumerate(api.calls):
        if method not in SENDS:
            continue
        chat = int(params["chat_id"])
        text = str(params.get("text", ""))
        # A /start is answered with the welcome and the question under it, or with one message
        # that says we go on where the user was.
        start_answer = text.startswith(start_answers) or chat in welcomed
        welcomed.discard(chat)
        if text.startswith(bundle.dialog.welcome):
            welcomed.add(chat)
        key = (chat, _turn_shown(api, index, chat), f"{method}:{_sent(params)}")
        before = last.get(key)
        last[key] = index
        if before is None or _asked_again(api, chat, index, expired):
            continue
        # Each /start after the first is an input of its own: its answer may be a repeat. Only an
        # answer a /start gives is excused so, at most once per /start: a user who wrote /start
        # fifty times while the bot was down is owed fifty answers, not a free pass for others.
        asked = sum(1 for start in starts.get(chat, []) if start < index) - 1
        if start_answer and asked > restarts.get(key, 0):
            restarts[key] = restarts.get(key, 0) + 1
            continue
        kill = next((k for k in kills if before < k <= index), None)
        sends_between = (
            [
                i
                for i, (m, p) in enumerate(api.calls[before + 1 : kill], before + 1)
                if m in SENDS and _to(p, chat)
            ]
            if kill is not None
            else [0]
        )
        if kill is not None and not sends_between and (kill, chat) not in excused:
            excused.add((kill, chat))
            continue
        if questions_again and kill is None and params.get("reply_markup"):
            questions_again -= 1
            continue
        what = str(params.get("text") or params.get("caption") or "")[:50]
        found.append(
            f"chat {chat}: {method} at call {index} repeats call {before}: {what!r}"
            f" (kill at {kill}, /start at {starts.get(chat, [])}, the chat's calls between:"
            f" {_calls_between(api, chat, before, index)})"
        )
    return found


async def _kill_loop(api: FakeBotApi, bot: BotProcess, drained: Any) -> None:
    rng = random.Random(SEED)
    kills: list[int] = []  # how many API calls the bot had made at each kill
    people = [Person(api, FIRST_CHAT + n, random.Random(SEED * 100 + n)) for n in range(USERS)]
    stop = asyncio.Event()
    users = [asyncio.create_task(person.run(stop)) for person in people]
    try:
        for _ in range(KILLS):
            await asyncio.sleep(rng.uniform(0.2, 1.5))
            kills.append(await bot.kill_and_drain())
            await asyncio.sleep(rng.uniform(0.0, 0.3))  # taps pile up while the bot is down
            await bot.start()
        await asyncio.sleep(rng.uniform(0.5, 1.0))
        # On a busy machine the users may have tapped little between the kills: let them go on
        # (bounded) until the run holds enough taps to mean something.
        deadline = asyncio.get_running_loop().time() + ENOUGH_TAPS_WAIT
        while sum(len(person.taps) for person in people) < USERS * 5:
            if asyncio.get_running_loop().time() > deadline:
                break
            await asyncio.sleep(0.2)
    finally:
        stop.set()
        await asyncio.gather(*users)
    # the final restart, from whatever state the last moment left
    kills.append(await bot.kill_and_drain())
    await bot.start()
    await _settle(api, bot, drained)

    assert sum(len(person.taps) for person in people) >= USERS * 5, "too few taps to mean much"
    sessions = _check_files(bot.data_dir)
    engine = Engine.load()
    for person in people:
        _check_person(api, person, sessions[str(person.chat_id)], engine)
    # A tap handled just before a kill comes again: its callback answer and its edit may already
    # have been made, which Telegram (and the fake) refuse as repeats, kept apart; nothing else.
    assert api.rejections == [], Counter(api.rejections)
    chosen_prefix = load_bundle().telegram.chosen.split("{", 1)[0]
    loose = [p for p in api.method_calls("sendMessage") if str(p["text"]).startswith(chosen_prefix)]
    assert loose == [], "a choice was sent on its own: its edit failed"
    in_doubt = bot.output().count(QUESTION_AGAIN)
    duplicates = _duplicates(api, people, kills, in_doubt)
    assert not duplicates, (
        f"{len(duplicates)} messages twice over {len(kills)} kills and {in_doubt} questions"
        " sent again in doubt:\n" + "\n".join(duplicates)
    )


@pytest.mark.slow
async def test_kill_loop_in_polling_mode_loses_nothing(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    await _kill_loop(bot_api, bot_process, bot_process.all_handled)
    await bot_process.stop()


@pytest.mark.slow
async def test_kill_loop_in_webhook_mode_loses_nothing(bot_api: FakeBotApi, tmp_path: Path) -> None:
    async with webhook_bot(bot_api, tmp_path, SECRET) as (bot, sender):
        await _kill_loop(bot_api, bot, sender.idle)
        assert sender.failures > 0, "some deliveries met a dead bot and were sent again"


def _log(*sends: tuple[str, str, int | None]) -> FakeBotApi:
    """A fake API whose call log holds these sends to chat 1: (method, text, turn of buttons)."""
    api = FakeBotApi(token="log-only")
    for method, text, turn in sends:
        params: dict[str, Any] = {"chat_id": 1, "text": text}
        if turn is not None:
            button = {"text": "Ja", "callback_data": f"{turn}:ja"}
            params["reply_markup"] = {"inline_keyboard": [[button]]}
        api.calls.append((method, params))
    return api


def test_a_note_of_a_later_turn_that_says_the_same_is_no_duplicate() -> None:
    # A second employee gets the same picture intro: a new turn, so a new message.
    api = _log(
        ("sendMessage", "Zo ziet het model eruit", None),
        ("sendMessage", "Klopt dit?", 5),
        ("sendMessage", "Zo ziet het model eruit", None),
        ("sendMessage", "Klopt dit?", 9),
    )
    assert _duplicates(api, [], kills=[]) == []


def test_a_note_of_the_same_turn_sent_again_is_a_duplicate() -> None:
    api = _log(
        ("sendMessage", "Zo ziet het model eruit", None),
        ("sendMessage", "Klopt dit?", 5),
        ("sendMessage", "Zo ziet het model eruit", None),
        ("sendMessage", "Klopt dit?", 5),
    )
    assert len(_duplicates(api, [], kills=[])) == 2
    # With a kill after the question, only the chat's last send before it is excused.
    assert len(_duplicates(api, [], kills=[2])) == 1


def test_a_question_the_bot_sent_once_more_in_doubt_is_excused_once() -> None:
    """A read timeout leaves a send in doubt; the bot sends the question once more and logs it
    (README). Each such line excuses one repeated question, never a note."""
    api = _log(
        ("sendMessage", "Klopt dit?", 5),
        ("sendMessage", "Klopt dit?", 5),
        ("sendMessage", "Zo ziet het model eruit", None),
        ("sendMessage", "Zo ziet het model eruit", None),
    )
    assert len(_duplicates(api, [], kills=[])) == 2
    assert _duplicates(api, [], kills=[], questions_again=1) == [_duplicates(api, [], kills=[])[1]]
    assert len(_duplicates(api, [], kills=[], questions_again=5)) == 1, "a note is never excused"


def test_each_start_may_repeat_its_whole_answer_the_welcome_and_the_question() -> None:
    welcome = load_bundle().dialog.welcome
    api = _log(
        ("sendMessage", welcome, None),
        ("sendMessage", "Stap 1 van 13\nWat is jouw rol?", 0),
        ("sendMessage", welcome, None),
        ("sendMessage", "Stap 1 van 13\nWat is jouw rol?", 0),
    )
    twice = Person(api, 1, random.Random(0))
    twice.start_calls = [0, 1]  # the second /start came after the first answer began
    assert _duplicates(api, [twice], kills=[]) == []
    once = Person(api, 1, random.Random(0))
    once.start_calls = [0]
    assert len(_duplicates(api, [once], kills=[])) == 2


async def test_a_request_a_killed_bot_left_unread_counts_as_before_the_kill(
    bot_api: FakeBotApi,
) -> None:
    """A bot killed right after it wrote a request: the server has not read it yet when the kill
    returns. Counted then, that send would look like the restarted bot's, and its resend a
    duplicate; the drained count puts it before the kill."""
    body = json.dumps({"chat_id": 1, "text": "Hallo"}).encode()
    request = (
        f"POST /bot{bot_api.token}/sendMessage HTTP/1.1\r\nHost: {bot_api.host}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    before = len(bot_api.calls)
    with socket.create_connection((bot_api.host, bot_api.port)) as dying:  # no await: a blocked
        dying.sendall(request)  # loop, as while the test waits for the killed process
    assert len(bot_api.calls) == before, "read at once: this test would show nothing"
    assert await bot_api.drained() == before + 1
    assert bot_api.calls[-1][0] == "sendMessage"
