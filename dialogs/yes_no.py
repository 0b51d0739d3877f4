"""Yes, no or "I don't know" in a typed sentence, as people answer a yes/no question.

"ja hij vraagt wel eens naar een cursus", "nee, niet echt", "geen idee", "ze doet wel een cursus",
"hij doet op dit moment niks", "wel een beetje": the answer sits in the first clause, as an answer
word, a negation, a hedge or a word that means yes or no at this very question. The order of the
readings below is the order in which people make themselves clear: an explicit answer word beats
everything after it; a hedge ("niet helemaal") is read before the negation inside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dialogs.lexicon import BETWEEN, NO, UNSURE, YES, Lexicon, Phrases
from dialogs.words import Word, find, tagged_spans

Span = tuple[int, int]


def spans(sentence: Sequence[Word], listed: Phrases) -> list[Span]:
    """Where listed phrases occur in `sentence` (start, end), longest phrases first, no overlap."""
    taken: set[int] = set()
    found: list[Span] = []
    for phrase in listed:
        start = 0
        while start <= len(sentence) - len(phrase):
            place = find(sentence[start:], phrase)
            if place is None:
                break
            begin, end = start + place, start + place + len(phrase)
            if not taken & set(range(begin, end)):
                found.append((begin, end))
                taken.update(range(begin, end))
            start = begin + 1
    return sorted(found)


def explicit(lexicon: Lexicon, clause: Sequence[Word]) -> str | None:
    """The answer an answer word gives ("ja", "nee joh", "geen idee", "klopt niet"), else None.

    Yes and no words are looked for together, the longest first: "zeker niet" is a no, not a
    "zeker" and a "niet".
    """
    if spans(clause, lexicon.answers.get(UNSURE, ())):
        return UNSURE
    listed = {key: lexicon.answers.get(key, ()) for key in (YES, NO)}
    found = tagged_spans(clause, listed)
    kinds = {key for _, _, key in found}
    if kinds == {YES, NO}:  # "ja en nee"
        return BETWEEN
    if kinds == {YES}:
        start, end, _ = found[0]
        return NO if _negated(lexicon, clause, (start, end)) else YES
    return NO if kinds else None


def _negated(lexicon: Lexicon, clause: Sequence[Word], span: Span) -> bool:
    """A yes word with a negation right before or after it: "klopt niet", "niet zeker"."""
    near = [*clause[max(0, span[0] - 1) : span[0]], *clause[span[1] : span[1] + 2]]
    return bool(spans(near, lexicon.negations))


def hedged(lexicon: Lexicon, clause: Sequence[Word]) -> bool:
    """A hedge: the answer lies between yes and no ("wel een beetje", "niet helemaal")."""
    return bool(spans(clause, lexicon.between))


def leaning(lexicon: Lexicon, state: str, clause: Sequence[Word]) -> str | None:
    """The answer a sentence without answer word leans to: a hedge, a negation, a content word."""
    if hedged(lexicon, clause):
        return BETWEEN
    if spans(clause, lexicon.negations):
        return NO
    return _by_content(lexicon.yes_no_words(state), clause)


def _by_content(listed: Mapping[str, Phrases], clause: Sequence[Word]) -> str | None:
    """Words that mean yes or no at this question ("cursus" at "actief aan het leren?")."""
    yes = bool(spans(clause, listed.get(YES, ())))
    no = bool(spans(clause, listed.get(NO, ())))
    if yes and no:
        return BETWEEN
    if yes:
        return YES
    return NO if no else None
