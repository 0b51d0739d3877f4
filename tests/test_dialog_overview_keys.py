"""The first page of buttons under the advice holds what matters most: the step to begin with
and every warning of the quick check; the action plan is at most one "Meer opties" away."""

from __future__ import annotations

import pytest
from dialog_helpers import PHASES, ROLES, advised, engine, pages_of

from dialogs.engine import PAGE_SIZE

# No warning, the most warnings, and mixed answers with "Weet ik niet" (unsure, shown as a warning).
ANSWERS = (("ja", "ja", "ja"), ("nee", "nee", "nee"), ("wn", "nee", "ja"), ("ja", "wn", "nee"))


@pytest.mark.parametrize("role", sorted(ROLES))
def test_the_first_page_begins_with_the_first_step_and_every_warning(role: str) -> None:
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
            assert first[0] == f"i.{begin.id}", (role, number, answers)
            # Every warning fits beside the first step, unless there are more than a page holds.
            assert first[1 : 1 + len(warnings)] == warnings[: PAGE_SIZE - 1], (
                role,
                number,
                answers,
            )
            # Four warnings (all four conditions are asked, issue 20) push the plan one page on.
            within = 2 if len(warnings) < len(engine().knowledge.preconditions) else 3
            assert any("plan" in page for page in book[:within]), (role, number, answers)
    assert tried >= len(PHASES)
