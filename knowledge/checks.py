"""Checks that other packages register on the knowledge, run by `python -m knowledge check`.

The dialog is built on the knowledge (its flow names phases and layers), so a change to the
knowledge can break the dialog. The author should hear that from `check`, yet knowledge/ must
never import dialogs/ (the layering rule). So the dependency is inverted: a package registers a
function `check(knowledge: KnowledgeBase) -> list[str]` under the entry-point group
:data:`CHECK_GROUP` in its packaging metadata, and this module discovers and runs every one.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points
from typing import cast

from knowledge.base import KnowledgeBase

CHECK_GROUP = "leercultuur.knowledge_checks"

Check = Callable[[KnowledgeBase], list[str]]


def registered_checks() -> list[EntryPoint]:
    """The entry points of the group, by name, so that problems come out in a stable order."""
    return sorted(entry_points(group=CHECK_GROUP), key=lambda point: point.name)


def registered_problems(knowledge: KnowledgeBase) -> list[str]:
    """Every problem all registered checks find, each prefixed by the check's name.

    A check that cannot be loaded or that crashes is itself a problem, reported the same way:
    the author sees one list and never a traceback.
    """
    problems: list[str] = []
    for point in registered_checks():
        problems += [f"{point.name}: {problem}" for problem in _run(point, knowledge)]
    return problems


def _run(point: EntryPoint, knowledge: KnowledgeBase) -> list[str]:
    try:
        check = cast(Check, point.load())
        return list(check(knowledge))
    except Exception as error:  # a broken plugin must not hide the others' findings
        return [f"check {point.value} failed: {type(error).__name__}: {error}"]
