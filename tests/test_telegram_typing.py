"""Typing and tapping against the real bot over HTTP (fake Bot API): what a phone would show.

The typed conversations and the typed-answer table of tests/test_dialog_typing.py, now through
Telegram for three roles: every accepted answer of the table at every step one can tap to is
taken as meant (the check-in's rows stay in-process), typed answers take the buttons off the
question they answer, a refusal is one line and the question, two close options are asked back
with two buttons, and an intake tap costs one counted Telegram call (the question edited in
place) besides answering the callback.
"""

from __future__ import annotations

import pytest
from dialog_helpers import ROLE_PATH, choose, drive, progress_line, refusal, stable
from fake_bot_api.harness import MORE, BotProcess, User, advice_shown, option_id
from fake_bot_api.server import BotMessage, FakeBotApi
from test_dialog_typing import TABLE, TYPED_REST, TYPED_ROLE, TYPO_REST, TYPO_ROLE

from bot.persistence import SessionStore
from dialogs import Session
from dialogs.engine import NAV_BACK, NAV_MORE
from locales import load_bundle

# The calls that put something on the user's screen (answerCallbackQuery is not counted).
COUNTED = {
    "sendMessage",
    "editMessageText",
    "editMessageReplyMarkup",
    "sendPhoto",
    "sendDocument",
    "deleteMessage",
}
ROLES = ["mkb", "lijn", "hrzl"]


def _counted(api: FakeBotApi, chat_id: int, since: int) -> list[str]:
    return [
        method
        for method, params in api.calls[since:]
        if method in COUNTED and str(params.get("chat_id")) == str(chat_id)
    ]


def _only_the_newest_has_buttons(user: User) -> None:
    live = [message for message in user.messages() if message.buttons()]
    assert live == [user.question()], "no earlier message keeps buttons"


async def _type(user: User, text: str) -> BotMessage:
    """Type `text`; the answer is the newest message, with buttons (a question or an ask-back)."""
    reply = await user.send(text)
    _only_the_newest_has_buttons(user)
    return reply


def _advice_of(role: str) -> list[str]:
    tapped = drive(*ROLE_PATH[role], "ja", "ja", "ok")
    while tapped.state == "check":
        choose(tapped, "ja")
    return tapped.advised


