"""End to end: what users send besides buttons, flood control, blocked users, and clean logs."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from conftest import FAKE_TOKEN
from fake_bot_api.harness import BotProcess, User, clean_environ
from fake_bot_api.server import FakeBotApi

from bot.persistence import SessionStore
from locales import load_bundle


async def test_media_edits_and_groups_get_a_friendly_line_and_change_nothing(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    texts = load_bundle().telegram
    user = User(bot_process, 401)
    await user.send("/start")
    await user.choose("hr")
    store = SessionStore(bot_process.data_dir)
    before = store.load("401")
    assert before is not None
    for kind in ("photo", "sticker", "voice", "document"):
        update = bot_api.send_media(401, kind)
        replies = await user.reply_after(update["message"]["message_id"])
        assert (replies[-1].text or "").startswith(texts.unsupported), kind
        assert replies[-1].buttons(), "the question of now comes back"
    typed = bot_api.send_text(401, "hallo")
    await user.reply_after(typed["message"]["message_id"])
    newest = user.messages()[-1].message_id
    bot_api.edit_text(401, typed["message"]["message_id"], "/terug")
    replies = await user.reply_after(newest)
    assert (replies[-1].text or "").startswith(texts.edited), "an edited command is not executed"
    assert [m for m in user.messages() if m.buttons()] == [replies[-1]], "one live question"
    after = store.load("401")
    assert after is not None and after.session == before.session

    group = User(bot_process, -5001)
    update = bot_api.send_text(-5001, "/start@leercultuur_test_bot")  # addressed to this bot
    replies = await group.reply_after(update["message"]["message_id"])
    assert replies[-1].text == texts.group.format(bot_link=": https://t.me/leercultuur_test_bot")
    assert not store.path_for("-5001").exists(), "nothing is stored for a group"
    assert bot_api.rejections == []


@pytest.mark.slow
async def test_flood_control_is_waited_out_and_nothing_is_lost(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    user = User(bot_process, 402)
    await user.send("/start")
    bot_api.fail_next("sendMessage", 1, retry_after=1)
    bot_api.fail_next("answerCallbackQuery", 1, retry_after=1)
    bot_api.fail_next("editMessageText", 1, retry_after=1)
    await user.choose("lijn")  # an intake tap: the question is edited in place
    edits = [p for m, p in bot_api.calls if m == "editMessageText" and p.get("chat_id") == 402]
    assert len(edits) >= 2, "the refused edit was retried"
    assert "geen" in user.options()  # the kind of work is asked next (issue 20)
    assert (user.question().text or "").startswith("✓ Leidinggevende of teamleider")
    await user.send("/help")  # a new message with buttons: its send is refused once, then sent
    sends = [p for m, p in bot_api.calls if m == "sendMessage" and p.get("chat_id") == 402]
    assert len(sends) >= 3, "the refused send was retried"
    assert bot_api.unanswered_callbacks() == [] and bot_api.rejections == []


async def test_a_blocked_user_is_marked_and_not_retried(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    user = User(bot_process, 403)
    await user.send("/start")
    store = SessionStore(bot_process.data_dir)
    bot_api.block(403)
    counted = ("sendMessage", "editMessageReplyMarkup")
    calls_before = sum(len(bot_api.method_calls(method)) for method in counted)
    bot_api.send_text(403, "/help")
    await bot_process.wait_for(
        lambda: (r := store.load("403")) is not None and r.blocked, what="blocked mark"
    )
    # The first call into the chat (taking the old buttons away) meets the 403: nothing more.
    attempts = sum(len(bot_api.method_calls(method)) for method in counted) - calls_before
    assert attempts == 1, "a 403 is not retried"
    bot_api.blocked.discard(403)  # the user unblocks and writes again
    await user.send("/start")
    record = store.load("403")
    assert record is not None and not record.blocked


async def test_logs_contain_neither_token_nor_message_texts(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    secret_text = "Mijn medewerker Jan Jansen wil niet leren"
    user = User(bot_process, 404)
    first = await user.send("/start")
    await user.say(secret_text)
    await user.choose("mkb")
    await user.choose("geen")  # the kind of work, skipped
    bot_api.fail_next("sendMessage", 1, retry_after=1)
    await user.choose("ja")
    await bot_process.stop()
    output = bot_process.output()
    assert output.strip(), "the bot does log (start-up, flood control)"
    assert FAKE_TOKEN not in output
    assert FAKE_TOKEN.split(":")[1] not in output
    assert secret_text not in output
    assert first.text is not None and first.text not in output


async def _run_bot(tmp_path: Path, *args: str, **env: str) -> tuple[int, str, str]:
    """Run `python -m bot` to completion without blocking the fake server's event loop."""
    clean = clean_environ()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=tmp_path,
        env={**clean, "BOT_DATA_DIR": str(tmp_path / "data"), **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


@pytest.mark.parametrize("token", ["", "not-a-token", "12345:short", "123456789:" + "ü" * 35])
async def test_missing_or_malformed_token_is_one_line(tmp_path: Path, token: str) -> None:
    code, out, err = await _run_bot(tmp_path, TELEGRAM_BOT_TOKEN=token)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "TELEGRAM_BOT_TOKEN" in lines[0]
    if token:
        assert token not in err


async def test_a_token_telegram_rejects_is_one_line(tmp_path: Path, bot_api: FakeBotApi) -> None:
    other = "987654321:" + "R" * 35
    code, out, err = await _run_bot(
        tmp_path, TELEGRAM_BOT_TOKEN=other, TELEGRAM_API_URL=bot_api.url
    )
    assert code == 2
    assert other not in out + err and "R" * 35 not in out + err
    assert err.strip().splitlines()[-1].startswith("leercultuur-coach: ")
    assert "Traceback" not in err


async def test_unknown_subcommand_shows_usage(tmp_path: Path) -> None:
    code, _, err = await _run_bot(tmp_path, "lanceer")
    assert code == 2 and "usage" in err


async def test_an_error_gets_an_apology_with_buttons_and_the_user_goes_on(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    texts = load_bundle().telegram
    user = User(bot_process, 405)
    await user.send("/start")
    # Telegram refuses the reply (a 400 is never retried): the handler fails after saving. The
    # in-place edit is refused too: the bot falls back to a new message, which fails.
    bot_api.fail_next("editMessageText", 1, code=400, description="Bad Request: injected failure")
    bot_api.fail_next("sendMessage", 1, code=400, description="Bad Request: injected failure")
    apology = await user.choose("dir")
    assert apology.text == texts.error
    assert "geen" in user.options(), "the buttons of the step the user is at"
    await user.choose("geen")
    await user.choose("ja")
    record = SessionStore(bot_process.data_dir).load("405")
    assert record is not None and record.session is not None
    assert [a.option for a in record.session.history] == ["dir", "geen", "ja"]
    await bot_process.stop()
    output = bot_process.output()
    assert "BadRequest" in output and "injected failure" in output.lower()
    assert "Wat is jouw rol" not in output


async def test_model_command_sends_the_picture(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    user = User(bot_process, 406)
    update = bot_api.send_text(406, "/model")
    replies = await user.reply_after(update["message"]["message_id"])
    assert replies[-1].kind == "photo" and replies[-1].file_data.startswith(b"\x89PNG")
    assert not SessionStore(bot_process.data_dir).path_for("406").exists()
