"""Understanding a typed answer: the option it names, or the two it could mean, or none.

People type "ja.", "Ja!", "jawel", "2", "eigenaar" or "leidinggevnde" where a button was offered.
Each of those should count like the tap it stands for. Matching goes from strict to loose: the
option's number, then an exact word (id, label or a synonym from the texts, after folding case,
accents and punctuation), then a small typo (rapidfuzz). A loose match never picks between two
close options: then the caller asks which one was meant, since a wrong guess costs more than a
question.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from dialogs import choices
from dialogs.events import Option

# A typo match needs this similarity (0-100): "leidinggevnde" and "eigenar" pass, "nee" for "ja"
# never does.
THRESHOLD = 80.0
# Two options whose best scores lie this close are both plausible: ask instead of guessing.
MARGIN = 8.0
# Shorter words match exactly only: one wrong letter in "ja" or "nee" is a different answer.
MIN_FUZZY_LENGTH = 4

# Kept in a folded text: "p&o" and "?" are synonyms of their own.
_KEEP = {"&", "?"}


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """`text` without case, accents, punctuation or extra spaces ("Ja!" and "ja" are alike).

    Cached: every typed answer is compared with the same labels and synonyms again.
    """
    decomposed = unicodedata.normalize("NFD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    kept = "".join(
        char if char.isalnum() or char in _KEEP else " " for char in plain.replace("'", "")
    )
    words = re.sub(r"\s+", " ", kept).strip()
    if words.strip("?").strip():
        words = words.replace("?", " ").strip()  # "ja?" is "ja"; a lone "?" stays a question mark
        words = re.sub(r"\s+", " ", words)
    return words


@dataclass(frozen=True)
class Match:
    """What a typed text names: one option, two it could mean, or nothing."""

    option: Option | None = None
    candidates: tuple[Option, ...] = ()


def _names(option: Option) -> Iterable[str]:
    if choices.parse(option.id) is None:  # a pick's id names a key, not a word anyone types
        yield option.id
    yield option.label
    yield from option.synonyms


def match(options: Sequence[Option], text: str) -> Match:
    """The option `text` names among `options` (numbered from 1 in the order given)."""
    wanted = fold(text)
    if not wanted:
        return Match()
    if wanted.isdecimal():
        number = int(wanted)
        return Match(options[number - 1]) if 1 <= number <= len(options) else Match()
    exact = [option for option in options if wanted in {fold(name) for name in _names(option)}]
    if exact:
        return Match(exact[0]) if len(exact) == 1 else Match(candidates=tuple(exact[:2]))
    if len(wanted) < MIN_FUZZY_LENGTH:
        return Match()
    return _closest(options, wanted)


def _closest(options: Sequence[Option], wanted: str) -> Match:
    """The option `wanted` spells with a small typo; both when two are about as close."""
    scored = sorted(
        ((_score(wanted, option), index) for index, option in enumerate(options)),
        key=lambda pair: (-pair[0], pair[1]),
    )
    if not scored or scored[0][0] < THRESHOLD:
        return Match()
    best, best_index = scored[0]
    if len(scored) > 1 and scored[1][0] >= best - MARGIN and scored[1][0] >= THRESHOLD - MARGIN:
        return Match(candidates=(options[best_index], options[scored[1][1]]))
    return Match(options[best_index])


def _score(wanted: str, option: Option) -> float:
    """How well `wanted` spells one of the option's names (0-100); short names only exactly."""
    scores = [
        float(fuzz.ratio(wanted, name))
        for name in (fold(name) for name in _names(option))
        if len(name) >= MIN_FUZZY_LENGTH
    ]
    return max(scores, default=0.0)


def is_one_of(text: str, phrases: Iterable[str]) -> bool:
    """Whether `text` is one of `phrases` (a thanks, a greeting), allowing a small typo."""
    wanted = fold(text)
    if not wanted:
        return False
    for phrase in phrases:
        folded = fold(phrase)
        if wanted == folded:
            return True
        if len(folded) >= MIN_FUZZY_LENGTH and fuzz.ratio(wanted, folded) >= THRESHOLD:
            return True
    return False
