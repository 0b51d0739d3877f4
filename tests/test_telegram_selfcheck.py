"""The whole self-check round over HTTP (issue 21): two users, two chats, the real bot process.

Advice for Medewerker A → the link → the employee's self-check → consent → the manager's view
side by side → taking over the phase → /team shows both; then the refusals (used, expired,
withdrawn, guessed, from a group, the manager's own link) and /vergeet on either side.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from fake_bot_api.harness import MORE, BotProcess, User, play_to_advice, running
from fake_bot_api.server import BOT_USERNAME, FakeBotApi
from test_telegram_checkins import clock_offset

from bot.invites import LIFETIME, Claim, InviteStore
from bot.persistence import SessionStore
from bot.persistence.records import ChatRecord, utc_now
from bot.scheduler import TEST_CLOCK_ENV
from bot.selfchecks import ADOPT, INVITE
from dialogs.engine import MAX_OPTIONS, NAV_BACK
from locales import load_bundle

TEXTS = load_bundle().selfcheck
MANAGER, EMPLOYEE, STRANGER, GROUP = 601, 602, 603, -100601


@pytest.fixture
async def bot(bot_api: FakeBotApi, tmp_path: Path) -> AsyncIterator[BotProcess]:
    """The bot with its clock on a working day at a civil hour: the message back goes at once."""
    clock = {TEST_CLOCK_ENV: clock_offset(utc_now())}
    async with running(BotProcess(bot_api, tmp_path, **clock)) as process:
        yield process


def stored(bot: BotProcess, chat: int) -> ChatRecord | None:
    return SessionStore(bot.data_dir).load(str(chat))


def texts_of(user: User) -> list[str]:
    """The words of each message: its text, or a picture's caption (a team's list rides there)."""
    return [message.text or message.caption or "" for message in user.messages()]


async def ask_employee_a(manager: User) -> str:
    """From the advice: /team, Medewerker A, "Vraag het je medewerker zelf"; the token."""
    await manager.send("/team")
    await manager.choose("s.A")
    return await invited(manager)


async def invited(manager: User) -> str:
    """Tap "Vraag het je medewerker zelf" on the question shown; the link's token."""
    assert INVITE in manager.options()
    await manager.choose(INVITE)

    def question_after_the_link() -> bool:
        texts = texts_of(manager)
        return "?start=" in "".join(texts[-2:-1]) and "?start=" not in texts[-1]

    # The invitation (with its own buttons), then the question again under it.
    await manager.bot.wait_for(question_after_the_link, what="the question under the link")
    invitation = next(
        message for message in reversed(manager.messages()) if "?start=" in (message.text or "")
    )
    link = next(word for word in (invitation.text or "").split() if "?start=" in word)
    assert link.startswith(f"https://t.me/{BOT_USERNAME}?start=")
    forward = [button for button in invitation.buttons() if "url" in button]
    assert forward and forward[0]["url"].startswith("https://t.me/share/url?")
    assert parse_qs(urlparse(forward[0]["url"]).query)["url"] == [link]
    return parse_qs(urlparse(link).query)["start"][0]


async def test_the_advice_offers_the_invitation_on_its_last_page(
    bot_api: FakeBotApi, bot: BotProcess
) -> None:
    """Right after the advice, without /team: "Meer opties" leads to the page with "Klaar",
    where the invitation is the last option; every page keeps five answers and "Terug"."""
    manager = User(bot, MANAGER)
    await manager.send("/start")
    await play_to_advice(manager, "mkb")
    first = manager.options()
    while INVITE not in manager.options():
        assert len([key for key in manager.options() if key != NAV_BACK]) <= MAX_OPTIONS
        await manager.choose(MORE)
        assert manager.options() != first, "round the advice without the invitation"
    answers = [key for key in manager.options() if key != NAV_BACK]
    assert "klaar" in answers and len(answers) <= MAX_OPTIONS
    token = await invited(manager)
    assert InviteStore(bot.data_dir).check(token, str(EMPLOYEE)) is Claim.OK
    assert bot_api.rejections == []


