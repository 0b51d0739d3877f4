"""What a typed sentence means at one question: a button, two it could mean, or nothing.

:mod:`dialogs.matching` reads a typed word or label as a whole ("ja", "leidinggevnde"). People
also type sentences: "nee, niet echt", "ik ben de baas van een bakkerij", "stuur mijn plan maar",
"over een maand". This module reads those, for Telegram and the console alike, from the word
lists in the texts (`understanding` in dialog.yaml; compiled by :mod:`dialogs.lexicon`). It only
reads: the engine decides what an answer does.

The readings, from the most to the least explicit: a role named in the sentence, a duration for a
reminder, a phrase that opens the question's first extra button (a difficult word), an answer word
in the first clause, the words of a button, a hedge, a negation or a content word, and last a wish
to start again. The first one that finds something decides; a reading that finds two equally good
buttons asks back instead of guessing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum

from dialogs.events import Option
from dialogs.lexicon import BETWEEN, NO, UNSURE, YES, Lexicon, Sentence
from dialogs.names import by_words
from dialogs.typed_values import best_roles, duration_options, weeks_in
from dialogs.words import is_word, words
from dialogs.yes_no import explicit, hedged, leaning


class Kind(Enum):
    """How the engine answers a reading."""

    ACCEPT = "accept"  # choose `path` in order, like taps
    ASK = "ask"  # "Bedoel je A of B?" with the two `candidates`
    BETWEEN = "between"  # a hedge: asked back with yes and no
    NEAREST = "nearest"  # a duration not on offer: asked back with the two nearest
    WHICH = "which"  # "wat betekent dat" under more than one difficult word: all of them
    RESTART = "restart"  # start again (asked first, as /opnieuw)
    NONE = "none"  # not understood: a refusal that says what fits


@dataclass(frozen=True)
class Question:
    """What the engine offers now, as far as reading a sentence needs it."""

    state: str
    options: tuple[Option, ...]  # every option the step accepts, pick lists first
    picked: tuple[Option, ...] = ()  # the step's pick list (titles, terms, phases, employees)
    moves: tuple[Option, ...] = ()  # back and the next page, where offered
    # Role id -> the options that choose it from here, in order (one level down too).
    roles: Mapping[str, tuple[Option, ...]] = field(default_factory=dict)
    weeks: Mapping[str, int] = field(default_factory=dict)  # reminder option id -> weeks
    # The option that leads to a question with `weeks` ("Herinnering instellen"), where offered.
    to_weeks: Option | None = None


@dataclass(frozen=True)
class Reading:
    """What a sentence means at a question."""

    kind: Kind = Kind.NONE
    path: tuple[Option, ...] = ()
    candidates: tuple[Option, ...] = ()
    # After `path`, read the same text again at the question it led to ("over een maand" at
    # the advice: to the reminder question, then its nearest offers).
    again: bool = False

    @classmethod
    def accept(cls, *path: Option) -> Reading:
        return cls(Kind.ACCEPT, path=path)

    @classmethod
    def ask(cls, first: Option, second: Option, kind: Kind = Kind.ASK) -> Reading:
        return cls(kind, candidates=(first, second))


NOTHING = Reading()


def read(lexicon: Lexicon, question: Question, text: str) -> Reading:
    """The meaning of `text` at `question`; NOTHING when no reading finds one."""
    sentence = lexicon.sentence(text)
    if not sentence:
        return NOTHING
    for reader in (
        _role,
        _duration,
        _explain,
        _answer_word,
        _hedge,
        _numbered,
        _button_words,
        _leaning,
        _restart,
    ):
        reading = reader(lexicon, question, sentence)
        if reading is not None:
            return reading
    return NOTHING


def answer_options(lexicon: Lexicon, question: Question) -> dict[str, Option]:
    """The options a yes/no question's answers mean: the texts say so, else the ids ja/nee/wn."""
    by_id = {option.id: option for option in question.options}
    named = lexicon.answers_at.get(question.state)
    if named is None:
        named = {key: key for key in (YES, NO, UNSURE) if key in by_id}
    return {answer: by_id[option] for answer, option in named.items() if option in by_id}


def _as_answer(lexicon: Lexicon, question: Question, answer: str | None) -> Reading | None:
    """An answer (yes, no, don't know, in between) as the option it means here."""
    if answer is None:
        return None
    meant = answer_options(lexicon, question)
    if answer in meant:
        return Reading.accept(meant[answer])
    if answer == BETWEEN and YES in meant and NO in meant:
        return Reading.ask(meant[YES], meant[NO], Kind.BETWEEN)
    return None


