"""The word lists of `understanding` in dialog.yaml, read once into indexed phrases.

The engine builds one lexicon when it loads its texts; every typed sentence is then compared with
ready-made phrases (dialogs/words.py), so a step never folds or lemmatises a listed word again.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from dialogs.identity import Same
from dialogs.words import PhraseList, Vocabulary, Word, clauses, plain_list, words
from locales.dialog import DialogTexts

# The answers a yes/no question knows: yes, no, don't know, and "in between" (a hedge).
YES, NO, UNSURE, BETWEEN = "ja", "nee", "wn", "between"
# The key in `content` whose words count at every yes/no question.
EVERY_QUESTION = "*"

Sentence = list[tuple[Word, ...]]


def _empty() -> PhraseList[str]:
    return PhraseList((), "")


@dataclass(frozen=True)
class Lexicon:
    """Every list of `understanding`, as indexed phrases."""

    language: str
    breaks: frozenset[str] = frozenset()
    fillers: frozenset[str] = frozenset()
    yes_no: PhraseList[str] = field(default_factory=_empty)  # tagged ja / nee
    unsure: PhraseList[str] = field(default_factory=_empty)
    negations: PhraseList[str] = field(default_factory=_empty)
    between: PhraseList[str] = field(default_factory=_empty)
    content: Mapping[str, PhraseList[str]] = field(default_factory=dict)  # by state, ja / nee
    answers_at: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    roles: PhraseList[str] = field(default_factory=_empty)  # tagged with the role id
    role_hints: PhraseList[str] = field(default_factory=_empty)
    others: frozenset[str] = frozenset()  # "mijn" before a role word: not the user's role
    explain: Mapping[str, PhraseList[str]] = field(default_factory=dict)
    restart: PhraseList[str] = field(default_factory=_empty)
    numbers: Mapping[str, int] = field(default_factory=dict)
    units: Mapping[str, float] = field(default_factory=dict)  # by lemma: weeks
    vocabulary: Vocabulary = field(default_factory=lambda: Vocabulary(()))

    def sentence(self, text: str) -> Sentence:
        """`text` as clauses of words, typos of listed words known by those words."""
        return clauses(text, self.language, self.breaks, self.vocabulary)

    def is_filler(self, word: Word) -> bool:
        """A word that says nothing about which button is meant ("ik", "graag", "de")."""
        return word.text in self.fillers or word.lemma in self.fillers

    def content_words(self, sentence: Iterable[Word]) -> tuple[Word, ...]:
        """The words of `sentence` that are not fillers."""
        return tuple(word for word in sentence if not self.is_filler(word))

    def content_at(self, state: str) -> PhraseList[str]:
        """The words that mean yes or no at this question (and at every one)."""
        return self.content.get(state) or self.content.get(EVERY_QUESTION) or _empty()


def _tagged(lists: Mapping[str, Sequence[str]], language: str) -> PhraseList[str]:
    return PhraseList(
        ((phrase, key) for key, listed in lists.items() for phrase in listed), language
    )


def _plain(listed: Iterable[str], language: str) -> frozenset[str]:
    """The words and lemmas of single-word entries (fillers, breaks): compared exactly."""
    found: set[str] = set()
    for entry in listed:
        for word in words(entry, language):
            found.update((word.text, word.lemma))
    return frozenset(found)


def _content(texts: DialogTexts, language: str) -> dict[str, PhraseList[str]]:
    """Per yes/no question its own words and those of every question, as one list."""
    content = texts.understanding.content
    common = content.get(EVERY_QUESTION, {})
    merged: dict[str, PhraseList[str]] = {}
    for state, lists in content.items():
        joined = {key: [*lists.get(key, []), *common.get(key, [])] for key in {*lists, *common}}
        merged[state] = _tagged(joined, language)
    return merged


def lexicon_of(texts: DialogTexts, language: str) -> Lexicon:
    """The lexicon of one language's dialog texts; a role's typed synonyms name it too."""
    understanding = texts.understanding
    roles = {
        role: [*role_texts.synonyms, *understanding.roles.get(role, [])]
        for role, role_texts in texts.roles.items()
    }
    answers = understanding.answers
    yes_no = _tagged({key: answers.get(key, []) for key in (YES, NO)}, language)
    unsure = plain_list(answers.get(UNSURE, []), language)
    negations = plain_list(understanding.negations, language)
    between = plain_list(understanding.between, language)
    role_words = _tagged(roles, language)
    role_hints = _tagged(understanding.role_hints, language)
    restart = plain_list(understanding.restart, language)
    content = _content(texts, language)
    explain = {
        state: plain_list(listed, language) for state, listed in understanding.explain.items()
    }
    every = [yes_no, unsure, negations, between, role_words, role_hints, restart]
    every += [*content.values(), *explain.values()]
    return Lexicon(
        language=language,
        breaks=_plain(understanding.clause_breaks, language),
        fillers=_plain(understanding.fillers, language),
        yes_no=yes_no,
        unsure=unsure,
        negations=negations,
        between=between,
        content=content,
        answers_at=understanding.answers_at,
        roles=role_words,
        role_hints=role_hints,
        others=_plain(understanding.others, language),
        explain=explain,
        restart=restart,
        numbers=dict(understanding.numbers),
        units={
            word.lemma: weeks
            for unit, weeks in understanding.units.items()
            for word in words(unit, language)
        },
        vocabulary=Vocabulary(word for phrases in every for word in phrases.words()),
    )


_compiled: dict[tuple[Same[DialogTexts], str], Lexicon] = {}
_compiling = threading.Lock()


class LazyLexicon:
    """The lexicon of one language's texts, compiled on the first typed answer and shared.

    Why: compiling lemmatises every listed word, which loads simplemma's Dutch dictionary (about
    half a second of CPU). Most users only tap, so a bot that starts (or restarts after a crash)
    answers its first taps that much sooner. The manager's dialog and the employee's self-check
    read with the same words: one compiled lexicon per loaded text bundle serves both. Under a
    lock: worker threads share it, and two first typed answers must not compile it twice.
    """

    def __init__(self, texts: DialogTexts, language: str) -> None:
        self._key = (Same(texts), language)
        self._lexicon: Lexicon | None = None

    def get(self) -> Lexicon:
        """The compiled lexicon (compiled now if no reader of these texts has needed it yet)."""
        lexicon = self._lexicon
        if lexicon is None:
            with _compiling:
                lexicon = _compiled.get(self._key)
                if lexicon is None:
                    texts, language = self._key[0].value, self._key[1]
                    lexicon = _compiled[self._key] = lexicon_of(texts, language)
            self._lexicon = lexicon
        return lexicon
