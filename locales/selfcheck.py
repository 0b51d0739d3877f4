"""The schema of `selfcheck.yaml`: the employee's self-check and what its manager sees of it.

Why a file of its own: these texts speak to two people. The employee's part speaks to the
employee in the "ik/je" form and never names "de medewerker"; the manager's part (`manager`)
speaks to whoever sent the link. Keeping them apart from the adviesgesprek's texts keeps that
line visible to an author.
"""

from __future__ import annotations

from locales.model import TextModel


class Five(TextModel):
    """One text per W of the report (Willen, Weten, Kunnen, Durven, Mogen)."""

    willen: str
    weten: str
    kunnen: str
    durven: str
    mogen: str


class AnswerWords(TextModel):
    """The buttons (and the words in a summary) for yes, no and "weet ik niet"."""

    ja: str
    nee: str
    wn: str


class Refusals(TextModel):
    """A link that cannot be used: said kindly, and nothing changes."""

    used: str
    expired: str
    withdrawn: str
    unknown: str
    own: str


class EmployeePrivacy(TextModel):
    """What /privacy shows an employee of their own self-check."""

    general: str
    answers: str
    shared: str
    not_shared: str
    forget: str


class ManagerTexts(TextModel):
    """The manager's side: the invitation, the link, and the two views side by side."""

    ask: str
    explain: str
    share_text: str
    share_button: str
    withdraw: str
    withdrawn: str
    side_by_side: str
    no_own: str
    same: str
    questions_heading: str
    questions: Five
    phase_question: str
    adopt: str
    adopted: str
    team_line: str
    stored: str
    invited: str
    phase: str
    go_on: str


class SelfCheckTexts(TextModel):
    """Every word of the self-check, for the employee and for the manager who asked."""

    welcome: str
    start: str
    decline: str
    declined: str
    answers: AnswerWords
    staging: dict[str, str]
    five: Five
    names: Five
    result: str
    next: str
    # An employee's own first step, by intervention id, where the knowledge's words for a
    # colleague speak about someone else.
    own_steps: dict[str, str]
    consent: str
    summary: str
    summary_answer: str
    share: str
    keep: str
    shared: str
    not_shared: str
    share_later: str
    dropped: str
    help: str
    not_understood: str
    refused: Refusals
    privacy: EmployeePrivacy
    manager: ManagerTexts
