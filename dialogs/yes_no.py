"""Yes, no or "I don't know" in a typed sentence, as people answer a yes/no question.

"ja hij vraagt wel eens naar een cursus", "nee, niet echt", "geen idee", "ze doet wel een cursus",
"hij doet op dit moment niks", "wel een beetje": the answer sits in the first clause, as an answer
word, a negation, a hedge or a word that means yes or no at this very question. The order of the
readings below is the order in which people make themselves clear: an explicit answer word beats
everything after it; a hedge ("niet helemaal") is read before the negation inside it.
"""

from __future__ import annotations

from collections.abc import Sequence

from dialogs.lexicon import BETWEEN, NO, UNSURE, YES, Lexicon
from dialogs.words import Word


def explicit(lexicon: Lexicon, clause: Sequence[Word]) -> str | None:
    """The answer an answer word gives ("ja", "nee joh", "geen idee", "klopt niet"), else None.

    Yes and no words are looked for together, the longest first: "zeker niet" is a no, not a
    "zeker" and a "niet".
    """
    if lexicon.unsure.spans(clause):
        return UNSURE
    found = lexicon.yes_no.spans(clause)
    kinds = {tag for _, _, tag in found}
    if kinds == {YES, NO}:  # "ja en nee"
        return BETWEEN
    if kinds == {YES}:
        start, end, _ = found[0]
        return NO if _negated(lexicon, clause, start, end) else YES
    return NO if kinds else None


def _negated(lexicon: Lexicon, clause: Sequence[Word], start: int, end: int) -> bool:
    """A yes word with a negation right before or after it: "klopt niet", "niet zeker"."""
    near = [*clause[max(0, start - 1) : start], *clause[end : end + 2]]
    return bool(lexicon.negations.spans(near))


def hedged(lexicon: Lexicon, clause: Sequence[Word]) -> bool:
    """A hedge: the answer lies between yes and no ("wel een beetje", "niet helemaal")."""
    return bool(lexicon.between.spans(clause))


def leaning(lexicon: Lexicon, state: str, clause: Sequence[Word]) -> str | None:
    """The answer a sentence without answer word leans to: a hedge, a negation, a content word
    ("cursus" at "actief aan het leren?"); both a yes and a no word: in between."""
    if hedged(lexicon, clause):
        return BETWEEN
    if lexicon.negations.spans(clause):
        return NO
    kinds = set(lexicon.content_at(state).tags(clause))
    if kinds == {YES, NO}:
        return BETWEEN
    return kinds.pop() if kinds else None
