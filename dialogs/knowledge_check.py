"""The dialog's part of `python -m knowledge check`: does the flow fit this knowledge?

Registered in pyproject.toml under the entry-point group `leercultuur.knowledge_checks`, so that
the knowledge's tooling runs it without importing dialogs/ (knowledge never imports dialogs).
"""

from __future__ import annotations

from dialogs.engine import Engine
from dialogs.flow import FlowError
from knowledge import KnowledgeBase


def check(knowledge: KnowledgeBase) -> list[str]:
    """Every problem of the dialog built against `knowledge`; an empty list when it fits."""
    try:
        Engine.load(knowledge=knowledge)
    except FlowError as error:
        return list(error.errors)
    return []
