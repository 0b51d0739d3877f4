"""Over Telegram, through the test Bot API server: the model arrives as a photo and the action plan
as a PDF document, with the captions the renderers wrote."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import date, timedelta
from functools import partial
from pathlib import Path

import pytest
from conftest import FAKE_TOKEN
from fake_bot_api.server import BotMessage, FakeBotApi
from PIL import Image
from pypdf import PdfReader
from telegram.ext import Application

from bot.settings import Settings
from bot.telegram.app import ALLOWED_UPDATES, build_application
from bot.telegram.callbacks import decode
from dialogs import Engine
from locales import load_bundle

CHAT = 4242
# The MKB owner (no HR) whose employee is actively learning, then "Stuur mijn actieplan".
TO_DIAGNOSIS = ["mkb", "geen", "nee", "ja", "ok"]
TO_ADVICE = ["nee", "ja", "ja", "ja"]  # four questions: room to fail (a gap), then the rest


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


@pytest.fixture
async def running_bot(
    bot_api: FakeBotApi, engine: Engine, tmp_path: Path
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    settings = Settings(
        telegram_bot_token=FAKE_TOKEN,
        telegram_api_url=bot_api.url,
        bot_data_dir=tmp_path,
        bot_poll_timeout=1,
    )
    app = build_application(settings, engine)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=1, allowed_updates=ALLOWED_UPDATES)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


class User:
    """Taps the current step's buttons, by option id, as a person in the chat would."""

    def __init__(self, bot_api: FakeBotApi) -> None:
        self.api = bot_api
        self.turn = -1

    def _button(self, choice: str) -> tuple[BotMessage, str, int] | None:
        for message in reversed(self.api.chat(CHAT)):
            for button in message.buttons():
                data = decode(str(button.get("callback_data")))
                if data and data.choice == choice and data.turn > self.turn:
                    return message, str(button["callback_data"]), data.turn
        return None

    async def choose(self, *choices: str) -> None:
        for choice in choices:
            found: tuple[BotMessage, str, int] = await self.api.wait_for(
                partial(self._button, choice), timeout=30, what=f"button {choice}"
            )
            message, data, self.turn = found
            self.api.tap(CHAT, message.message_id, data=data)

    def _live(self) -> BotMessage | None:
        """The newest question with buttons of a turn after the last tap."""
        message = self.api.last_with_buttons(CHAT)
        if message is None:
            return None
        data = decode(str(message.buttons()[0].get("callback_data")))
        return message if data is not None and data.turn > self.turn else None

    async def choose_anywhere(self, choice: str) -> None:
        """Tap `choice`, paging with "Meer opties" until the question shows it."""
        for _ in range(10):
            message: BotMessage = await self.api.wait_for(
                self._live, timeout=30, what="the next question"
            )
            wanted = choice if self._button(choice) is not None else "_meer"
            await self.choose(wanted)
            if wanted == choice:
                return
            assert message.buttons(), "paged"
        raise AssertionError(f"{choice} on no page")

    async def next_file(self, kind: str, seen: int) -> BotMessage:
        def find() -> BotMessage | None:
            files = [m for m in self.api.chat(CHAT) if m.kind == kind]
            return files[seen] if len(files) > seen else None

        found: BotMessage = await self.api.wait_for(find, timeout=30, what=f"{kind} #{seen + 1}")
        return found


async def test_model_photo_and_plan_document_arrive(
    bot_api: FakeBotApi,
    running_bot: Application,  # type: ignore[type-arg]
    engine: Engine,
) -> None:
    kb = engine.knowledge
    bundle = load_bundle()
    texts = bundle.artifacts
    user = User(bot_api)

    # /model before any diagnosis: the plain model.
    bot_api.send_text(CHAT, "/model")
    plain = await user.next_file("photo", 0)
    assert plain.caption == texts.model_picture.caption_plain
    assert Image.open(io.BytesIO(plain.file_data)).format == "PNG"

    bot_api.send_text(CHAT, "/start")
    await user.choose(*TO_DIAGNOSIS)
    photo = await user.next_file("photo", 1)
    image = Image.open(io.BytesIO(photo.file_data))
    assert (image.format, image.width) == ("PNG", 1080)
    assert photo.caption is not None
    assert kb.phase("actie").label in photo.caption
    for layer in ("taken", "hr", "leidinggevende", "directie"):
        assert kb.layer(layer).label in photo.caption
    assert photo.file_data != plain.file_data

    await user.choose(*TO_ADVICE)
    await user.choose_anywhere("plan")
    document = await user.next_file("document", 0)
    assert document.file_name is not None and document.file_name.endswith(".pdf")
    assert document.file_data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(document.file_data))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert kb.phase("actie").label in text
    assert engine.role_label("mkb") in text
    check_ins = {
        bundle.long_date(day + timedelta(weeks=4))
        for day in (date.today(), date.today() + timedelta(days=1))
    }
    # The dialog's intro leads the caption (one message, not a text and a file), the plan's own
    # caption after it.
    intro = bundle.dialog.plan_caption
    assert document.caption in {
        f"{intro}\n\n{texts.action_plan.caption.format(check_in=day)}" for day in check_ins
    }

    # /model after the diagnosis: the highlighted model again, straight from the cache.
    bot_api.send_text(CHAT, "/model")
    again = await user.next_file("photo", 2)
    assert again.file_data == photo.file_data
    assert photo.caption.endswith(f"\n\n{again.caption}"), "after the dialog's intro"
    assert bot_api.rejections == []
