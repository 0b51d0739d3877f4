"""Two things people name in a sentence rather than pick: their role, and a time span.

"ik ben de baas van een bakkerij", "eigenaar van een garage", "ik ben geen leidinggevende maar
zzp'er": the role words of the texts (a role's synonyms and `understanding.roles`) are looked for
anywhere, longest phrase first; a role word right after a negation or a possessive ("mijn
medewerker") does not count. Words
about a workplace ("kapsalon") only count when no role word is found.

"over een maand", "over 3 weken": the span in weeks, compared with the reminder's offers. A span on
offer is that offer; any other is asked back with the two nearest, since a reminder a week early
or late is a promise the user did not make.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dialogs.events import Option
from dialogs.lexicon import Lexicon
from dialogs.words import PhraseList, Word

# A negation this many words before a role word cancels it ("geen echte leidinggevende").
NEGATION_REACH = 2


def _not_theirs(lexicon: Lexicon, clause: Sequence[Word], start: int) -> bool:
    """A role word after a negation ("geen leidinggevende") or for someone else ("mijn
    medewerker") does not name the user's role."""
    before = clause[max(0, start - NEGATION_REACH) : start]
    if start and clause[start - 1].text in lexicon.others:
        return True
    return bool(lexicon.negations.spans(before))


def role_votes(
    lexicon: Lexicon, listed: PhraseList[str], sentence: Sequence[Sequence[Word]]
) -> tuple[dict[str, int], int]:
    """How often each role is named in the sentence, and how many names were someone else's
    or negated (left out)."""
    votes: dict[str, int] = {}
    skipped = 0
    for clause in sentence:
        for start, _, role in listed.spans(clause):
            if _not_theirs(lexicon, clause, start):
                skipped += 1
            else:
                votes[role] = votes.get(role, 0) + 1
    return votes, skipped


def best_roles(
    lexicon: Lexicon,
    reachable: Mapping[str, tuple[Option, ...]],
    sentence: Sequence[Sequence[Word]],
) -> list[tuple[Option, ...]] | None:
    """The paths to the role(s) named most often: two or more when they tie, [] for none, and
    None when no role here is the user's: one of the question before, or only someone else's
    ("mijn teamleider") or a negated one."""
    for listed in (lexicon.roles, lexicon.role_hints):
        votes, skipped = role_votes(lexicon, listed, sentence)
        if votes:
            most = max(votes.values())
            best = [role for role, count in votes.items() if count == most]
            paths = [reachable[role] for role in best if role in reachable]
            return paths or None
        if skipped:
            return None
    return []


def _number(lexicon: Lexicon, word: Word | None) -> float | None:
    """The number a word says: digits, or a number word ("een", "twee", "paar")."""
    if word is None:
        return None
    if word.text.isdecimal():
        return float(word.text)
    for listed, value in lexicon.numbers.items():
        if word.text == listed:
            return float(value)
    return None


def weeks_in(lexicon: Lexicon, sentence: Sequence[Sequence[Word]]) -> float | None:
    """The span a sentence names in weeks ("over een maand": 4.3), None when it names none."""
    for clause in sentence:
        for place, word in enumerate(clause):
            unit = lexicon.units.get(word.lemma, lexicon.units.get(word.text))
            if unit is None:
                continue
            count = _number(lexicon, clause[place - 1] if place else None)
            return unit * (count if count is not None else 1.0)
    return None


def duration_options(
    lexicon: Lexicon, offers: Mapping[str, int], sentence: Sequence[Sequence[Word]]
) -> tuple[bool, list[str]] | None:
    """Whether the span is on offer, and the offers nearest to it (at least two), or None."""
    weeks = weeks_in(lexicon, sentence)
    if weeks is None or len(offers) < 2:
        return None
    nearest = sorted(offers, key=lambda key: (abs(offers[key] - weeks), offers[key]))
    return abs(offers[nearest[0]] - weeks) < 0.01, nearest[:2]
