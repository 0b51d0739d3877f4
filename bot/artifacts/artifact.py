"""What a front end receives: a finished file with its caption, and what the renderers need.

Front ends (Telegram, console) only move bytes around; they never look inside. `EngineLike` names
the few things the renderers use from the dialog engine, so this package does not import the
engine's module and tests can pass any small object that offers them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from dialogs.advice import AdvicePlan
from dialogs.session import Session
from knowledge import KnowledgeBase


@dataclass(frozen=True)
class Artifact:
    """A rendered file: its name, content, the caption to send with it and its MIME type."""

    filename: str
    data: bytes
    caption: str
    mime: str

    def save(self, directory: Path) -> Path:
        """Write the file into `directory` (created if needed) and return its path.

        The console front end uses this to show a picture or plan without Telegram.
        """
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / self.filename
        target.write_bytes(self.data)
        return target


class EngineLike(Protocol):
    """The part of the dialog engine that the renderers read."""

    @property
    def knowledge(self) -> KnowledgeBase:
        """The maturity model."""
        ...

    def role_label(self, role_id: str) -> str:
        """The label of a role id from the session, in the engine's language."""
        ...

    def advice_plan(self, session: Session) -> AdvicePlan:
        """What the dialog advised this session (the plan prints exactly that); ValueError before
        the session has a role and a phase."""
        ...

    def reader(self, session: Session) -> str | None:
        """Who reads the session's texts (flow.yaml roles' `reader`); None before the role."""
        ...
