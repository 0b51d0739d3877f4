"""Choosing what to advise: pure functions from (role, phase, answers) to knowledge records.

Kept apart from wording (:mod:`dialogs.render`) and from the dialog graph, so that the tests can
check the choice against the knowledge store's own ranking without reading any Dutch.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from dialogs.flow import AdviceSpec, Flow, QuickCheckSpec, RoleSpec
from dialogs.identity import Same
from dialogs.session import Session
from knowledge import KnowledgeBase
from knowledge.readability import sentences, words
from knowledge.schema import BlindSpot, CheckQuestion, Intervention, Precondition, Referral, Scope

# A sentence that shares this share of its content words with an advised first step repeats it.
REPEAT_SHARE = 0.6


def quick_checks(knowledge: KnowledgeBase, spec: QuickCheckSpec, phase: str) -> list[str]:
    """The check question ids to ask for this phase: by the phase's priority, at most the maximum.

    One question of every precondition first (the phase's preferred one, `prefer`), in the order
    of the phase's priority, and only then second questions: the report says an intervention
    succeeds only when all four are met (seed 443-445), so none may go unchecked (issue 20).
    """
    preferred = spec.prefer.get(phase, [])
    rounds: list[list[str]] = [[], []]
    for number in spec.priority[phase]:
        for precondition in knowledge.preconditions:
            if precondition.number == number:
                ids = [check.id for check in precondition.checks]
                ids.sort(key=lambda check_id: check_id not in preferred)  # stable
                for index, check_id in enumerate(ids[:2]):
                    rounds[index].append(check_id)
    return [*rounds[0], *rounds[1]][: spec.max_questions]


def check_question(knowledge: KnowledgeBase, check_id: str) -> tuple[Precondition, CheckQuestion]:
    """A check question with the precondition it belongs to; KeyError when unknown."""
    kept = _CHECK_QUESTIONS.get(id(knowledge))
    if kept is None or kept[0] is not knowledge:
        if len(_CHECK_QUESTIONS) >= _KEPT_KNOWLEDGE:
            _CHECK_QUESTIONS.clear()
        kept = _CHECK_QUESTIONS[id(knowledge)] = (knowledge, _check_questions(knowledge))
    return kept[1][check_id]


# Every check question by its id, per knowledge base (by identity: a knowledge base is loaded once
# and never changes), held with the knowledge itself so that a reused id is never mistaken for it.
# Why not `functools.lru_cache`: a quick-check step looks a question up twice, for the answer
# and for the next prompt, and wrapping the knowledge to hash it cost more than the lookup.
_CHECK_QUESTIONS: dict[int, tuple[KnowledgeBase, dict[str, tuple[Precondition, CheckQuestion]]]]
_CHECK_QUESTIONS = {}
# At most this many knowledge bases are kept (then the table starts afresh): a running bot has
# one; a test run loads a few.
_KEPT_KNOWLEDGE = 8


def _check_questions(knowledge: KnowledgeBase) -> dict[str, tuple[Precondition, CheckQuestion]]:
    """Every check question by its id (the first where two share one), read once."""
    found: dict[str, tuple[Precondition, CheckQuestion]] = {}
    for precondition in knowledge.preconditions:
        for check in precondition.checks:
            found.setdefault(check.id, (precondition, check))
    return found


def ranked(knowledge: KnowledgeBase, role: RoleSpec, phase: str) -> list[Intervention]:
    """All interventions of the role's own layers for this phase, best first (the store's order)."""
    return knowledge.interventions_for(role.layers, phase)


def blind_spots(
    knowledge: KnowledgeBase,
    role: RoleSpec,
    phase: str,
    spec: AdviceSpec,
) -> list[BlindSpot]:
    """The blind-spot notes that apply here, the most specific first, at most the maximum.

    A note scoped to this phase, layer or audience says more than one that applies everywhere.
    """
    found = knowledge.blind_spots_for(phase, role.layers, role.audiences)
    found.sort(key=lambda spot: -_specificity(spot.scope))
    return found[: spec.blind_spots]


def _specificity(scope: Scope) -> int:
    """How many criteria a scope names: help for this phase or layer says more than help for all."""
    return sum(bool(criterion) for criterion in (scope.phases, scope.layers, scope.audiences))


def aimed_at(scope: Scope, role: RoleSpec) -> bool:
    """The scope names who it is for, and only this role: every audience and layer it names is
    the role's own ("MKB Idee!" for the owner of a small firm, not a network of schools that
    mkb firms join too)."""
    named = bool(scope.audiences or scope.layers)
    own = set(scope.audiences) <= set(role.audiences) and set(scope.layers) <= set(role.layers)
    return named and own


def referrals(
    knowledge: KnowledgeBase, role: RoleSpec, phase: str, limit: int, work: str | None = None
) -> list[Referral]:
    """The networks and help for the plan: those aimed at this reader first, then the most
    specific; the author's order (most useful for a small firm first) breaks ties.

    Ranking by specificity alone let a fund for this phase and a school network for directors
    win every time, so the one network the report aims at the mkb never reached an owner. A
    network of one sector reaches only readers in that kind of work (`work`, issue 20).
    """
    found = knowledge.referrals_for(phase, role.layers, role.audiences, work)
    found.sort(
        key=lambda item: (
            not item.scope.work,
            not aimed_at(item.scope, role),
            -_specificity(item.scope),
        )
    )
    return found[:limit]


def help_referrals(
    knowledge: KnowledgeBase, role: RoleSpec, phase: str, limit: int, work: str | None = None
) -> list[Referral]:
    """The networks for "Waar vind ik hulp?": the kind of work's own first, then in the author's
    order (the most useful for a small firm first), at most `limit`.

    The author's order, not specificity: the general help (the leerwerkloket, the sector's fund)
    is what most readers need first, and a chat screen has room for a few.
    """
    found = knowledge.referrals_for(phase, role.layers, role.audiences, work)
    found.sort(key=lambda item: not item.scope.work)  # stable: the author's order kept
    return found[:limit]


def fits(knowledge: KnowledgeBase, item: Intervention, reader: str, work: str | None) -> bool:
    """The first step as this reader gets it names nothing this kind of work lacks."""
    return not knowledge.lacked(item.first_step_for_reader(reader, work), work)


def _distinct(
    items: Iterable[Intervention], seen_ids: set[str], seen_themes: set[str]
) -> list[Intervention]:
    """`items` without any already seen by id or by theme; marks what it keeps as seen."""
    kept: list[Intervention] = []
    for item in items:
        if item.id in seen_ids or (item.theme is not None and item.theme in seen_themes):
            continue
        kept.append(item)
        seen_ids.add(item.id)
        if item.theme is not None:
            seen_themes.add(item.theme)
    return kept


def sequence(
    knowledge: KnowledgeBase, role: RoleSpec, phase: str, work: str | None = None
) -> list[Intervention]:
    """Everything this role may be advised in this phase, best first, each action (theme) once.

    The role's own layers come first; the levers (tasks, colleagues) follow, because they are
    what the reader can do besides the own job. This one order feeds the first advice and every
    "Meer", so nothing is ever advised twice. With a kind of work, only the interventions whose
    first step fits that work (issue 20: no "oplevering" for a webshop).
    """
    seen_ids: set[str] = set()
    seen_themes: set[str] = set()
    fitting = [
        item for item in ranked(knowledge, role, phase) if fits(knowledge, item, role.reader, work)
    ]
    found = _distinct(fitting, seen_ids, seen_themes)
    for layer in role.levers:
        levers = [
            item
            for item in knowledge.interventions_for([layer], phase)
            if fits(knowledge, item, role.reader, work)
        ]
        found += _distinct(levers, seen_ids, seen_themes)
    return found


@dataclass(frozen=True)
class AdvicePlan:
    """The one decision of what to advise: what the chat shows and what the plan prints.

    Computed once from the session's role, phase, gaps and number of "Meer" taps, and rendered
    as it is by the chat (overview, "Meer", detail views) and by the PDF, so the two cannot
    disagree and no action appears twice. Paper has less room than the chat: the plan prints
    the steps shown so far, the gaps, `plan_blind_spots` and `plan_referrals`.
    """

    role: str
    reader: str
    phase: str
    first: tuple[Intervention, ...]  # the first advice: `begin` and the others, best first
    batches: tuple[tuple[Intervention, ...], ...]  # what each "Meer" adds, in order
    taps: int  # how many "Meer" were taken so far
    # The quick check's warnings: the gaps found, then those answered "weet ik niet" (`unsure`).
    gaps: tuple[Precondition, ...]
    blind_spots: tuple[BlindSpot, ...]
    next_phase: tuple[Intervention, ...]  # new in the following phase (empty in the last)
    few: bool  # the model has little for this role and phase: say so honestly
    gap_advice: tuple[str, ...]  # per gap: what to do, minus what an advised first step says
    # The ids of the gaps that are only possible (the user did not know): "check dit".
    unsure: frozenset[str] = frozenset()
    # What only the plan prints: the most specific blind spots, and where to find help.
    plan_blind_spots: tuple[BlindSpot, ...] = ()
    plan_referrals: tuple[Referral, ...] = ()
    # The reader's kind of work (None: not asked or skipped), and the networks that fit it.
    work: str | None = None
    help: tuple[Referral, ...] = ()

    def step(self, item: Intervention) -> str:
        """The first step of `item` as this reader reads it, in this kind of work."""
        return item.first_step_for_reader(self.reader, self.work)

    @property
    def begin(self) -> Intervention:
        """The single best first step for this week."""
        return self.first[0]

    @property
    def others(self) -> tuple[Intervention, ...]:
        return self.first[1:]

    @property
    def shown(self) -> tuple[Intervention, ...]:
        """Every intervention advised so far: the first advice, then each "Meer" taken."""
        return self.first + tuple(item for batch in self.batches[: self.taps] for item in batch)

    @property
    def latest(self) -> tuple[Intervention, ...]:
        """What the last "Meer" added (empty before the first)."""
        return self.batches[self.taps - 1] if self.taps else ()

    @property
    def has_more(self) -> bool:
        return self.taps < len(self.batches)

    @property
    def not_shown(self) -> int:
        """How many interventions "Meer" still holds."""
        return sum(len(batch) for batch in self.batches[self.taps :])

    def after_more(self) -> AdvicePlan:
        """The plan once one more "Meer" is taken; the same plan when nothing is left."""
        if not self.has_more:
            return self
        return AdvicePlan(**{**self.__dict__, "taps": self.taps + 1})


def advice_plan(
    knowledge: KnowledgeBase,
    flow: Flow,
    role_id: str,
    phase: str,
    gap_ids: Sequence[str] = (),
    shown: int = 0,
    unsure_ids: Sequence[str] = (),
    work: str | None = None,
) -> AdvicePlan:
    """The advice for this role and phase, with `shown` interventions advised so far.

    `shown` (the length of the session's advice) says how many "Meer" were taken; 0 means the
    first advice is about to be given. `unsure_ids`: preconditions the user did not know about;
    they are warned about after the gaps, as something to check.
    """
    role, spec = flow.roles[role_id], flow.advice
    unsure = [gap for gap in dict.fromkeys(unsure_ids) if gap not in gap_ids]
    gap_ids = [*gap_ids, *unsure]
    everything = sequence(knowledge, role, phase, work)
    spots = tuple(blind_spots(knowledge, role, phase, spec))
    first = tuple(everything[: spec.first])
    rest = everything[spec.first :]
    batches = tuple(tuple(rest[i : i + spec.more]) for i in range(0, len(rest), spec.more))
    taps, count = 0, len(first)
    while taps < len(batches) and count < shown:
        count += len(batches[taps])
        taps += 1
    return AdvicePlan(
        role=role_id,
        reader=role.reader,
        phase=phase,
        first=first,
        batches=batches,
        taps=taps,
        gaps=tuple(knowledge.precondition(gap) for gap in gap_ids),
        blind_spots=spots,
        next_phase=tuple(_next_new(knowledge, role, phase, spec, everything, work)),
        few=len(ranked(knowledge, role, phase)) < spec.few_below,
        gap_advice=tuple(
            without_repeats(
                knowledge.precondition(gap).when_gap_for_reader(role.reader),
                [item.first_step_for_reader(role.reader, work) for item in everything],
            )
            for gap in gap_ids
        ),
        unsure=frozenset(unsure),
        plan_blind_spots=spots[: spec.plan_blind_spots],
        plan_referrals=tuple(referrals(knowledge, role, phase, spec.plan_referrals, work)),
        work=work,
        help=tuple(help_referrals(knowledge, role, phase, spec.help, work)),
    )


@functools.lru_cache(maxsize=4096)
def _content(text: str) -> frozenset[str]:
    """The words of `text` that carry meaning (four letters or more), case folded.

    Cached: the texts are the knowledge's own (a few hundred), and every advice compares each
    warning with every first step again.
    """
    return frozenset(word.casefold() for word in words(text) if len(word) >= 4)


def without_repeats(text: str, advised: Sequence[str]) -> str:
    """`text` without the sentences that say again what one of the `advised` texts says.

    A warning should add what to watch out for, not repeat a first step the reader already got.
    """
    others = [_content(step) for step in advised]
    kept = [
        sentence
        for sentence in sentences(text)
        if not (own := _content(sentence))
        or all(len(own & other) < REPEAT_SHARE * len(own) for other in others)
    ]
    return " ".join(kept)


def plan_of(knowledge: KnowledgeBase, flow: Flow, session: Session) -> AdvicePlan:
    """The advice as the session has seen it so far; ValueError before role and phase are known.

    What was advised stays advised (`session.advised`), also when the knowledge has changed since.
    """
    if session.role is None or session.phase is None:
        raise ValueError("advice needs a role and a phase")
    return _given_plan(Same(knowledge), Same(flow), *plan_key(session))


# What a session's advice plan depends on: role, phase, gaps, what was advised, unsure gaps and
# the kind of work.
PlanKey = tuple[str, str, tuple[str, ...], tuple[str, ...], tuple[str, ...], str | None]


def plan_key(session: Session) -> PlanKey:
    """The session facts its advice plan is made from (role and phase must be known)."""
    assert session.role is not None and session.phase is not None
    return (
        session.role,
        session.phase,
        tuple(session.precondition_gaps),
        tuple(session.advised),
        tuple(session.unsure_gaps),
        session.work,
    )


@functools.lru_cache(maxsize=1024)
def _given_plan(
    knowledge: Same[KnowledgeBase],
    flow: Same[Flow],
    role_id: str,
    phase: str,
    gap_ids: tuple[str, ...],
    advised: tuple[str, ...],
    unsure_ids: tuple[str, ...],
    work: str | None,
) -> AdvicePlan:
    """The plan as given, worked out once per session facts: a step asks for it several times
    (the options on offer, their conditions, the prompt), and an AdvicePlan is immutable."""
    plan = _kept_plan(knowledge, flow, role_id, phase, gap_ids, len(advised), unsure_ids, work)
    return as_given(plan, knowledge.value, flow.value.advice, advised)


def as_given(
    plan: AdvicePlan, knowledge: KnowledgeBase, spec: AdviceSpec, advised: Sequence[str]
) -> AdvicePlan:
    """`plan` with the interventions the session was advised, in the order it was given them.

    The knowledge may change between two visits (an author reorders items or narrows a span):
    the advice a user was given, its buttons and the plan printed from it must not change with
    it. When the ids advised so far are not what `plan` shows, the first advice and each "Meer"
    taken are the advised ones again (as many as the flow gives per step); what `plan` holds
    besides them follows as the "Meer" still to take. An id the knowledge no longer has is left
    out: there is nothing left to show of it.
    """
    if not advised or tuple(item.id for item in plan.shown) == tuple(advised):
        return plan
    known = {item.id: item for item in knowledge.interventions}
    given = [known[item] for item in advised if item in known]
    if not given:
        return plan
    taken = {item.id for item in given}
    rest = [item for item in (*plan.first, *_flat(plan.batches)) if item.id not in taken]
    shown = _batches(given[spec.first :], spec.more)
    return replace(
        plan,
        first=tuple(given[: spec.first]),
        batches=shown + _batches(rest, spec.more),
        taps=len(shown),
    )


def _flat(batches: Iterable[Iterable[Intervention]]) -> list[Intervention]:
    return [item for batch in batches for item in batch]


def _batches(items: Sequence[Intervention], size: int) -> tuple[tuple[Intervention, ...], ...]:
    return tuple(tuple(items[i : i + size]) for i in range(0, len(items), size))


@functools.lru_cache(maxsize=1024)
def _kept_plan(
    knowledge: Same[KnowledgeBase],
    flow: Same[Flow],
    role_id: str,
    phase: str,
    gap_ids: tuple[str, ...],
    shown: int,
    unsure_ids: tuple[str, ...],
    work: str | None = None,
) -> AdvicePlan:
    """The advice for these answers, worked out once: every text and button of a step asks for
    it again (an AdvicePlan is immutable, so one can serve them all)."""
    return advice_plan(
        knowledge.value, flow.value, role_id, phase, gap_ids, shown, unsure_ids, work
    )


def _next_new(
    knowledge: KnowledgeBase,
    role: RoleSpec,
    phase: str,
    spec: AdviceSpec,
    now: Sequence[Intervention],
    work: str | None = None,
) -> list[Intervention]:
    """What starts to help in the following phase and is not already advice for this one."""
    number = knowledge.phase(phase).number
    if number >= max(p.number for p in knowledge.phases):
        return []
    seen_ids = {item.id for item in now}
    seen_themes = {item.theme for item in now if item.theme is not None}
    following = sequence(knowledge, role, str(number + 1), work)
    return _distinct(following, seen_ids, seen_themes)[: spec.next_phase]


def team_helpers(
    knowledge: KnowledgeBase, advised: Sequence[Sequence[str]], limit: int = 3
) -> list[tuple[Intervention, int]]:
    """The interventions advised for most employees at once, with for how many.

    `advised` holds, per employee, the ids of what that employee's advice gave this reader: an
    item the reader never saw advised (or cannot act on, such as "Leidinggevenden trainen" for an
    owner without managers) is never offered as what helps them all. The best reach first, ties
    in the store's order (best first), and only those advised for more than one.
    """
    counts: dict[str, int] = {}
    for ids in advised:
        for item_id in set(ids):
            counts[item_id] = counts.get(item_id, 0) + 1
    found = [item for item in knowledge.interventions if counts.get(item.id, 0) > 1]
    ranked = sorted(found, key=lambda item: -counts[item.id])  # stable: store order kept
    return [(item, counts[item.id]) for item in ranked][:limit]
