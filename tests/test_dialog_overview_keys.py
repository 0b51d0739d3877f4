"""The first page of buttons under the advice holds what an owner acts on: the step to begin
with, the first warning of the quick check, the action plan and "Waar vind ik hulp?" (issue 20:
help one tap from the advice). The plan and help are on every page; the rest follows in order."""

from __future__ import annotations

import pytest
from dialog_helpers import PHASES, ROLES, advised, engine, pages_of

from dialogs.engine import PAGE_SIZE

# No warning, the most warnings, and mixed answers with "Weet ik niet" (unsure, shown as a warning).
ANSWERS = (("ja", "ja", "ja"), ("nee", "nee", "nee"), ("wn", "nee", "ja"), ("ja", "wn", "nee"))
PINNED = ["plan", "hulp"]


@pytest.mark.parametrize("role", sorted(ROLES))
def test_the_first_page_begins_with_the_first_step_a_warning_the_plan_and_help(role: str) -> None:
    tried = 0
    for number, _ in enumerate(PHASES, start=1):
        for answers in ANSWERS:
            session = advised(role, number, *answers)
            tried += 1
            everything = [o.id for o in engine().current_options(session)]
            warnings = [o for o in everything if o.startswith("w.")]
            book = pages_of(session)
            first = book[0]
            begin = engine().advice_plan(session).begin
            where = (role, number, answers)
            assert first[0] == f"i.{begin.id}", where
            # The first warning beside it (the others follow in order on the next pages).
            room = min(len(warnings), PAGE_SIZE - len(PINNED) - 1)
            assert first[1 : 1 + room] == warnings[:room], where
            # The plan and help one tap away, on the first page and on every other.
            assert all(page[-len(PINNED) :] == PINNED for page in book), where
            rest = [o for page in book for o in page if o not in PINNED]
            assert rest == [o for o in everything if o not in PINNED], where
    assert tried >= len(PHASES)