async def test_the_whole_round_between_two_chats(bot_api: FakeBotApi, bot: BotProcess) -> None:
    manager, employee = User(bot, MANAGER), User(bot, EMPLOYEE)
    await manager.send("/start")
    await play_to_advice(manager, "mkb")  # fase 5 for Medewerker A
    token = await ask_employee_a(manager)
    record = stored(bot, MANAGER)
    assert record is not None and token not in record.model_dump_json()

    welcome = await employee.send(f"/start {token}")
    assert TEXTS.welcome.splitlines()[0] in (welcome.text or "")
    for choice in ["z.go", "z.nee", "z.ja", "z.ja", "z.ja", "z.nee", "z.ja", "z.nee"]:
        await employee.choose(choice)
    consent = await employee.choose("z.next")
    shown = "fase 3; willen ja, weten ja, kunnen nee, durven ja, mogen nee"
    assert shown in (consent.text or "")
    await employee.tap_label(TEXTS.share)
    assert TEXTS.shared in texts_of(employee)

    def message_back() -> str | None:
        return next((text for text in texts_of(manager) if text.startswith("Jij: ")), None)

    back = await bot.wait_for(message_back, what="the message back to the manager")
    assert back.startswith("Jij: fase 5 · Medewerker A zelf: fase 3")
    assert TEXTS.manager.questions.mogen in back and str(EMPLOYEE) not in back
    assert f"{ADOPT}.A" in manager.options()
    await manager.choose(f"{ADOPT}.A")
    adopted = TEXTS.manager.adopted.format(letter="A", phase=3)
    assert any(text.startswith(adopted) for text in texts_of(manager))
    before = len(manager.messages())
    await manager.send("/team")
    team = "\n".join(texts_of(manager)[before:])
    assert "Medewerker A: fase 3" in team
    assert TEXTS.manager.team_line.format(letter="A", self="fase 3") in team
    assert sum(text.startswith("Jij: ") for text in texts_of(manager)) == 1, "told once"

    # Opened again by someone else: used. The employee's own chat resumes nothing shared twice.
    stranger = User(bot, STRANGER)
    said = await stranger.say(f"/start {token}")
    assert said[-1].text == TEXTS.refused.used
    assert stored(bot, STRANGER) is None

    # The employee's /vergeet takes the share away from the manager's side too.
    await employee.send("/vergeet")
    await employee.tap_label(load_bundle().telegram.forget.confirm)
    assert stored(bot, EMPLOYEE) is None

    def let_go() -> bool:
        record = stored(bot, MANAGER)
        slot = record.session.slot("A") if record and record.session else None
        return slot is not None and slot.shared is None

    await bot.wait_for(let_go, what="the manager's slot to let go of the share")
    assert bot_api.rejections == []


async def test_links_that_cannot_be_used_are_refused_kindly(
    bot_api: FakeBotApi, bot: BotProcess
) -> None:
    manager, employee = User(bot, MANAGER), User(bot, EMPLOYEE)
    await manager.send("/start")
    await play_to_advice(manager, "mkb")
    invites = InviteStore(bot.data_dir)
    expired = invites.create(str(MANAGER), "B", utc_now() - LIFETIME - timedelta(minutes=1))
    withdrawn = invites.create(str(MANAGER), "C")
    invites.withdraw(str(MANAGER), "C")
    for token, said in [
        (expired, TEXTS.refused.expired),
        (withdrawn, TEXTS.refused.withdrawn),
        ("x" * 32, TEXTS.refused.unknown),
        ("nothing-like-a-link", TEXTS.refused.unknown),
    ]:
        replies = await employee.say(f"/start {token}")
        assert replies[-1].text == said
    assert stored(bot, EMPLOYEE) is None, "a refusal stores nothing"

    token = await ask_employee_a(manager)
    own = await manager.say(f"/start {token}")
    assert any((message.text or "").startswith(TEXTS.refused.own) for message in own)
    bot_api.send_text(GROUP, f"/start {token}", user_id=EMPLOYEE)
    await bot.wait_for(bot.all_handled, what="the group's update handled")
    assert invites.check(token, str(EMPLOYEE)) is Claim.OK, "still unused"

    # The manager's /vergeet erases the link: it no longer opens anything.
    await manager.send("/vergeet")
    await manager.tap_label(load_bundle().telegram.forget.confirm)
    replies = await employee.say(f"/start {token}")
    assert replies[-1].text == TEXTS.refused.unknown
    assert bot_api.rejections == []
