"""The dialog's part of `python -m knowledge check`: does the flow fit this knowledge?

Registered in pyproject.toml under the entry-point group `leercultuur.knowledge_checks`, so that
the knowledge's tooling runs it without importing dialogs/ (knowledge never imports dialogs).
"""

from __future__ import annotations

from dialogs.advice import help_referrals
from dialogs.engine import Engine
from dialogs.flow import Flow, FlowError
from knowledge import KnowledgeBase
from knowledge.readability import problems as readability_problems
from knowledge.schema import WORK_KINDS
from locales import Bundle, TextModel
from locales.model import prose


def check(knowledge: KnowledgeBase) -> list[str]:
    """Every problem of the dialog built against `knowledge`; an empty list when it fits.

    Besides the fit, every text a user reads in the engine's bundle (the dialog, Telegram, the
    console and the documents) keeps the same readability limits as the knowledge (no sentence
    over 25 words, about 15 on average).
    """
    try:
        engine = Engine.load(knowledge=knowledge)
    except FlowError as error:
        return list(error.errors)
    return readable_bundle(engine.bundle) + unreached_referrals(engine.flow, knowledge)


def unreached_referrals(flow: Flow, knowledge: KnowledgeBase) -> list[str]:
    """Every referral that no reader is ever shown under "Waar vind ik hulp?" (issue 20).

    Tried for every role, phase and kind of work (readers with staff are asked the kind; the
    others are not), with the same choice and limit the chat uses.
    """
    reached: set[str] = set()
    for role_id, role in flow.roles.items():
        kinds = [None, *WORK_KINDS] if flow.has_staff(role_id) else [None]
        for phase in knowledge.phases:
            for work in kinds:
                found = help_referrals(knowledge, role, phase.key, flow.advice.help, work)
                reached.update(item.id for item in found)
    return [
        f"referrals.yaml: {item.id}: no reader is ever shown it (check its scope)"
        for item in knowledge.referrals
        if item.id not in reached
    ]


def readable_bundle(bundle: Bundle) -> list[str]:
    """The readability problems of every file of a language's bundle, as `<file>: <path>: message`.

    Each file is one kind of text for the average: its texts are read in one place (the chat,
    the terminal, the PDF), so a file of short labels cannot hide the long sentences of another.
    """
    found: list[str] = []
    for file, texts in bundle.files():
        found += readable(texts, file)
    return found


def readable(texts: TextModel, file: str = "dialog.yaml") -> list[str]:
    """The readability problems of one text file's prose, as `<file>: <path>: message`.

    Only prose is measured (:func:`locales.model.prose`): command names, file names, format-only
    templates and lists of typed words are not sentences a user reads.
    """
    return readability_problems(file, ((f"{file}: {path}", text) for path, text in prose(texts)))
