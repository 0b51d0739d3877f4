"""The dialog's part of `python -m knowledge check`: does the flow fit this knowledge?

Registered in pyproject.toml under the entry-point group `leercultuur.knowledge_checks`, so that
the knowledge's tooling runs it without importing dialogs/ (knowledge never imports dialogs).
"""

from __future__ import annotations

from dialogs.checks import strings
from dialogs.engine import Engine
from dialogs.flow import FlowError
from knowledge import KnowledgeBase
from knowledge.readability import problems as readability_problems
from locales import DialogTexts


def check(knowledge: KnowledgeBase) -> list[str]:
    """Every problem of the dialog built against `knowledge`; an empty list when it fits.

    Besides the fit, the dialog's own user texts keep the same readability limits as the
    knowledge (no sentence over 25 words, about 15 on average).
    """
    try:
        engine = Engine.load(knowledge=knowledge)
    except FlowError as error:
        return list(error.errors)
    return readable(engine.texts)


def readable(texts: DialogTexts) -> list[str]:
    """The readability problems of the dialog's texts, as `dialog.yaml: <path>: message`."""
    return readability_problems(
        "dialog texts", ((f"dialog.yaml: {path}", text) for path, text in strings(texts, ""))
    )