def _answer_word(lexicon: Lexicon, question: Question, sentence: Sentence) -> Reading | None:
    """An answer word in the first clause; "geen idee" where not knowing is no button: refused
    (a negation further on must not turn it into a no)."""
    answer = explicit(lexicon, sentence[0])
    reading = _as_answer(lexicon, question, answer)
    if reading is None and answer == UNSURE and answer_options(lexicon, question):
        return NOTHING
    return reading


def _hedge(lexicon: Lexicon, question: Question, sentence: Sentence) -> Reading | None:
    """ "wel een beetje", "niet helemaal": between yes and no (before "niet" names a button)."""
    if not answer_options(lexicon, question) or not hedged(lexicon, sentence[0]):
        return None
    return _as_answer(lexicon, question, BETWEEN)


def _leaning(lexicon: Lexicon, question: Question, sentence: Sentence) -> Reading | None:
    if not answer_options(lexicon, question):
        return None
    return _as_answer(lexicon, question, leaning(lexicon, question.state, sentence[0]))


def _numbered(lexicon: Lexicon, question: Question, sentence: Sentence) -> Reading | None:
    """One number in a sentence ("fase 3", "medewerker 2") names the option numbered so."""
    numbers = [word.text for clause in sentence for word in clause if word.text.isdecimal()]
    if len(numbers) != 1:
        return None
    prefix = f"{int(numbers[0])}. "
    named = [option for option in question.options if option.label.startswith(prefix)]
    return Reading.accept(named[0]) if len(named) == 1 else None


def _button_words(lexicon: Lexicon, question: Question, sentence: Sentence) -> Reading | None:
    typed = lexicon.content_words(word for clause in sentence for word in clause)
    found = by_words(lexicon, (*question.options, *question.moves), typed)
    if len(found) == 1:
        return Reading.accept(found[0])
    if len(found) > 1:
        return Reading.ask(found[0], found[1])
    return None


def _explain(lexicon: Lexicon, question: Question, sentence: Sentence) -> Reading | None:
    """Under a detail: a difficult word typed ("steungroep?") opens it; "wat betekent dat"
    opens the only one, or asks which one."""
    listed = lexicon.explain.get(question.state)
    if listed is None or not question.picked:
        return None
    named = _terms_named(lexicon, question.picked, sentence)
    if len(named) == 1:
        return Reading.accept(named[0])
    if not listed.said(sentence):
        return None
    if len(question.picked) == 1:
        return Reading.accept(question.picked[0])
    return Reading(Kind.WHICH, candidates=question.picked)


def _terms_named(lexicon: Lexicon, picked: Sequence[Option], sentence: Sentence) -> list[Option]:
    """The extra buttons whose own words (not shared with another) the sentence contains."""
    typed = lexicon.content_words(word for clause in sentence for word in clause)
    labels = [lexicon.content_words(words(option.label, lexicon.language)) for option in picked]
    named: list[Option] = []
    for option, label in zip(picked, labels, strict=True):
        others = [word.text for other in labels if other is not label for word in other]
        own = [word for word in label if word.text not in others]
        if any(is_word(t, word) for word in own for t in typed):
            named.append(option)
    return named


def _restart(lexicon: Lexicon, question: Question, sentence: Sentence) -> Reading | None:
    return Reading(Kind.RESTART) if lexicon.restart.said(sentence) else None


def _role(lexicon: Lexicon, question: Question, sentence: Sentence) -> Reading | None:
    """A role named anywhere in the sentence, also one behind "Iets anders" (two taps)."""
    if not question.roles:
        return None
    paths = best_roles(lexicon, question.roles, sentence)
    if paths is None:  # a role that is not on offer here: refused, never another one
        return NOTHING
    if len(paths) == 1:
        return Reading.accept(*paths[0])
    firsts = list(dict.fromkeys(path[0] for path in paths))
    if len(firsts) == 1:  # two roles behind the same button: that button, then they choose
        return Reading.accept(firsts[0])
    return Reading.ask(firsts[0], firsts[1]) if firsts else None


def _duration(lexicon: Lexicon, question: Question, sentence: Sentence) -> Reading | None:
    if not question.weeks:
        if question.to_weeks is not None and weeks_in(lexicon, sentence) is not None:
            return Reading(Kind.ACCEPT, path=(question.to_weeks,), again=True)
        return None
    options = {option.id: option for option in question.options}
    found = duration_options(lexicon, question.weeks, sentence)
    if found is None:
        return None
    exact, nearest = found
    if exact:
        return Reading.accept(options[nearest[0]])
    return Reading.ask(options[nearest[0]], options[nearest[1]], Kind.NEAREST)
