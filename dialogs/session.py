"""One chat's place in the dialog, as data that survives restarts.

Kept apart from the `transitions` machine on purpose: a pydantic model cannot itself be a
transitions model, and one shared machine serves every session. The session holds only option
ids and knowledge keys; never names, never free text about employees (privacy by design).
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1


def utc_now() -> datetime:
    return datetime.now(UTC)


class Answer(BaseModel):
    """One accepted answer: the step it answered and the option chosen there."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    step: str
    option: str


class Session(BaseModel):
    """The serialisable state of one conversation (JSON round trip without loss)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    schema_version: int = SCHEMA_VERSION
    # The language the conversation is held in (a `locales` bundle), so that every later reply,
    # picture and plan of this chat speaks it. Older records without it were all Dutch.
    language: str = "nl"
    state: str = "welkom"
    # Counts every handled step that changed the session; front ends tag buttons with it so that a
    # button from an older message can be told apart from one of the current step.
    turn: int = Field(default=0, ge=0, le=10**9)
    history: list[Answer] = Field(default_factory=list)
    role: str | None = None
    layers: list[str] = Field(default_factory=list)
    phase: str | None = None
    precondition_gaps: list[str] = Field(default_factory=list)
    advised: list[str] = Field(default_factory=list)
    # The quick-check questions (precondition check ids) chosen for this employee's phase, and how
    # many of them are answered; the gaps found so far are in `precondition_gaps`.
    checks: list[str] = Field(default_factory=list)
    check_index: int = Field(default=0, ge=0)
    # Preconditions whose check was answered "weet ik niet": a possible gap, worth checking.
    unsure_gaps: list[str] = Field(default_factory=list)
    # Which page of a long list of options is shown (0: the first); reset when the step changes.
    page: int = Field(default=0, ge=0, le=100)
    # Set while asking whether to wipe the answers: the role a deep link wanted ("" for none).
    confirm_restart: str | None = Field(default=None, max_length=16)
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)
