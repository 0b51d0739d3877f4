"""Checks that the word lists of `understanding` (dialog.yaml) fit the flow they are read in.

The lists name states, option ids and roles of dialogs/data/flow.yaml: a renamed option or a new
question would otherwise go unnoticed until someone types at it and is refused. Run at load (the
engine refuses a bundle with problems) and by `python -m knowledge check`.
"""

from __future__ import annotations

from dialogs.flow import Flow
from dialogs.lexicon import BETWEEN, EVERY_QUESTION, NO, UNSURE, YES
from locales import DialogTexts

ANSWERS = {YES, NO, UNSURE}


def understanding_mismatch(flow: Flow, texts: DialogTexts) -> list[str]:
    """Every name in `understanding` that the flow does not have."""
    return [*_kinds(flow, texts), *_answers_at(flow, texts), *_lists(flow, texts)]


def _kinds(flow: Flow, texts: DialogTexts) -> list[str]:
    """Every kind named has a refusal line, for a step of the flow.

    A step without a kind is no error here (its refusal is the generic line, so a new step
    works at once); tests/test_dialog_sentences.py asks for a kind at every step.
    """
    understanding = texts.understanding
    found: list[str] = []
    for name, kind in understanding.kinds.items():
        if name not in flow.states:
            found.append(f"understanding.kinds.{name}: not a step of the dialog")
        if kind not in understanding.refusals:
            found.append(f"understanding.kinds.{name}: no refusal for kind {kind!r}")
    return found


def _answers_at(flow: Flow, texts: DialogTexts) -> list[str]:
    found: list[str] = []
    for name, meant in texts.understanding.answers_at.items():
        if name not in flow.states:
            found.append(f"understanding.answers_at.{name}: not a step of the dialog")
            continue
        offered = {option.id for option in flow.states[name].options}
        for answer, option in meant.items():
            if answer not in ANSWERS | {BETWEEN}:
                found.append(f"understanding.answers_at.{name}.{answer}: not an answer")
            if option not in offered:
                found.append(f"understanding.answers_at.{name}.{answer}: no option {option!r}")
    return found


def _lists(flow: Flow, texts: DialogTexts) -> list[str]:
    understanding = texts.understanding
    found = [
        f"understanding.answers.{key}: not an answer"
        for key in understanding.answers
        if key not in ANSWERS
    ]
    for name, lists in understanding.content.items():
        if name != EVERY_QUESTION and name not in flow.states:
            found.append(f"understanding.content.{name}: not a step of the dialog")
        found += [
            f"understanding.content.{name}.{key}: not yes or no"
            for key in lists
            if key not in (YES, NO)
        ]
    for field in ("roles", "role_hints"):
        found += [
            f"understanding.{field}.{role}: not a role"
            for role in getattr(understanding, field)
            if role not in flow.roles
        ]
    found += [
        f"understanding.explain.{name}: not a step of the dialog"
        for name in understanding.explain
        if name not in flow.states
    ]
    return found
