"""The engine's side of typed sentences: the question as the reader needs it, and the words back.

Kept out of dialogs/engine.py so that the engine only decides what an understood answer does. The
roles a question can reach come from the flow: a role sits on the role question or one level
down, behind "Iets anders", and typing "zzp'er" at the first should take both steps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dialogs.events import Option
from dialogs.flow import Flow
from dialogs.lexicon import LazyLexicon, Lexicon
from dialogs.session import Session
from dialogs.understanding import Kind, Question, Reading, answer_options, read
from dialogs.yes_no import explicit, leaning
from locales import DialogTexts

__all__ = ["Kind", "TypedAnswers"]

SET_ROLE = "set_role"
# The refusal kind of the question "Opnieuw beginnen?" (no state of the flow).
RESTART_KIND = "restart"


class TypedAnswers:
    """Reads typed sentences for one engine (one flow, one language's texts)."""

    def __init__(self, flow: Flow, texts: DialogTexts, language: str) -> None:
        self._flow = flow
        self._texts = texts
        self._language = language
        self._lexicon_once = LazyLexicon(texts, language)
        self._roles = {name: self._reachable_roles(name) for name in flow.states}
        self._to_weeks = {name: self._reminder_option(name) for name in flow.states}

    @property
    def _lexicon(self) -> Lexicon:
        """The word lists, compiled on the first typed answer (see `LazyLexicon`)."""
        return self._lexicon_once.get()

    def read(
        self, session: Session, options: Sequence[Option], moves: Sequence[Option], text: str
    ) -> Reading:
        """What `text` means at the session's question, given the options on offer."""
        state = self._flow.states[session.state]
        fixed = {option.id for option in state.options}
        offered = {option.id for option in options}
        question = Question(
            state=session.state,
            options=tuple(options),
            picked=tuple(option for option in options if option.id not in fixed),
            moves=tuple(moves),
            roles={
                role: path
                for role, path in self._roles[session.state].items()
                if path[0].id in offered
            },
            weeks=self._weeks(offered),
            to_weeks=next((o for o in options if o.id == self._to_weeks[session.state]), None),
        )
        return read(self._lexicon, question, text)

    def yes_or_no(self, options: Sequence[Option], text: str) -> Option | None:
        """The yes or no a sentence gives to a question with buttons "ja" and "nee"."""
        sentence = self._lexicon.sentence(text)
        if not sentence:
            return None
        answer = explicit(self._lexicon, sentence[0]) or leaning(self._lexicon, "", sentence[0])
        meant = answer_options(self._lexicon, Question(state="", options=tuple(options)))
        return meant.get(answer) if answer is not None else None

    def refusal(self, state: str) -> str:
        """A line that says what kind of answer fits the question of `state`."""
        understanding = self._texts.understanding
        kind = understanding.kinds.get(state, "")
        return understanding.refusals.get(kind, self._texts.free_text)

    def restart_refusal(self) -> str:
        """The line for a typed answer to "Opnieuw beginnen?" that is neither yes nor no."""
        return self._texts.understanding.refusals.get(RESTART_KIND, self._texts.free_text)

    def ask_text(self, reading: Reading) -> str:
        """The question that asks a reading back, with {first} and {second}."""
        understanding = self._texts.understanding
        own = {
            Kind.BETWEEN: understanding.between_question,
            Kind.NEAREST: understanding.nearest,
            Kind.WHICH: understanding.which_word,
        }
        return own.get(reading.kind) or self._texts.ask_which

    def _weeks(self, offered: set[str]) -> Mapping[str, int]:
        weeks = self._flow.team.review_weeks
        return {key: value for key, value in weeks.items() if key in offered}

    def _reminder_option(self, name: str) -> str | None:
        """The option of state `name` that leads to a question of reminder spans, if any."""
        weeks = self._flow.team.review_weeks
        for option in self._flow.states[name].options:
            for target in option.targets:
                if any(inner.id in weeks for inner in self._flow.states[target.to].options):
                    return option.id
        return None

    def _option(self, state: str, option_id: str) -> Option:
        return Option(
            option_id,
            self._texts.option_label(state, option_id),
            self._texts.option_synonyms(state, option_id),
        )

    def _reachable_roles(self, name: str) -> dict[str, tuple[Option, ...]]:
        """Role id -> the options that choose it from state `name`: here, or one step down."""
        found: dict[str, tuple[Option, ...]] = {}
        state = self._flow.states[name]
        for option in state.options:
            if SET_ROLE in option.do:
                found[option.id] = (self._option(name, option.id),)
        for option in state.options:
            if option.do or option.action or option.next is None or option.when:
                continue
            for target in option.targets:
                for inner in self._flow.states[target.to].options:
                    if SET_ROLE in inner.do and inner.id not in found:
                        first = self._option(name, option.id)
                        found[inner.id] = (first, self._option(target.to, inner.id))
        return found