@pytest.mark.parametrize("with_typos", [False, True], ids=["mixed", "typos"])
@pytest.mark.parametrize("role", ROLES)
async def test_a_typed_conversation_over_http(
    role: str, with_typos: bool, bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    user = User(bot_process, 600 + 10 * ROLES.index(role) + with_typos)
    await user.send("/start")
    answers = [*TYPO_ROLE[role], *TYPO_REST] if with_typos else [*TYPED_ROLE[role], *TYPED_REST]
    for text in answers:
        if advice_shown(user):  # the advice's first page: its titles
            break
        await _type(user, text)
    assert advice_shown(user)
    record = SessionStore(bot_process.data_dir).load(str(user.chat_id))
    assert record is not None and record.session is not None
    assert record.session.role == role and record.session.advised == _advice_of(role)
    assert bot_api.rejections == []


def _table_for(state: str) -> list[tuple[str, str | None]]:
    """The table's answers at `state` that leave the step as it is: refused or asked back."""
    return [
        (text, meant)
        for where, text, meant in TABLE
        if where == state and meant in (None, "?") and text.strip()
    ]


@pytest.mark.parametrize("role", ROLES)
async def test_the_answers_of_the_table_that_change_nothing_over_http(
    role: str, bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    """Every refused or asked-back answer of the table at the steps of a whole conversation."""
    texts = load_bundle().dialog
    user = User(bot_process, 700 + ROLES.index(role))
    await user.send("/start")
    path = [*ROLE_PATH[role], "ja", "ja", "ok", "ja", "ja", "ja", "ja"]
    states = ["rol", *(["rol_anders"] if "anders" in ROLE_PATH[role] else [])]
    states += ["soort", "s_toepassen", "s_continu", "uitslag", "check", "check", "check", "check"]
    tried = 0
    for state, option in zip(states, path, strict=True):
        offered = user.options()
        for text, meant in _table_for(state):
            reply = await _type(user, text)
            tried += 1
            if meant is None:  # one line, then the question with the same buttons
                line, rest = (reply.text or "").split("\n\n", 1)
                assert line == refusal(state) and "\n\n" not in rest, text
                assert [option_id(b) for b in reply.buttons()] == offered, text
            else:  # which of two: two buttons, both answers of this step
                templates = (texts.ask_which, texts.understanding.between_question)
                starts = tuple(template.split("{")[0] for template in templates)
                assert reply.text and reply.text.startswith(starts), text
                assert len(reply.buttons()) == 2, text
        await user.choose(option) if option in user.options() else await _type(user, option)
    assert advice_shown(user)
    for text, meant in _table_for("advies"):
        reply = await _type(user, text)
        tried += 1
        assert len(reply.buttons()) == (2 if meant == "?" else len(user.question().buttons()))
    assert tried >= 10
    assert bot_api.rejections == [] and bot_api.unanswered_callbacks() == []


async def test_an_intake_tap_costs_one_counted_call(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    user = User(bot_process, 650)
    await user.send("/start")
    taps = [
        "lijn",
        "geen",
        "nee",
        "nee",
        "_terug",
        "nee",
        "ja",
    ]  # role, staging, back, to the result
    for option in taps:
        since = len(bot_api.calls)
        await user.choose(option)
        assert _counted(bot_api, 650, since) == ["editMessageText"], option
        _only_the_newest_has_buttons(user)
    question = user.question().text or ""
    # The role, the kind of work (skipped) and the staging answers, above the result.
    trail = "✓ Leidinggevende of teamleider · Sla over · Nee · Nee · Ja"
    assert question.startswith(f"{trail}\n{progress_line(6, 'uitslag')}\n")
    await user.choose("ok")  # the result confirmed: the picture comes after the next question
    await bot_process.wait_for(
        lambda: any(message.kind == "photo" for message in user.messages()), what="the picture"
    )
    _only_the_newest_has_buttons(user)
    while True:
        since = len(bot_api.calls)
        await user.choose("wn")
        if advice_shown(user):
            break
        assert _counted(bot_api, 650, since) == ["editMessageText"], "a check question"
    _only_the_newest_has_buttons(user)
    assert "check dit" in (user.question().text or ""), "not knowing is worth a check"
    assert bot_api.rejections == [] and bot_api.unanswered_callbacks() == []


async def test_side_commands_and_a_wipe_over_http(bot_process: BotProcess) -> None:
    user = User(bot_process, 660)
    await user.send("/start")
    await user.choose("hr")
    question = (user.question().text or "").split("\n")[-1]
    options = user.options()
    for command in ("/help", "/privacy", "/model", "/vergeet"):
        reply = await user.send(command)
        _only_the_newest_has_buttons(user)
        if command == "/vergeet":  # cancelled: nothing is erased and the question comes back
            await user.tap_label(load_bundle().telegram.forget.cancel, replies=1)
            await user.bot.wait_for(lambda: user.options() == options, what="the question")
            reply = user.question()
        assert (reply.text or "").endswith(question), command
        assert user.options() == options, command
        _only_the_newest_has_buttons(user)
    asked = await user.send("/start mkb")  # a deep link mid-conversation asks first
    assert asked.text == load_bundle().dialog.restart.question
    assert user.options() == ["ja", "nee"]
    await user.send("nee")
    record = SessionStore(bot_process.data_dir).load("660")
    assert record is not None and record.session is not None and record.session.role == "hr"
    _only_the_newest_has_buttons(user)
    await user.send("/opnieuw")
    await user.choose("ja")
    record = SessionStore(bot_process.data_dir).load("660")
    assert record is not None and record.session is not None and record.session.history == []
    assert "lijn" in user.options()
    _only_the_newest_has_buttons(user)


async def test_thanks_after_done_is_answered_kindly(bot_process: BotProcess) -> None:
    user = User(bot_process, 670)
    await user.send("/start")
    for option in ["dir", "geen", "ja", "ja", "ok", "ja", "ja", "ja", "ja"]:
        await user.choose(option)
    await user.choose_anywhere("klaar")
    reply = await _type(user, "bedankt!")
    texts = load_bundle().dialog
    assert (reply.text or "").startswith(texts.small_talk.thanks_reply)
    assert texts.free_text not in (reply.text or "")
    assert user.options() == ["ander", "opnieuw", "_terug"]


# -- the accepted answers of the table, over HTTP ------------------------------------------------
# The walk through one chat per role: (state, the taps from the previous state of the walk into
# it, how many /terug lead back from it to where the next state's taps start). The rows at
# rol and rol_anders do not depend on the role: rol's are spread over the roles, rol_anders's run
# where the role is chosen there (hrzl). The check-in's states (ci_stap, ci_fase) are entered by
# the scheduler, not by an answer: their rows stay in-process only (tests/test_dialog_typing.py).
WALK: list[tuple[str, list[str], int]] = [
    ("soort", [], 0),  # the role's own taps are added per role
    ("s_toepassen", ["geen"], 0),  # the kind of work skipped (issue 20)
    ("fase_kiezen", ["kies"], 1),
    ("uitslag", ["nee", "ja"], 0),
    ("check", ["ok"], 0),
    ("advies", [], 0),  # the checks answered "ja" until the advice comes
    ("uitleg", ["i2"], 1),
    ("meer", ["meer"], 1),
    ("plan", ["herinner", "geen", "plan"], 3),  # the plan asks about a reminder once
    ("klaar", ["klaar"], 1),
    ("herinnering", ["herinner"], 1),
    ("org", ["ander", "nee", "ja", "ok"], 4),
    ("team", ["team"], 0),
    ("medewerker", ["s1"], 0),
    ("team_leeg", [], 0),  # reached by medewerker's last row: removing employee A
]
# A title names one advice: the table's is a team lead's first (its way in is lijn's).
ONLY_FOR = {("advies", "tijd en geld geven om te leren"): "lijn"}
# Removing an employee cannot be undone by /terug: it comes last at its step, and moves on.
FINAL = {("medewerker", "wis")}
# Entered by the scheduler, not by an answer: these rows run in-process only.
IN_PROCESS_ONLY = {"ci_stap", "ci_fase"}
# How many rows of the table run over HTTP per role: the test fails when the table shrinks.
OVER_HTTP = {"mkb": 81, "lijn": 82, "hrzl": 88}


def _accepted(state: str, role: str) -> list[tuple[str, str, str]]:
    """The table's accepted answers at `state` that hold for `role`, the final one (if any) last."""
    rows = [
        (where, text, meant)
        for where, text, meant in TABLE
        if where == state and meant is not None and meant != "?"
        if ONLY_FOR.get((where, text), role) == role
    ]
    return sorted(rows, key=lambda row: (state, row[2]) in FINAL)


def _planned(role: str) -> list[tuple[str, str, str]]:
    """The rows the walk of `role` types, in order. rol's rows do not depend on the role: they
    are spread over the roles; rol_anders's run where the role is chosen there (hrzl)."""
    rows = [row for n, row in enumerate(_accepted("rol", role)) if n % 3 == ROLES.index(role)]
    if "anders" in ROLE_PATH[role]:
        rows += _accepted("rol_anders", role)
    for state, _, _ in WALK:
        rows += _accepted(state, role)
    return rows


def test_every_accepted_row_outside_a_check_in_runs_over_http() -> None:
    accepted = {row for row in TABLE if row[2] is not None and row[2] != "?"}
    planned = {row for role in ROLES for row in _planned(role)}
    assert planned == {row for row in accepted if row[0] not in IN_PROCESS_ONLY}
    assert {row[0] for row in accepted} - {row[0] for row in planned} == IN_PROCESS_ONLY
    assert {role: len(_planned(role)) for role in ROLES} == OVER_HTTP


def _stored(user: User) -> Session:
    record = SessionStore(user.bot.data_dir).load(str(user.chat_id))
    assert record is not None and record.session is not None
    return record.session


async def _type_and_return(user: User, state: str, text: str, meant: str) -> None:
    """Type `text` at `state`: the bot takes it as `meant`; then back to the same question."""
    before = _stored(user)
    assert before.state == state
    meant = stable(before, meant)
    answered = [(answer.step, answer.option) for answer in before.history]
    await _type(user, text)
    after = _stored(user)
    given = [(answer.step, answer.option) for answer in after.history]
    if meant == NAV_BACK:  # one answer undone; given again by tapping it
        assert after.history == before.history[:-1], text
        await user.choose_anywhere(before.history[-1].option)
    elif meant == NAV_MORE:  # the next page; paged round to the first again
        assert after.state == state and after.page == before.page + 1, text
        while _stored(user).page != before.page:
            await user.choose(MORE)
    elif after.state != state and given == answered[:-1]:
        # Back where the answer before was given (a detail closed): both answers are let go,
        # and the detail is opened again by its own button.
        assert after.state == before.history[-1].step, text
        await user.choose_anywhere(before.history[-1].option)
    else:
        if after.confirm_restart is not None:  # a restart is asked first, the answers kept
            assert meant == "opnieuw" and after.history == before.history, text
        else:
            assert given == [*answered, (state, meant)], text
        if (state, meant) in FINAL:
            return
        await user.send("/terug")
    again = _stored(user)
    # The same answers (an answer given again may keep a smaller snapshot: the employee its
    # first advice made stays the one discussed).
    answers = [(answer.step, answer.option) for answer in again.history]
    assert (again.state, answers, again.page) == (state, answered, before.page), text


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
async def test_the_accepted_answers_of_the_table_over_http(
    role: str, bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    """At every step one can tap to, each accepted typed answer of the table is taken as meant."""
    user = User(bot_process, 800 + ROLES.index(role))
    await user.send("/start")
    ran: list[tuple[str, str, str]] = []

    async def rows_at(state: str) -> None:
        assert _stored(user).state == state
        for row in (row for row in _planned(role) if row[0] == state):
            await _type_and_return(user, *row)
            ran.append(row)

    await rows_at("rol")
    *before_role, chosen_role, _skip = ROLE_PATH[role]
    for option in before_role:  # "iets anders": the second role question
        await user.choose(option)
        await rows_at("rol_anders")
    for state, taps, back in WALK:
        for option in [chosen_role] if state == "soort" else taps:
            await user.choose_anywhere(stable(_stored(user), option))
        while state == "advies" and _stored(user).state == "check":
            await user.choose("ja")
        await rows_at(state)
        for _ in range(back):
            await user.send("/terug")
    assert _stored(user).state == "team_leeg"  # every answer went back, but the removal
    assert ran == _planned(role) and len(ran) == OVER_HTTP[role]
    assert bot_api.rejections == [] and bot_api.unanswered_callbacks() == []


# -- whole conversations typed as sentences, over HTTP (issue 19, part 1) --------------------
# (typed text, the state the conversation is in afterwards; None: any). The quick check's
# questions depend on the phase, so its answers are typed while the check lasts.
OWNER_TYPES: list[tuple[str, str | None]] = [
    ("ik ben de baas van een bakkerij", "soort"),
    ("we zijn een bakkerij", "s_toepassen"),  # the kind of work (issue 20)
    ("nee, niet echt", "s_actief"),
    ("ze doet wel een cursus", "uitslag"),
    ("ja klopt wel", "check"),
]
OWNER_CHECKS = ["nee het is hier erg druk", "ja hoor, dat gaat wel", "geen idee eigenlijk"]
OWNER_AFTER: list[tuple[str, str | None]] = [
    ("1", "uitleg"),
    ("ga maar terug", "advies"),
    ("herinnering", "herinnering"),
    ("over een maand", "herinnering"),  # asked back: 4 or 2 weeks
    ("1", "advies"),  # the first of the two asked: 4 weeks
    ("stuur mijn plan maar", "plan"),
]
LEAD_TYPES: list[tuple[str, str | None]] = [
    ("ik ben teamleider", "soort"),
    ("sla maar over", "s_toepassen"),
    ("ja hij gebruikt het dagelijks", "s_continu"),
    ("nee, dat moet ik hem vragen", "uitslag"),
    ("jep", "check"),
]
LEAD_CHECKS = ["zeker", "niet echt", "weet ik veel"]
LEAD_AFTER: list[tuple[str, str | None]] = [
    ("wat komt hierna", "volgende"),
    ("terug", "advies"),
    # The plan names a review date, so the reminder is asked right after it (issue 19).
    ("mag ik het actieplan", "herinnering"),
]


async def _typed_to_the_plan(
    user: User,
    intake: list[tuple[str, str | None]],
    checks: list[str],
    after: list[tuple[str, str | None]],
) -> Session:
    """Type a whole conversation, never tapping; every answer is understood (no refusal)."""
    refusals = set(load_bundle().dialog.understanding.refusals.values())
    await user.send("/start")
    for text, state in intake:
        reply = await _type(user, text)
        assert not any((reply.text or "").startswith(line) for line in refusals), text
        assert state is None or _stored(user).state == state, (text, _stored(user).state)
    answered = 0
    while _stored(user).state == "check":
        reply = await _type(user, checks[answered % len(checks)])
        assert not any((reply.text or "").startswith(line) for line in refusals)
        answered += 1
    assert _stored(user).state == "advies" and answered >= 1
    for text, state in after:
        reply = await _type(user, text)
        assert not any((reply.text or "").startswith(line) for line in refusals), text
        assert state is None or _stored(user).state == state, (text, _stored(user).state)
    await user.bot.wait_for(
        lambda: any(m.kind == "document" for m in user.messages()), what="the action plan"
    )
    return _stored(user)


async def test_a_bakery_owner_types_every_answer_to_the_plan(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    user = User(bot_process, 910)
    session = await _typed_to_the_plan(user, OWNER_TYPES, OWNER_CHECKS, OWNER_AFTER)
    assert session.role == "mkb" and session.phase == "actie"
    slot = session.current_slot()
    assert slot is not None and slot.review_weeks == 4, "over een maand: 4 weeks, asked back"
    assert bot_api.rejections == [] and bot_api.unanswered_callbacks() == []


async def test_a_team_leader_types_every_answer_to_the_plan(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    user = User(bot_process, 911)
    session = await _typed_to_the_plan(user, LEAD_TYPES, LEAD_CHECKS, LEAD_AFTER)
    assert session.role == "lijn" and session.phase == "toepassen"
    assert bot_api.rejections == [] and bot_api.unanswered_callbacks() == []
