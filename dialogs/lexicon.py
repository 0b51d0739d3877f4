"""The word lists of `understanding` in dialog.yaml, read once into words and lemmas.

The engine builds one lexicon when it loads its texts; every typed sentence is then compared with
ready-made phrases, so a step never folds or lemmatises a listed word again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from dialogs.words import Word, phrases, words
from locales.dialog import DialogTexts

Phrases = tuple[tuple[Word, ...], ...]
# The answers a yes/no question knows: yes, no, don't know, and "in between" (a hedge).
YES, NO, UNSURE, BETWEEN = "ja", "nee", "wn", "between"
# The key in `content` whose words count at every yes/no question.
EVERY_QUESTION = "*"


@dataclass(frozen=True)
class Lexicon:
    """Every list of `understanding`, as phrases of words (longest first)."""

    language: str
    breaks: frozenset[str] = frozenset()
    fillers: frozenset[str] = frozenset()
    answers: Mapping[str, Phrases] = field(default_factory=dict)
    negations: Phrases = ()
    between: Phrases = ()
    content: Mapping[str, Mapping[str, Phrases]] = field(default_factory=dict)
    answers_at: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    roles: Mapping[str, Phrases] = field(default_factory=dict)
    role_hints: Mapping[str, Phrases] = field(default_factory=dict)
    explain: Mapping[str, Phrases] = field(default_factory=dict)
    restart: Phrases = ()
    numbers: Mapping[str, int] = field(default_factory=dict)
    units: Mapping[str, float] = field(default_factory=dict)

    def is_filler(self, word: Word) -> bool:
        """A word that says nothing about which button is meant ("ik", "graag", "de")."""
        return word.text in self.fillers or word.lemma in self.fillers

    def content_words(self, sentence: Iterable[Word]) -> tuple[Word, ...]:
        """The words of `sentence` that are not fillers."""
        return tuple(word for word in sentence if not self.is_filler(word))

    def yes_no_words(self, state: str) -> Mapping[str, Phrases]:
        """The content words of a yes/no question, with those that count at every one."""
        own = self.content.get(state, {})
        common = self.content.get(EVERY_QUESTION, {})
        return {key: own.get(key, ()) + common.get(key, ()) for key in {*own, *common}}


def _all(lists: Mapping[str, Sequence[str]], language: str) -> dict[str, Phrases]:
    return {key: phrases(listed, language) for key, listed in lists.items()}


def _plain(listed: Iterable[str], language: str) -> frozenset[str]:
    """The words and lemmas of single-word entries (fillers, breaks): compared exactly."""
    found: set[str] = set()
    for entry in listed:
        for word in words(entry, language):
            found.update((word.text, word.lemma))
    return frozenset(found)


def lexicon_of(texts: DialogTexts, language: str) -> Lexicon:
    """The lexicon of one language's dialog texts; a role's typed synonyms name it too."""
    understanding = texts.understanding
    roles = {
        role: [*role_texts.synonyms, *understanding.roles.get(role, [])]
        for role, role_texts in texts.roles.items()
    }
    return Lexicon(
        language=language,
        breaks=frozenset(
            word.text for entry in understanding.clause_breaks for word in words(entry, language)
        ),
        fillers=_plain(understanding.fillers, language),
        answers=_all(understanding.answers, language),
        negations=phrases(understanding.negations, language),
        between=phrases(understanding.between, language),
        content={state: _all(lists, language) for state, lists in understanding.content.items()},
        answers_at=understanding.answers_at,
        roles=_all(roles, language),
        role_hints=_all(understanding.role_hints, language),
        explain=_all(understanding.explain, language),
        restart=phrases(understanding.restart, language),
        numbers=dict(understanding.numbers),
        units={
            word.lemma: weeks
            for unit, weeks in understanding.units.items()
            for word in words(unit, language)
        },
    )
