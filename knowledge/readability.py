"""Readability of user-facing text: sentences and their length in words, measured one way.

Why our own small measure and not a readability formula: the project's writing rule for B1 Dutch is
stated in sentence lengths (about 15 words on average, never more than 25), and an author must
be able to find the sentence that breaks it. So this module splits a text into sentences, counts
words, and reports the offending sentence itself. Line breaks end a sentence (a list item is a
sentence of its own); `{placeholders}` of templates count as one word each.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

MAX_WORDS = 25
MAX_AVERAGE = 15.0

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+")
_WORD = re.compile(r"\{[^{}]*\}|[0-9A-Za-zÀ-ÖØ-öø-ÿ]+(?:['’/&-][0-9A-Za-zÀ-ÖØ-öø-ÿ]+)*")


def sentences(text: str) -> list[str]:
    """The sentences of `text`: split at line breaks and at . ! ? … followed by a space."""
    found: list[str] = []
    for line in text.splitlines():
        for part in _SENTENCE_END.split(line.strip()):
            if words(part):
                found.append(part.strip())
    return found


def words(sentence: str) -> list[str]:
    """The words of a sentence (a word has a letter or digit; a placeholder is one word)."""
    return _WORD.findall(sentence)


@dataclass(frozen=True)
class TooLong:
    """One sentence over the limit, with where it stands."""

    where: str
    sentence: str
    count: int


@dataclass(frozen=True)
class Measure:
    """Sentence lengths of one kind of text (all explanations, all first steps, ...)."""

    kind: str
    sentence_count: int
    word_count: int
    too_long: tuple[TooLong, ...]

    @property
    def average(self) -> float:
        return self.word_count / self.sentence_count if self.sentence_count else 0.0


def measure(kind: str, texts: Iterable[tuple[str, str]], max_words: int = MAX_WORDS) -> Measure:
    """Measure `(where, text)` pairs of one kind: counts, and every sentence over `max_words`."""
    sentence_count = word_count = 0
    too_long: list[TooLong] = []
    for where, text in texts:
        for sentence in sentences(text):
            count = len(words(sentence))
            sentence_count += 1
            word_count += count
            if count > max_words:
                too_long.append(TooLong(where, sentence, count))
    return Measure(kind, sentence_count, word_count, tuple(too_long))


def problems(
    kind: str,
    texts: Iterable[tuple[str, str]],
    max_words: int = MAX_WORDS,
    max_average: float = MAX_AVERAGE,
) -> list[str]:
    """Every breach of the limits in one kind of text, as `where: message` lines for an author."""
    result = measure(kind, texts, max_words)
    found = [
        f"{item.where}: sentence of {item.count} words (at most {max_words}): {item.sentence!r}"
        for item in result.too_long
    ]
    if result.average > max_average:
        found.append(
            f"{kind}: average sentence length {result.average:.1f} words "
            f"(at most {max_average:g}) over {result.sentence_count} sentences"
        )
    return found
