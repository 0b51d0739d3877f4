"""A typed sentence as words: folded, split into clauses, each word with its lemma.

People type "cursussen", "doet", "weken" where a word list says "cursus", "doen", "week". The
lists in the texts are written once, in the plain form, and both sides are lemmatised with
simplemma: pure Python, MIT-licensed, with Dutch data and no model to download, so the bot stays
a small process without a network at run time. A lemma is looked up once per word form
(a bounded cache): chats repeat the same few hundred words.

Typos inside a sentence ("cusus", "teamleidr") are forgiven per word with rapidfuzz's edit ratio;
short words only exactly, since one letter changes "nee" into "ne" or "ja" into "na", and only with
the right first letter, which people rarely miss ("stuurde" is no typo of "bestuur").

Speed: every word carries its *keys* (the word, its lemma, the word with doubled letters written
once, and for a typed word the listed words it is a small typo of). Two words are the same when
their keys meet, and a :class:`PhraseList` finds its phrases through an index on their first
word, so reading a sentence costs a few set look-ups per word, not a pass over every list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Generic, TypeVar

import simplemma
from rapidfuzz import fuzz, process

from dialogs.matching import fold

T = TypeVar("T")
# A word of at least this many letters may carry one small typo and still count.
MIN_FUZZY = 5
# The edit ratio (0-100) a typed word needs to count as a listed word.
WORD_THRESHOLD = 80.0
# Words and pairs of words remembered (typed words are unbounded, so every cache is bounded).
CACHE_SIZE = 20_000
# Where a clause ends (before folding, which drops punctuation).
_CLAUSE_END = re.compile(r"[,.;:!?]+(?:\s|$)|\s[-–]\s")


@lru_cache(maxsize=CACHE_SIZE)
def _squeezed(word: str) -> str:
    """`word` with every run of one letter written once: "jaaa" and "ja", "neee" and "ne"."""
    return re.sub(r"(.)\1+", r"\1", word)


def own_keys(text: str, lemma: str) -> frozenset[str]:
    """What a word is known by: itself, its lemma, and itself with doubled letters once."""
    return frozenset({text, f"L:{lemma}", f"S:{_squeezed(text)}"})


@dataclass(frozen=True)
class Word:
    """One word: as folded, its lemma, and its keys (see the module's docstring)."""

    text: str
    lemma: str
    keys: frozenset[str] = field(default=frozenset(), compare=False)


@lru_cache(maxsize=CACHE_SIZE)
def lemma(word: str, language: str) -> str:
    """The dictionary form of a folded word ("cursussen" -> "cursus"); the word when unknown."""
    try:
        found = simplemma.lemmatize(word, lang=language)
    except ValueError:  # a language simplemma has no data for: words as typed
        return word
    return fold(found) or word


@lru_cache(maxsize=4096)
def words(text: str, language: str) -> tuple[Word, ...]:
    """The folded words of `text`, each with its lemma and own keys."""
    found: list[Word] = []
    for token in fold(text).split():
        base = lemma(token, language)
        found.append(Word(token, base, own_keys(token, base)))
    return tuple(found)


class Vocabulary:
    """The long words of every list, to find the listed word a typed word is a typo of."""

    def __init__(self, listed: Iterable[str]) -> None:
        every = set(listed)
        self._exact = frozenset(every)
        self._long = tuple(sorted(word for word in every if len(word) >= MIN_FUZZY))
        self._typos: dict[str, frozenset[str]] = {}

    def typed(self, word: Word) -> Word:
        """`word` with the listed words it is a small typo of among its keys (cached)."""
        if len(word.text) < MIN_FUZZY or word.text in self._exact:
            return word  # short, or listed as typed: no typo to forgive
        near = self._typos.get(word.text)
        if near is None:
            if len(self._typos) > CACHE_SIZE:  # typed words are unbounded; the lists are not
                self._typos.clear()
            found = process.extract(
                word.text, self._long, scorer=fuzz.ratio, score_cutoff=WORD_THRESHOLD, limit=None
            )
            near = frozenset(match for match, _, _ in found if match[0] == word.text[0])
            self._typos[word.text] = near
        return Word(word.text, word.lemma, word.keys | near) if near else word


def clauses(
    text: str, language: str, breaks: Iterable[str] = (), vocabulary: Vocabulary | None = None
) -> list[tuple[Word, ...]]:
    """`text` split into clauses at punctuation and at the break words ("maar", "want")."""
    stops = frozenset(breaks)
    found: list[tuple[Word, ...]] = []
    for part in _CLAUSE_END.split(text):
        current: list[Word] = []
        for word in words(part, language):
            if word.text in stops and current:
                found.append(tuple(current))
                current = []
            current.append(vocabulary.typed(word) if vocabulary is not None else word)
        if current:
            found.append(tuple(current))
    return found


@lru_cache(maxsize=CACHE_SIZE)
def same_word(typed: str, listed: str) -> bool:
    """Whether a typed (folded) word is the listed one, allowing a small typo in a long word."""
    if typed == listed or _squeezed(typed) == _squeezed(listed):
        return True
    if min(len(typed), len(listed)) < MIN_FUZZY or typed[0] != listed[0]:
        return False
    return fuzz.ratio(typed, listed) >= WORD_THRESHOLD


def is_word(word: Word, listed: Word) -> bool:
    """Whether `word` is `listed`: as typed (a small typo allowed) or by lemma.

    Lemmas are compared exactly: a guessed lemma of an unknown word ("kat" -> "kater") is too
    far from what was typed to forgive a typo on top of it.
    """
    return not word.keys.isdisjoint(listed.keys) or same_word(word.text, listed.text)


class PhraseList(Generic[T]):
    """Listed phrases, each with a tag (an answer, a role), indexed by their first word."""

    def __init__(self, tagged: Iterable[tuple[str, T]], language: str) -> None:
        entries = {(words(phrase, language), tag) for phrase, tag in tagged}
        # Longest first, so "helemaal niet" is taken before "niet".
        self._entries = sorted(
            ((phrase, tag) for phrase, tag in entries if phrase),
            key=lambda entry: (-len(entry[0]), [word.text for word in entry[0]], str(entry[1])),
        )
        self._index: dict[str, list[int]] = {}
        for number, (phrase, _) in enumerate(self._entries):
            for key in phrase[0].keys:
                self._index.setdefault(key, []).append(number)

    def __bool__(self) -> bool:
        return bool(self._entries)

    def words(self) -> Iterable[str]:
        """Every listed word, as written (for the vocabulary of typos)."""
        return (word.text for phrase, _ in self._entries for word in phrase)

    def spans(self, clause: Sequence[Word]) -> list[tuple[int, int, T]]:
        """Where listed phrases occur in `clause` (start, end, tag): longest first, no overlap."""
        hits: set[tuple[int, int, int]] = set()
        for start, word in enumerate(clause):
            for key in word.keys:
                for number in self._index.get(key, ()):
                    phrase = self._entries[number][0]
                    if self._at(clause, start, phrase):
                        hits.add((number, start, start + len(phrase)))
        taken: set[int] = set()
        found: list[tuple[int, int, T]] = []
        for number, start, end in sorted(hits):
            if taken.isdisjoint(range(start, end)):
                found.append((start, end, self._entries[number][1]))
                taken.update(range(start, end))
        return sorted(found, key=lambda span: span[0])

    @staticmethod
    def _at(clause: Sequence[Word], start: int, phrase: Sequence[Word]) -> bool:
        if start + len(phrase) > len(clause):
            return False
        return all(
            not clause[start + i].keys.isdisjoint(word.keys) for i, word in enumerate(phrase)
        )

    def tags(self, clause: Sequence[Word]) -> list[T]:
        """The tags of the phrases in `clause`, in the clause's order."""
        return [tag for _, _, tag in self.spans(clause)]

    def said(self, sentence: Iterable[Sequence[Word]]) -> bool:
        """Whether any clause of `sentence` holds a listed phrase."""
        return any(self.spans(clause) for clause in sentence)


def plain_list(listed: Iterable[str], language: str) -> PhraseList[str]:
    """Phrases without tags (tagged with themselves)."""
    return PhraseList(((phrase, phrase) for phrase in listed), language)
