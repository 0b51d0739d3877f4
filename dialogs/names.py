"""A button named by its words inside a sentence: "stuur mijn actieplan maar", "ik wil terug".

Whole-text matching (:mod:`dialogs.matching`) needs the typed text to be a label or synonym. In a
sentence the same words come with others around them. A button counts as named when every word of
one of its names (its label or a synonym, fillers left out) is in the sentence, and the sentence
has at most a few words besides: "ik wil graag een herinnering" names "herinnering", but a long
story that happens to contain "plan" names nothing. The button whose name covers most words wins;
two buttons that cover as much are both returned, so the caller asks which one was meant.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz

from dialogs.events import Option
from dialogs.lexicon import Lexicon
from dialogs.words import Word, is_word, words

# Words in the sentence that no name covers: more than this, and the sentence is about something
# else than a button.
MAX_EXTRA = 2
# A name's words, compared as one bag with the sentence's (rapidfuzz's token set ratio), must be
# at least this close: a long name whose words happen to sit scattered in the sentence is not it.
TOKEN_SET_THRESHOLD = 60.0


def _names(option: Option) -> tuple[str, ...]:
    return (option.label, *option.synonyms)


def _covered(name: Sequence[Word], typed: Sequence[Word]) -> int:
    """How many typed words the name covers when every word of it is typed; 0 when not."""
    hits = {
        index
        for word in name
        for index, typed_word in enumerate(typed)
        if is_word(typed_word, word)
    }
    if not name or not all(any(is_word(t, word) for t in typed) for word in name):
        return 0
    return len(hits)


def score(lexicon: Lexicon, option: Option, typed: Sequence[Word]) -> int:
    """How many typed words one of the option's names covers (0: none names it)."""
    best = 0
    for name in _names(option):
        named = lexicon.content_words(words(name, lexicon.language))
        covered = _covered(named, typed)
        if covered and len(typed) - covered <= MAX_EXTRA and _close(named, typed):
            best = max(best, covered)
    return best


def _close(named: Sequence[Word], typed: Sequence[Word]) -> bool:
    joined = " ".join(word.lemma for word in named)
    return (
        fuzz.token_set_ratio(joined, " ".join(word.lemma for word in typed)) >= TOKEN_SET_THRESHOLD
    )


def by_words(lexicon: Lexicon, options: Sequence[Option], typed: Sequence[Word]) -> list[Option]:
    """The options the typed content words name best: one, two that tie, or none."""
    if not typed:
        return []
    scored = [(score(lexicon, option, typed), index) for index, option in enumerate(options)]
    best = max((points for points, _ in scored), default=0)
    if not best:
        return []
    return [options[index] for points, index in scored if points == best]
