"""The plan's review date and the reminder's are one date, on a working day (issue 19, part 3).

The plan said "Kijk op 3 januari 2027 terug" (a Sunday) while the reminder said "Op 4 januari 2027
vraag ik…". Both now come from `dialogs.civil.review_day`; and right after the plan the reminder
is asked at once, one tap away.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
import time_machine
from dialog_helpers import ROLE_PATH, TO_ADVICE, choose, drive, engine
from pypdf import PdfReader

from bot.artifacts import render
from dialogs.civil import AMSTERDAM
from locales import load_bundle

MOMENTS = [
    datetime(2026, 12, 6, 10, 0, tzinfo=UTC),  # Sunday: four weeks on is Sunday 3 January 2027
    datetime(2026, 12, 4, 16, 45, tzinfo=UTC),  # Friday 17:45 in Amsterdam, after hours
    datetime(2026, 3, 4, 11, 0, tzinfo=UTC),  # a Wednesday at noon
    datetime(2026, 11, 28, 23, 30, tzinfo=UTC),  # Sunday 0:30 in Amsterdam, Saturday in UTC
]


def _date_in(template: str, text: str) -> str:
    """The {date} of `template` as it stands in `text`."""
    pattern = re.escape(template).replace(r"\{date\}", r"(\d{1,2} \w+ \d{4})")
    pattern = re.sub(r"\\\{\w+\\\}", ".*?", pattern)
    found = re.search(pattern, text)
    assert found is not None, (template, text)
    return found.group(1)


@pytest.mark.parametrize("moment", MOMENTS, ids=lambda m: m.isoformat())
def test_plan_and_reminder_name_one_working_day(moment: datetime) -> None:
    words = load_bundle()
    with time_machine.travel(moment, tick=False):
        session = drive(*TO_ADVICE)
        replies = choose(session, "plan")
        assert replies[0].attachment == "action_plan"
        artifact = render("action_plan", session, engine())
        # One tap: the reminder is the question right after the plan.
        assert session.state == "herinnering"
        assert "w4" in {option.id for option in replies[-1].options}
        reminded = choose(session, "w4")
    text = " ".join(PdfReader(io.BytesIO(artifact.data)).pages[0].extract_text().split())
    on_plan = _date_in(words.artifacts.action_plan.check_in_line, text)
    caption = words.artifacts.action_plan.caption.replace("{check_in}", "{date}")
    in_caption = _date_in(caption, artifact.caption)
    said = _date_in(engine().texts.team.reminder_set, reminded[0].text)
    assert on_plan == said == in_caption
    slot = session.current_slot()
    assert slot is not None and slot.review_at is not None
    day = slot.review_at.astimezone(AMSTERDAM)
    assert day.weekday() < 5 and words.long_date(day.date()) == said


def test_a_plan_after_a_reminder_names_the_reminder_s_day() -> None:
    """A reminder in two weeks, then the plan: the plan's review is that day, and the plan does
    not ask about a reminder again."""
    words = load_bundle()
    with time_machine.travel(MOMENTS[2], tick=False):
        session = drive(*TO_ADVICE)
        said = _date_in(engine().texts.team.reminder_set, choose(session, "herinner", "w2")[0].text)
        choose(session, "plan")
        assert session.state == "plan"
        artifact = render("action_plan", session, engine())
    text = " ".join(PdfReader(io.BytesIO(artifact.data)).pages[0].extract_text().split())
    assert _date_in(words.artifacts.action_plan.check_in_line, text) == said


@pytest.mark.parametrize("role", ["zzp", "collega", "onderwijs"])
def test_a_reader_without_staff_is_not_asked_for_a_reminder(role: str) -> None:
    session = drive(*ROLE_PATH[role], "kies", "f3")
    while session.state == "check":
        choose(session, "ja")
    choose(session, "plan")
    assert session.state == "plan"
