"""The schema of `dialog.yaml`: every word the advisory dialog says, in one language.

Only the shape lives here; whether the texts fit the dialog's graph (a label for every option,
the right `{placeholders}` from locales/placeholders.yaml) is checked with the flow by
:func:`dialogs.checks.problems`.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from locales.model import ByReader, TextModel, as_read_by

Line = str


class RoleTexts(TextModel):
    label: Line = Field(min_length=2)
    note: Line | None = None  # shown once when the role is chosen, e.g. the honest note for zzp
    synonyms: list[Line] = Field(default_factory=list)  # other words for the role when typed


class StateTexts(TextModel):
    prompt: Line = Field(min_length=2)
    help: Line = Field(min_length=2)
    prompt_for: ByReader = Field(default_factory=dict)
    help_for: ByReader = Field(default_factory=dict)
    reason: Line | None = None  # staging: the answer's meaning in the result's "why"
    options: dict[str, Line] = Field(default_factory=dict)
    # Other words for an option of this state when typed, by option id (e.g. "ja" for "Klopt").
    synonyms: dict[str, list[Line]] = Field(default_factory=dict)

    def prompt_as(self, reader: str | None) -> str:
        return as_read_by(self.prompt, self.prompt_for, reader)

    def help_as(self, reader: str | None) -> str:
        return as_read_by(self.help, self.help_for, reader)


class SmallTalk(TextModel):
    """A friendly line for thanks and greetings typed where an answer was expected."""

    thanks: list[Line] = Field(min_length=1)
    thanks_reply: Line
    greetings: list[Line] = Field(min_length=1)
    greeting_reply: Line


class RestartTexts(TextModel):
    """Asking before answers are wiped by a restart."""

    question: Line
    kept: Line  # the answer to "no": the conversation goes on


class NavigationTexts(TextModel):
    """Buttons that move within the dialog rather than answer: back, and the next page."""

    back: Line = Field(min_length=1, max_length=30)
    back_synonyms: list[Line] = Field(default_factory=list)
    more: Line = Field(min_length=1, max_length=30)
    more_synonyms: list[Line] = Field(default_factory=list)
    trail: Line  # the answers so far above an intake question, e.g. "✓ {answers}"
    trail_separator: str


class ResultTexts(TextModel):
    heading: Line
    because: Line
    reason: Line
    uncertain: Line
    picked: Line
    phase_option: Line
    short: Line  # the result's question alone, for a re-prompt
    uncertain_for: ByReader = Field(default_factory=dict)
    short_for: ByReader = Field(default_factory=dict)
    # What to focus on in this phase (the phase's `manager_focus`), for readers with staff.
    focus: Line

    def uncertain_as(self, reader: str | None) -> str:
        return as_read_by(self.uncertain, self.uncertain_for, reader)

    def short_as(self, reader: str | None) -> str:
        return as_read_by(self.short, self.short_for, reader)


class AdviceTexts(TextModel):
    """The advice: the overview, a detail view, "Meer", the next phase and the blind spots."""

    phase_line: dict[str, Line]  # by reader (flow.yaml roles' `reader`)
    # The report's vision (the worker's own direction; willen, weten, kunnen, durven, mogen), by
    # reader: one line under the phase that says why the first step starts with the worker.
    vision: dict[str, Line] = Field(default_factory=dict)
    few: Line
    begin: Line
    begin_item: Line
    others: Line
    bullet: Line
    warnings: Line
    warning_option: Line
    # A precondition answered "weet ik niet": a possible gap, to check.
    unsure_bullet: Line
    unsure_option: Line
    unsure_detail: Line
    # The heading over what a detail takes from the report (its name, phase and evidence mark),
    # apart from the first step, which is the coach's own tip.
    report_part: Line
    evidence_yes: Line
    evidence_no: Line
    first_step: Line
    span_all: Line
    span_one: Line
    span_two: Line  # two phases next to each other: "fase 2 en 3"
    span_many: Line
    via: dict[str, Line]  # by layer key: where in the model an intervention works
    via_own: Line  # the reader's own layer: "via HR, dus via jou" (an owner is HR too)
    report_name: Line
    report_name_reconstructed: Line  # the report's name, completed by us (cut off there)
    report_fragment: Line
    word: Line
    # The button under a detail that explains a difficult word in it; the short form when the
    # first does not fit a button.
    term_option: Line
    term_option_short: Line
    warning_detail: Line
    more_heading: Line
    next_phase: Line
    next_helps: Line
    next_same: Line
    last_phase: Line
    blind_spots_heading: Line
    blind_spot: Line


class TeamTexts(TextModel):
    """The team of employees, the check-in and the review date."""

    heading: Line
    empty: Line
    slot_line: Line
    review_line: Line
    helps_most: Line
    helps_item: Line
    slot_heading: Line
    slot_path: Line
    steps_heading: Line
    step_line: Line
    status: dict[str, Line]
    new_slot: Line
    removed: Line
    org_reuse: Line
    reminder_set: Line
    reminder_none: Line
    checkin_heading: Line
    checkin_step: Line
    moved_up: Line
    top_phase: Line
    obstacle: Line
    no_obstacle: Line
    other_step: Line
    no_other_step: Line
    # /team for a reader without staff: one friendly line before the current question.
    no_staff: Line


class UnderstandingTexts(TextModel):
    """How a whole typed sentence is read (dialogs/understanding.py): word lists, not code.

    People answer in sentences ("nee, niet echt", "ik ben de baas van een bakkerij"); the words
    that carry the answer differ per language, so they live with the other texts. Every list is
    compared after folding case and accents and after lemmatising (dialogs/words.py), so a word is
    written once in its plain form ("cursus" also finds "cursussen"). Empty lists: whole-text
    matching only, as before.
    """

    # Mappings of option ids and numbers, not text a reader sees.
    not_prose: ClassVar[frozenset[str]] = frozenset({"answers_at", "kinds"})

    # The first clause ends at a comma or full stop, and at these words.
    clause_breaks: list[str] = Field(default_factory=list)
    # Words that say nothing about the answer ("ik", "wel", "graag"): left out when a sentence is
    # compared with a button's words.
    fillers: list[str] = Field(default_factory=list)
    # Answer words for yes (ja), no (nee) and "I don't know" (wn), anywhere in the first clause.
    answers: dict[str, list[str]] = Field(default_factory=dict)
    # Words that make a sentence a no ("niet echt", "niks"), or a yes word a no ("klopt niet").
    negations: list[str] = Field(default_factory=list)
    # Hedges: the answer lies between yes and no ("wel een beetje"): asked back.
    between: list[str] = Field(default_factory=list)
    # Per yes/no question: words that mean yes or no there ("cursus" at "actief aan het leren?").
    content: dict[str, dict[str, list[str]]] = Field(default_factory=dict)
    # Per question whose buttons are not called ja/nee/wn: which option an answer means
    # (`between` too, where a button says it, like "Bezig").
    answers_at: dict[str, dict[str, str]] = Field(default_factory=dict)
    # Per role id: words that name it in a sentence ("bakkerij", "kapsalon" for an owner).
    roles: dict[str, list[str]] = Field(default_factory=dict)
    # Words before a role word that make it someone else's role ("mijn medewerker").
    others: list[str] = Field(default_factory=list)
    # Weaker words for a role, counted only when no role word is found ("bakkerij": an owner,
    # unless the sentence also says "teamleider").
    role_hints: dict[str, list[str]] = Field(default_factory=dict)
    # Phrases that open the question's first extra button, e.g. the difficult word under a detail
    # ("wat betekent dat"), by state.
    explain: dict[str, list[str]] = Field(default_factory=dict)
    # Phrases that ask to start again (asked first, as /opnieuw).
    restart: list[str] = Field(default_factory=list)
    # A duration typed for a reminder: number words and units in weeks.
    numbers: dict[str, int] = Field(default_factory=dict)
    units: dict[str, float] = Field(default_factory=dict)
    # The kind of answer each question wants (a key of `refusals`), by state.
    kinds: dict[str, str] = Field(default_factory=dict)
    # A refusal that helps: what kind of answer fits, by kind.
    refusals: dict[str, Line] = Field(default_factory=dict)
    # An answer between two buttons, asked back with those two.
    between_question: Line = ""
    # A duration that is not on offer, asked back with the two nearest.
    nearest: Line = ""
    # "wat betekent dat" under a detail with several difficult words: asked with all of them.
    which_word: Line = ""


class HelpViewTexts(TextModel):
    """Issue 20: "Waar vind ik hulp?" under the advice, and what a phase looks like."""

    heading: Line
    item: Line  # one network: {name}, {what}, {ask}
    no_work: Line  # the kind of work was skipped: its own networks are not shown
    signals_heading: Line  # {number}, {label}
    signal: Line  # one signal: {signal}


class DialogTexts(TextModel):
    """The dialog's wording in one language."""

    welcome: Line
    progress: Line
    free_text: Line
    unknown_option: Line
    # A tapped pick that is no longer on offer: the advice or the knowledge changed since.
    stale_option: Line
    went_back: Line
    back_at_start: Line
    # /terug on an answer kept from before snapshots (an older record): it cannot be undone.
    cannot_undo: Line
    lost: Line
    resumed: Line
    help_footer: Line
    ask_which: Line  # a typed answer close to two options: "Bedoel je {first} of {second}?"
    # The texts of the flow's options, roles and states, by their ids.
    labels: dict[str, Line]
    # Other words for a shared label when typed, by option id (ja: [j, jawel, ...]).
    synonyms: dict[str, list[Line]] = Field(default_factory=dict)
    roles: dict[str, RoleTexts]
    states: dict[str, StateTexts]
    small_talk: SmallTalk
    restart: RestartTexts
    navigation: NavigationTexts
    result: ResultTexts
    checks_intro: Line
    model_caption: Line
    model_caption_for: ByReader = Field(default_factory=dict)
    plan_caption: Line
    advice: AdviceTexts
    team: TeamTexts
    understanding: UnderstandingTexts = Field(default_factory=UnderstandingTexts)
    help_view: HelpViewTexts

    def model_caption_as(self, reader: str | None) -> str:
        return as_read_by(self.model_caption, self.model_caption_for, reader)

    def option_label(self, state: str, option_id: str) -> str:
        """A fixed option's label: the state's own wording, else a shared label, else a role."""
        own = self.states[state].options.get(option_id)
        if own is not None:
            return own
        if option_id in self.labels:
            return self.labels[option_id]
        return self.roles[option_id].label

    def option_synonyms(self, state: str, option_id: str) -> tuple[str, ...]:
        """Other words for a fixed option: the state's own, else the shared label's or role's.

        A state that words an option its own way ("Ja, gebruik ze") without own synonyms has
        none: the shared label's synonyms may not fit its wording.
        """
        own = self.states[state].synonyms.get(option_id)
        if own is not None:
            return tuple(own)
        if option_id in self.states[state].options:
            return ()
        if option_id in self.labels:
            return tuple(self.synonyms.get(option_id, ()))
        role = self.roles.get(option_id)
        return tuple(role.synonyms) if role is not None else ()
