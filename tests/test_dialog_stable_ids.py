"""Choices keep their meaning when the knowledge changes between two visits (issue 18, part 4).

A button still on screen, an answer in the history and the advice a user was given name the
things themselves (dialogs/choices.py), never a place in a list the knowledge may reorder: after an
author swaps two items or narrows a span, the same button opens the same intervention, /terug goes
where it went, and the stored advice is the one that was given.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from dialog_helpers import comparable, drive, engine
from knowledge_helpers import copy_of_knowledge

from dialogs import Command, Engine, Event, Session, choices
from dialogs.advice import advice_plan
from dialogs.choices import Kind
from knowledge.loader import load_from_yaml

# A team lead whose employee keeps choosing new learning (phase 5): the advice the issue saw.
TO_PHASE_5 = ["lijn", "geen", "ja", "ja", "ok", "ja", "ja", "ja", "ja"]
LAYER_FILE = Path("interventions") / "leidinggevende.yaml"
FIRST = "leidinggevende-klantbezoeken"
SUPPLIERS = "leidinggevende-leveranciers-uitnodigen"  # the second button of that advice
NEWCOMERS = "leidinggevende-kennis-nieuwe-medewerkers"  # the third


def _blocks(text: str) -> tuple[str, list[str]]:
    """The file's head and its interventions, one text block each (`  - id: ...` onwards)."""
    head, *items = text.split("\n  - id: ")
    return head, [f"\n  - id: {item}" for item in items]


def _block_of(blocks: list[str], item_id: str) -> int:
    return next(i for i, block in enumerate(blocks) if block.startswith(f"\n  - id: {item_id}\n"))


def swapped(data: Path, first: str, second: str) -> None:
    """Swap two interventions in their layer's file: the store ranks them the other way round."""
    path = data / LAYER_FILE
    head, blocks = _blocks(path.read_text(encoding="utf-8"))
    a, b = _block_of(blocks, first), _block_of(blocks, second)
    blocks[a], blocks[b] = blocks[b], blocks[a]
    path.write_text(head + "".join(blocks), encoding="utf-8")


def narrowed(data: Path, item_id: str) -> None:
    """Narrow an intervention's span from phase 5 to phase 4: it is no advice for phase 5."""
    path = data / LAYER_FILE
    head, blocks = _blocks(path.read_text(encoding="utf-8"))
    at = _block_of(blocks, item_id)
    assert "\n    phases: 5\n" in blocks[at]
    blocks[at] = blocks[at].replace("\n    phases: 5\n", "\n    phases: 4\n")
    path.write_text(head + "".join(blocks), encoding="utf-8")


def edited_engine(tmp_path: Path, edit: str) -> Engine:
    """The dialog on a copy of the knowledge with one author's edit (it loads: it is valid)."""
    data = copy_of_knowledge(tmp_path)
    if edit == "swapped":
        swapped(data, SUPPLIERS, NEWCOMERS)
    else:
        narrowed(data, FIRST)
    return Engine.load(knowledge=load_from_yaml(data))


def at_advice() -> tuple[Session, str]:
    """A session at the phase-5 advice, and the id on its second intervention's button."""
    session = drive(*TO_PHASE_5)
    items = [o.id for o in engine().shown_options(session) if o.id.startswith("i.")]
    assert session.advised[:3] == [FIRST, SUPPLIERS, NEWCOMERS]
    assert items[1] == choices.make(Kind.ITEM, SUPPLIERS)
    return session, items[1]


@pytest.mark.parametrize("edit", ["swapped", "narrowed"])
def test_a_visible_button_still_opens_the_same_intervention(tmp_path: Path, edit: str) -> None:
    session, button = at_advice()
    given, history = list(session.advised), list(session.history)
    edited = edited_engine(tmp_path, edit)
    # The edit does change what a new advice holds: a position would now name another item.
    fresh = advice_plan(edited.knowledge, edited.flow, "lijn", "continu").first
    assert [item.id for item in fresh][:3] != given[:3]

    replies = edited.handle(session, Event.option(button))
    suppliers = edited.knowledge.intervention(SUPPLIERS)
    assert session.state == "uitleg"
    assert replies[-1].text.startswith(suppliers.title)
    assert session.advised == given, "the stored advice is the one given"

    edited.handle(session, Event.command(Command.BACK))
    assert session.state == "advies" and session.history == history
    assert session.advised == given
    # The overview and its buttons still show the advice as it was given, in its order.
    shown = [o.id for o in edited.current_options(session) if o.id.startswith("i.")]
    assert shown[:3] == [choices.make(Kind.ITEM, item) for item in given[:3]]
    overview = edited._render.prompt(session)
    assert overview.index(edited.knowledge.intervention(FIRST).title) < overview.index(
        edited.knowledge.intervention(SUPPLIERS).title
    )


@pytest.mark.parametrize("edit", ["swapped", "narrowed"])
def test_back_goes_where_it_went_before_the_edit(tmp_path: Path, edit: str) -> None:
    session, button = at_advice()
    unchanged = session.model_copy(deep=True)
    edited = edited_engine(tmp_path, edit)
    for current, dialog in ((unchanged, engine()), (session, edited)):
        dialog.handle(current, Event.option(button))
        for _ in range(3):  # the detail, then the last two answers of the quick check
            dialog.handle(current, Event.command(Command.BACK))
    assert session.state == "check"
    assert comparable(session) == comparable(unchanged)


def test_a_choice_that_is_no_longer_on_offer_changes_nothing_and_says_so() -> None:
    session, _ = at_advice()
    gone = choices.make(Kind.ITEM, "leidinggevende-niet-meer-in-het-advies")
    before = session.model_dump_json()
    replies = engine().handle(session, Event.option(gone))
    assert session.model_dump_json() == before
    stale = engine().texts.stale_option
    assert replies[-1].text.startswith(stale)
    assert replies[-1].options == engine().shown_options(session)
    # An old position id is no choice at all: the plain "old button" note.
    replies = engine().handle(session, Event.option("i2"))
    assert session.model_dump_json() == before
    assert replies[-1].text.startswith(engine().texts.unknown_option)


def test_ids_are_made_and_read_by_one_module() -> None:
    made = choices.make(Kind.PHASE, "continu")
    assert made == "f.continu" and choices.parse(made) == choices.Choice(Kind.PHASE, "continu")
    assert choices.key_of("s.B", Kind.SLOT) == "B" and choices.key_of("s.B", Kind.ITEM) is None
    for not_a_pick in ("i2", "terug", "_terug", "x.abc", "i.", "i.-a", "i.a b", "i.a:b"):
        assert choices.parse(not_a_pick) is None, not_a_pick
    with pytest.raises(ValueError):
        choices.make(Kind.ITEM, "x" * (choices.MAX_KEY + 1))
    longest = max((item.id for item in engine().knowledge.interventions), key=len)
    assert len(f"{10**12 - 1}:{choices.make(Kind.ITEM, longest)}".encode()) <= 64
