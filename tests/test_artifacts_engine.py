"""The renderers with the real dialog engine: the attachments of a real conversation."""

from __future__ import annotations

import io
import re
from datetime import date

from dialog_helpers import choose, engine, started
from PIL import Image
from pypdf import PdfReader

from bot.artifacts import EngineLike, render
from dialogs import Reply


def attachments(replies: list[Reply]) -> list[str]:
    return [reply.attachment for reply in replies if reply.attachment is not None]


def test_a_real_conversation_renders_its_picture_and_plan() -> None:
    real: EngineLike = engine()  # the engine satisfies the renderers' protocol (checked by mypy)
    kb = real.knowledge
    session = started()
    sent: list[str] = []
    for option in ["mkb", "geen", "nee", "ja", "ok", "nee", "ja", "ja", "ja"]:
        sent += attachments(choose(session, option))
    assert sent == ["model_picture"]
    assert session.phase is not None and session.advised

    picture = render("model_picture", session, real)
    assert Image.open(io.BytesIO(picture.data)).size[0] == 1080
    assert kb.phase(session.phase).label in picture.caption

    assert attachments(choose(session, "plan")) == ["action_plan"]
    plan = render("action_plan", session, real, date(2026, 2, 2))
    reader = PdfReader(io.BytesIO(plan.data))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    assert real.role_label("mkb") in text
    assert "2 maart 2026" in text  # four weeks after 2 February
    for intervention_id in session.advised:
        item = kb.intervention(intervention_id)
        assert re.sub(r"\s+", " ", item.first_step) in text
    assert len(reader.pages) <= 2
