"""A typed sentence as words: folded, split into clauses, each word with its lemma.

People type "cursussen", "doet", "weken" where a word list says "cursus", "doen", "week". The
lists in the texts are written once, in the plain form, and both sides are lemmatised with
simplemma: pure Python, MIT-licensed, with Dutch data and no model to download, so the bot stays
a small process without a network at run time. A lemma is looked up once per word form
(`functools.cache`): a chat repeats the same few hundred words, so a step costs microseconds.

Typos inside a sentence ("cusus", "teamleidr") are forgiven per word with rapidfuzz's edit ratio;
short words only exactly, since one letter changes "nee" into "ne" or "ja" into "na".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TypeVar

import simplemma
from rapidfuzz import fuzz

from dialogs.matching import fold

T = TypeVar("T")
# A word of at least this many letters may carry one small typo and still count.
MIN_FUZZY = 5
# The edit ratio (0-100) a typed word needs to count as a listed word.
WORD_THRESHOLD = 80.0
# Where a clause ends (before folding, which drops punctuation).
_CLAUSE_END = re.compile(r"[,.;:!?]+(?:\s|$)|\s[-–]\s")


@dataclass(frozen=True)
class Word:
    """One typed word: as folded, and its lemma."""

    text: str
    lemma: str


@cache
def lemma(word: str, language: str) -> str:
    """The dictionary form of a folded word ("cursussen" -> "cursus"); the word when unknown."""
    try:
        found = simplemma.lemmatize(word, lang=language)
    except ValueError:  # a language simplemma has no data for: words as typed
        return word
    return fold(found) or word


@lru_cache(maxsize=4096)
def words(text: str, language: str) -> tuple[Word, ...]:
    """The folded words of `text`, each with its lemma."""
    return tuple(Word(token, lemma(token, language)) for token in fold(text).split())


def clauses(text: str, language: str, breaks: Iterable[str] = ()) -> list[tuple[Word, ...]]:
    """`text` split into clauses at punctuation and at the break words ("maar", "want")."""
    stops = frozenset(breaks)
    found: list[tuple[Word, ...]] = []
    for part in _CLAUSE_END.split(text):
        current: list[Word] = []
        for word in words(part, language):
            if word.text in stops and current:
                found.append(tuple(current))
                current = []
            current.append(word)
        if current:
            found.append(tuple(current))
    return found


@cache
def _squeezed(word: str) -> str:
    """`word` with every run of one letter written once: "jaaa" and "ja", "neee" and "ne"."""
    return re.sub(r"(.)\1+", r"\1", word)


@cache
def same_word(typed: str, listed: str) -> bool:
    """Whether a typed (folded) word is the listed one, allowing a small typo in a long word."""
    if typed == listed or _squeezed(typed) == _squeezed(listed):
        return True
    if min(len(typed), len(listed)) < MIN_FUZZY:
        return False
    return fuzz.ratio(typed, listed) >= WORD_THRESHOLD


def is_word(word: Word, listed: Word) -> bool:
    """Whether `word` is the listed word: as typed (a small typo allowed) or by lemma.

    Lemmas are compared exactly: a guessed lemma of an unknown word ("kat" -> "kater") is too
    far from what was typed to forgive a typo on top of it.
    """
    return same_word(word.text, listed.text) or word.lemma == listed.lemma


def find(sentence: Sequence[Word], phrase: Sequence[Word]) -> int | None:
    """Where `phrase` (one or more words in a row) starts in `sentence`; None when absent."""
    if not phrase or len(phrase) > len(sentence):
        return None
    for start in range(len(sentence) - len(phrase) + 1):
        if all(is_word(sentence[start + i], word) for i, word in enumerate(phrase)):
            return start
    return None


def phrases(listed: Iterable[str], language: str) -> tuple[tuple[Word, ...], ...]:
    """Listed phrases as words, longest first (so "helemaal niet" is seen before "niet")."""
    found = {words(phrase, language) for phrase in listed}
    return tuple(sorted((p for p in found if p), key=lambda p: (-len(p), [w.text for w in p])))


def first_of(sentence: Sequence[Word], listed: Sequence[Sequence[Word]]) -> int | None:
    """The earliest position in `sentence` where any listed phrase starts."""
    places = [place for phrase in listed if (place := find(sentence, phrase)) is not None]
    return min(places, default=None)


def tagged_spans(
    clause: Sequence[Word], listed: Mapping[T, Sequence[Sequence[Word]]]
) -> list[tuple[int, int, T]]:
    """Every occurrence of any listed phrase, tagged with its key, longest first, no overlap."""
    ordered = sorted(
        ((phrase, key) for key, phrases in listed.items() for phrase in phrases),
        key=lambda pair: -len(pair[0]),
    )
    taken: set[int] = set()
    found: list[tuple[int, int, T]] = []
    for phrase, key in ordered:
        for start in range(len(clause) - len(phrase) + 1):
            end = start + len(phrase)
            if taken & set(range(start, end)) or find(clause[start:end], phrase) is None:
                continue
            found.append((start, end, key))
            taken.update(range(start, end))
    return sorted(found, key=lambda item: item[0])
