"""Turning the session and the knowledge into words: prompts, the diagnosis and the advice.

Only here do texts and knowledge meet. Nothing in this module decides anything (that is
:mod:`dialogs.advice` and the graph); it only says it, in the language of the loaded texts.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime

from dialogs.advice import AdvicePlan, PlanKey, check_question, plan_key, plan_of
from dialogs.choices import Choice, Kind, key_of, make, parse
from dialogs.civil import AMSTERDAM
from dialogs.events import Option
from dialogs.flow import Flow
from dialogs.progress import Progress
from dialogs.session import Answer, Session, Slot
from knowledge import KnowledgeBase
from knowledge.readability import sentences
from knowledge.schema import GlossaryTerm, Intervention, Phase, Precondition
from locales import Bundle, DialogTexts

# At most this many advice lists' buttons are kept (then the cache starts afresh): far more than
# the role, phase and gap combinations a day of chats brings.
PLAN_PICKS = 4096


class Renderer:
    """Writes every text the dialog shows, from one language's texts."""

    def __init__(
        self,
        flow: Flow,
        texts: DialogTexts,
        knowledge: KnowledgeBase,
        progress: Progress,
        bundle: Bundle | None = None,
    ) -> None:
        self.bundle = bundle
        self.flow = flow
        self.texts = texts
        self.knowledge = knowledge
        self._progress = progress  # the intake's step counter (progress.py)
        self._phase_options = self._make_phase_options()
        self._separator = f" {texts.navigation.trail_separator} "
        self._trail = texts.navigation.trail
        # "Stap 3 van 8" by (number, total): a few dozen at most, each written once.
        self._counters: dict[tuple[int, int], str] = {}
        # A quick-check question as asked, by (state, reader, check id): a few dozen at most,
        # each written once (looking the question up and filling it in was a tenth of a step).
        self._checks: dict[tuple[str, str | None, str], str] = {}
        # The buttons of the advice's lists by the session facts their plan comes from: a step
        # asks for them for its buttons, its typed answers and its conditions.
        self._plan_picks: dict[tuple[str, PlanKey], tuple[Option, ...]] = {}
        # How each answer of the intake reads in its trail, worked out once (see answer_label).
        self._labels = {
            (answer_step, option.id): self._label(answer_step, option.id)
            for answer_step in progress.intake
            for option in flow.states[answer_step].options
            if option.action is None
        }
        self._labels.update(
            ((answer_step, make(Kind.PHASE, phase.key)), phase.label)
            for answer_step in progress.intake
            if flow.states[answer_step].pick is not None
            for phase in knowledge.phases
        )
        # The same per intake step, by option (every intake step has one, maybe empty).
        self._intake_labels: dict[str, dict[str, str]] = {name: {} for name in progress.intake}
        for (answer_step, option_id), label in self._labels.items():
            self._intake_labels[answer_step][option_id] = label

    # -- prompts -------------------------------------------------------------------------------
    def prompt(self, session: Session) -> str:
        """The question of the session's current step, with the answers so far and its step."""
        special = self.flow.states[session.state].render
        body = self._plain(session) if special is None else SPECIAL_PROMPTS[special](self, session)
        return self._framed(session, body)

    def question(self, session: Session) -> str:
        """The question alone, short, to ask again after an answer that was not understood.

        Without what led up to it (the diagnosis's reasons, the advice's overview): a refusal
        shows one line and the question, not a screen of text the user has just read.
        """
        special = self.flow.states[session.state].render
        if special == "check":
            body = self._check(session)
        elif special == "result":
            assert session.phase is not None
            phase = self.knowledge.phase(session.phase)
            short = self.texts.result.short_as(self.reader(session))
            body = short.format(number=phase.number, label=phase.label)
        elif special in SHORT_PROMPTS or special is None:
            body = self._plain(session)
        else:
            body = SPECIAL_PROMPTS[special](self, session)
        return self._framed(session, body)

    def _framed(self, session: Session, body: str) -> str:
        """`body` under the intake's trail of answers and its step counter, where it has them."""
        if session.state not in self._progress.ahead:
            return body
        labels = self._run_labels(session.history)
        step = self._progress.step(session, len(labels))
        assert step is not None  # an intake question
        counter = self._counters.get(step)
        if counter is None:
            counter = self._counters[step] = self.progress(*step)
        if not labels:
            return f"{counter}\n{body}"
        trail = self._trail.format(answers=self._separator.join(labels))
        return f"{trail}\n{counter}\n{body}"

    def _run_labels(self, history: Sequence[Answer]) -> list[str]:
        """The labels of the answers of the intake run the session is in, oldest first.

        One pass back over the history finds the run (as Progress.run) and its labels at once:
        every intake question is framed by them, and two passes cost a tenth of a dialog step.
        """
        by_step = self._intake_labels
        labels: list[str] = []
        for answer in reversed(history):
            known = by_step.get(answer.step)
            if known is None:  # not an intake question: the run begins after it
                break
            labels.append(known.get(answer.option) or self.answer_label(answer))
        labels.reverse()
        return labels

    def answer_label(self, answer: Answer) -> str:
        """How an answer given reads in the trail: its button label (a phase by its name)."""
        label = self._labels.get((answer.step, answer.option))
        return label if label is not None else self._label(answer.step, answer.option)

    def _label(self, answer_step: str, option_id: str) -> str:
        state = self.flow.states[answer_step]
        phase = key_of(option_id, Kind.PHASE)
        if state.pick is not None and phase is not None:
            return self.knowledge.phase(phase).label
        return self.texts.option_label(answer_step, option_id)

    def reader(self, session: Session) -> str | None:
        """Who reads the dialog (flow.yaml roles' `reader`); None before the role is chosen."""
        role = self.flow.roles.get(session.role) if session.role is not None else None
        return role.reader if role is not None else None

    def _plain(self, session: Session) -> str:
        return self.texts.states[session.state].prompt_as(self.reader(session))

    def help(self, session: Session) -> str:
        """The current step's help, in the words for its reader."""
        return self.texts.states[session.state].help_as(self.reader(session))

    def _staging(self, session: Session) -> str:
        return self._plain(session)

    def _check(self, session: Session) -> str:
        check_id = session.checks[session.check_index]
        reader = self.reader(session)
        key = (session.state, reader, check_id)
        asked = self._checks.get(key)
        if asked is None:
            _, check = check_question(self.knowledge, check_id)
            question = check.question_for_reader(reader)
            asked = self._checks[key] = self._plain(session).format(question=question)
        return asked

    def _result(self, session: Session) -> str:
        assert session.phase is not None
        phase = self.knowledge.phase(session.phase)
        texts = self.texts.result
        lines = [
            texts.heading.format(number=phase.number, label=phase.label),
            phase.description_for_reader(self.reader(session)),
        ]
        answers = staging_answers(self.flow, session.history, self.texts.labels)
        if answers:
            lines.append("")
            lines.append(texts.because)
            lines.extend(
                texts.reason.format(
                    reason=self.texts.states[answer.step].reason,
                    answer=self.texts.labels[answer.option].lower(),
                )
                for answer in answers
            )
        if any(answer.option == "wn" for answer in answers):
            lines.extend(["", texts.uncertain_as(self.reader(session))])
        if self.flow.has_staff(session.role):  # the phase's focus speaks to whoever has staff
            lines.extend(["", texts.focus.format(focus=phase.manager_focus)])
        lines.extend(["", self._plain(session)])
        return "\n".join(lines)

    def day(self, moment: datetime) -> str:
        """A moment as a date in a sentence, by the Amsterdam calendar ("9 maart 2026")."""
        return _day(self, moment)

    def progress(self, number: int, total: int) -> str:
        return self.texts.progress.format(number=number, total=total)

    # -- option labels -------------------------------------------------------------------------
    def phase_options(self) -> tuple[Option, ...]:
        return self._phase_options

    def _make_phase_options(self) -> tuple[Option, ...]:
        return tuple(
            Option(
                make(Kind.PHASE, phase.key),
                button_label(
                    self.texts.result.phase_option.format(number=phase.number, label=phase.label)
                ),
                (phase.label,),
            )
            for phase in self.knowledge.phases
        )

    def pick_options(self, session: Session, source: str) -> tuple[Option, ...]:
        """The options a pick list makes: phases, employees or advised items (flow.PickSpec)."""
        if source == "phases":
            return self._phase_options
        if source == "slots":
            return self.slot_options(session)
        if session.role is None or session.phase is None:
            return ()  # no advice yet, so nothing to pick (a damaged or hand-made session)
        if source == "terms":
            return self.word_options(session)
        key = (source, plan_key(session))
        found = self._plan_picks.get(key)
        if found is None:
            if len(self._plan_picks) >= PLAN_PICKS:
                self._plan_picks.clear()
            found = self._plan_picks[key] = self._advice_options(self._plan(session), source)
        return found

    def _advice_options(self, plan: AdvicePlan, source: str) -> tuple[Option, ...]:
        """The buttons of an advice list, made once per plan (see `pick_options`)."""
        if source == "next_phase":
            return tuple(_titled(make(Kind.NEXT, item.id), item) for item in plan.next_phase)
        items = plan.shown
        if source == "more":
            items = plan.latest
        elif source == "overview":
            items = plan.first
        options = tuple(_titled(make(Kind.ITEM, item.id), item) for item in items)
        if source != "overview":
            return options
        # The warnings right after "Begin hier": in the report an intervention only succeeds when
        # the preconditions are met (seed lines 443-445), so their details belong on the first
        # page of buttons, before the other steps (a keyboard shows four and "Meer opties").
        texts = self.texts.advice
        warnings = tuple(
            Option(
                make(Kind.WARNING, gap.id),
                button_label(
                    (texts.unsure_option if gap.id in plan.unsure else texts.warning_option).format(
                        title=gap.label
                    )
                ),
                (gap.title, gap.label),
            )
            for gap in plan.gaps
        )
        return options[:1] + warnings + options[1:]

    def slot_options(self, session: Session) -> tuple[Option, ...]:
        """One option per listed employee (`s.A`..), in the order of the team list.

        "Medewerker B" or just "B" typed names the employee too.
        """
        heading = self.texts.team.slot_heading
        return tuple(
            Option(
                make(Kind.SLOT, slot.letter),
                self.texts.result.phase_option.format(
                    number=number, label=heading.format(letter=slot.letter)
                ),
                (heading.format(letter=slot.letter), slot.letter),
            )
            for number, slot in enumerate(listed_slots(session), start=1)
        )

    # -- notes ---------------------------------------------------------------------------------
    def role_label(self, role: str) -> str:
        return self.texts.roles[role].label

    def picked(self, phase: Phase, reader: str | None) -> str:
        return self.texts.result.picked.format(
            number=phase.number,
            label=phase.label,
            description=phase.description_for_reader(reader),
        )

    # -- the advice ----------------------------------------------------------------------------
    def _plan(self, session: Session) -> AdvicePlan:
        return plan_of(self.knowledge, self.flow, session)

    def _bullets(self, heading: str, titles: Sequence[str]) -> str:
        return "\n".join([heading, *(self.texts.advice.bullet.format(title=t) for t in titles)])

    def _overview(self, session: Session) -> str:
        """The first advice on one phone screen: the phase, where to begin, the rest as titles."""
        plan = self._plan(session)
        texts = self.texts.advice
        phase = self.knowledge.phase(plan.phase)
        blocks = [texts.phase_line[plan.reader].format(number=phase.number, label=phase.label)]
        vision = texts.vision.get(plan.reader)
        if vision is not None:
            blocks.append(vision)
        if plan.few:
            blocks.append(texts.few)
        begin = texts.begin_item.format(title=plan.begin.title, first_step=plan.step(plan.begin))
        blocks.append(f"{texts.begin}\n{begin}")
        if plan.others:
            blocks.append(self._bullets(texts.others, [item.title for item in plan.others]))
        if plan.gaps:
            blocks.append(
                "\n".join(
                    [
                        texts.warnings,
                        *(
                            (texts.unsure_bullet if gap.id in plan.unsure else texts.bullet).format(
                                title=gap.title
                            )
                            for gap in plan.gaps
                        ),
                    ]
                )
            )
        blocks.append(self._plain(session))
        if vision is not None and len("\n\n".join(blocks)) > SCREEN:
            blocks.remove(vision)  # the why yields first to what to do
        if plan.others and len("\n\n".join(blocks)) > SCREEN:
            # Four warnings (all four conditions are asked, issue 20) can crowd one screen: the
            # other steps are left to their buttons, where the reader picks them anyway.
            blocks.remove(self._bullets(texts.others, [item.title for item in plan.others]))
        return "\n\n".join(blocks)

    def _opened(self, session: Session) -> Choice:
        """The detail on screen, as the option that opened it (an intervention or a warning).

        That is the last answer given outside the detail and its words: after "Wat betekent …?"
        and back, the detail is still the one that was opened.
        """
        for answer in reversed(session.history):
            state = self.flow.states.get(answer.step)
            if state is None or state.render not in DETAIL_RENDERS:
                opened = parse(answer.option)
                if opened is None:
                    break
                return opened
        raise ValueError("no detail was opened")

    def _warning(self, plan: AdvicePlan, gap_id: str) -> tuple[Precondition, str]:
        """The warning about `gap_id` and what to do about it, as the plan says it."""
        index = next(index for index, gap in enumerate(plan.gaps) if gap.id == gap_id)
        return plan.gaps[index], plan.gap_advice[index]

    def _detail(self, session: Session) -> str:
        """The intervention or warning whose button was tapped (see `_opened`)."""
        plan = self._plan(session)
        opened = self._opened(session)
        if opened.kind is Kind.WARNING:
            gap, advice = self._warning(plan, opened.key)
            return self.warning_detail(gap, advice, gap.id in plan.unsure)
        item = self.knowledge.intervention(opened.key)
        return self.detail(item, plan.reader, self.own_layers(plan.role), plan.work)

    def warning_detail(self, gap: Precondition, advice: str, unsure: bool) -> str:
        """A quick-check warning: what the condition is and what to do; `unsure`: to check.

        The explanation is left out when the whole would not fit one phone screen: what to do
        matters more to the reader than why the condition counts.
        """
        texts = self.texts.advice
        template = texts.unsure_detail if unsure else texts.warning_detail
        full = template.format(title=gap.title, explanation=gap.explanation, when_gap=advice)
        if len(full) <= SCREEN:
            return full
        return template.format(title=gap.title, explanation="", when_gap=advice).replace(
            "\n\n\n", "\n\n"
        )

    def own_layers(self, role: str) -> tuple[str, ...]:
        """The layers a role acts in itself: there the detail says "dus via jou"."""
        return tuple(self.flow.roles[role].layers)

    def detail(
        self,
        item: Intervention,
        reader: str,
        own: Collection[str] = (),
        work: str | None = None,
    ) -> str:
        """What it is and why it helps, what the report says of it, and the coach's tip to begin.

        The report's part (its name, the phase where it is most relevant, its evidence mark)
        stands under its own heading, apart from the first step: the first steps are practical
        tips written for this bot, not the report's (issue 20). Always said, within one phone
        screen: the span with its note where the report gives no phase (an inferred span must
        say so), and the report's own name (marked where we completed a cut-off name, with what
        the report prints). Should that not fit, the explanation loses its last sentences; the
        meaning of difficult words follows while the text still fits.
        """
        texts = self.texts.advice
        first_step = item.first_step_for_reader(reader, work)
        facts: list[str] = []
        if item.title_reconstructed:
            facts.append(texts.report_name_reconstructed.format(name=item.report_title))
        elif item.report_title_differs:
            facts.append(texts.report_name.format(name=item.report_title))
        if item.report_fragment is not None:
            facts.append(texts.report_fragment.format(fragment=item.report_fragment))
        facts.append(self.span(item, own))
        if item.span_note:
            facts.append(item.span_note)
        facts.append(texts.evidence_yes if item.evidence else texts.evidence_no)
        report_part = f"{texts.report_part}\n{' '.join(facts)}"
        rest = [report_part, texts.first_step.format(first_step=first_step)]
        explanation = sentences(item.explanation)
        blocks = [f"{item.title}\n{item.explanation}", *rest]
        while len("\n\n".join(blocks)) > SCREEN and len(explanation) > 1:
            explanation.pop()
            blocks = [f"{item.title}\n{' '.join(explanation)}", *rest]
        for term in self.knowledge.glossary_in(f"{item.title} {item.explanation} {first_step}"):
            extra = texts.word.format(term=term.term, explanation=term.explanation)
            if len("\n\n".join([*blocks, extra])) <= SCREEN:
                blocks.append(extra)
        return "\n\n".join(blocks)

    def span(self, item: Intervention, own: Collection[str] = ()) -> str:
        """Where an intervention sits in the model, in words ("vanaf fase 2 tot en met 4, via").

        In a layer of the reader's own (`own`) it says so: an owner read "via HR" about himself.
        """
        texts = self.texts.advice
        first, last = item.phases.first, item.phases.last
        via = texts.via[item.layer]
        if item.layer in own:
            via = texts.via_own.format(via=via)
        if (first, last) == (1, len(self.knowledge.phases)):
            return texts.span_all.format(via=via)
        if first == last:
            return texts.span_one.format(first=first, via=via)
        if last == first + 1:
            return texts.span_two.format(first=first, last=last, via=via)
        return texts.span_many.format(first=first, last=last, via=via)

    # -- difficult words of a detail -----------------------------------------------------------
    def words(self, session: Session) -> list[GlossaryTerm]:
        """The glossary terms of the detail on screen that it does not explain itself.

        Each gets a button "Wat betekent …?" under the detail: a detail explains a term in its
        own text only while it fits one phone screen, so a term must stay one tap away.
        """
        plan = self._plan(session)
        opened = self._opened(session)
        if opened.kind is Kind.WARNING:
            gap, advice = self._warning(plan, opened.key)
            shown = self.warning_detail(gap, advice, gap.id in plan.unsure)
            return self.unexplained(f"{gap.title} {gap.explanation} {advice}", shown)
        item = self.knowledge.intervention(opened.key)
        shown = self.detail(item, plan.reader, self.own_layers(plan.role), plan.work)
        return self.unexplained(item.own_words(plan.reader, plan.work), shown)

    def unexplained(self, own: str, shown: str) -> list[GlossaryTerm]:
        """The terms of `own` that the text on screen (`shown`) holds but does not explain."""
        on_screen = {term.id for term in self.knowledge.glossary_in(shown)}
        return [
            term
            for term in self.knowledge.glossary_in(own)
            if term.id in on_screen and self.word(term) not in shown
        ]

    def word(self, term: GlossaryTerm) -> str:
        """A glossary term with its explanation, as a detail or the term's own message says it."""
        return self.texts.advice.word.format(term=term.term, explanation=term.explanation)

    def word_options(self, session: Session) -> tuple[Option, ...]:
        """One button per difficult word of the detail (`t.<term id>`); the word works typed.

        All buttons of one detail are worded alike: the short form for all when one word's
        question would not fit a button.
        """
        texts = self.texts.advice
        terms = self.words(session)
        for template in (texts.term_option, texts.term_option_short):
            if all(len(template.format(term=t.term)) <= BUTTON_LABEL_LIMIT for t in terms):
                labels = [template.format(term=t.term) for t in terms]
                break
        else:  # the word alone, never cut: its shortest form that fits a button
            labels = [_shortest_name(term) for term in terms]
        return tuple(
            Option(make(Kind.TERM, term.id), label, (term.term, *term.aliases))
            for term, label in zip(terms, labels, strict=True)
        )

    def _term(self, session: Session) -> str:
        """The difficult word whose button was tapped under the detail, explained."""
        term_id = key_of(session.history[-1].option, Kind.TERM)
        return self.word(next(term for term in self.knowledge.glossary if term.id == term_id))

    def _more(self, session: Session) -> str:
        plan = self._plan(session)
        listed = self._bullets(self.texts.advice.more_heading, [i.title for i in plan.latest])
        return f"{listed}\n\n{self._plain(session)}"

    def _next_phase(self, session: Session) -> str:
        plan = self._plan(session)
        texts = self.texts.advice
        number = self.knowledge.phase(plan.phase).number
        if number >= len(self.knowledge.phases):
            return texts.last_phase
        following = self.knowledge.phase(number + 1)
        head = texts.next_phase.format(
            number=following.number,
            label=following.label,
            description=following.description_for_reader(plan.reader),
        )
        if not plan.next_phase:
            return f"{head}\n\n{texts.next_same}"
        listed = self._bullets(texts.next_helps, [item.title for item in plan.next_phase])
        return f"{head}\n\n{listed}\n\n{self._plain(session)}"

    # -- issue 20: where to find help, and what a phase looks like -----------------------------
    def _help_view(self, session: Session) -> str:
        """The networks that fit this reader, phase and kind of work, with what to ask there."""
        plan = self._plan(session)
        texts = self.texts.help_view
        blocks = [texts.heading]
        blocks += [
            texts.item.format(name=item.name, what=item.what, ask=item.ask) for item in plan.help
        ]
        if plan.work is None and self.flow.has_staff(session.role):
            blocks.append(texts.no_work)
        return "\n\n".join([*blocks, self._plain(session)])

    def signals(self, phase: Phase) -> str:
        """What a phase looks like in someone's work: the phase's signals as a short list."""
        texts = self.texts.help_view
        heading = texts.signals_heading.format(number=phase.number, label=phase.label)
        return "\n".join([heading, *(texts.signal.format(signal=s) for s in phase.signals)])

    def _blind_spots(self, session: Session) -> str:
        plan = self._plan(session)
        texts = self.texts.advice
        blocks = [texts.blind_spots_heading]
        blocks += [
            texts.blind_spot.format(title=spot.title, advice=spot.advice_for_reader(plan.reader))
            for spot in plan.blind_spots
        ]
        return "\n\n".join([*blocks, self._plain(session)])


# Telegram shows about this many characters of a button on a phone before it cuts the label off.
BUTTON_LABEL_LIMIT = 30


def button_label(label: str, limit: int = BUTTON_LABEL_LIMIT) -> str:
    """`label` cut at a word to fit a phone's button, marked with an ellipsis when cut."""
    if len(label) <= limit:
        return label
    cut = label[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,.:;-")
    return f"{cut}…"


def _shortest_name(term: GlossaryTerm) -> str:
    """A term's own name when it fits a button, else its shortest alias that does (a long term
    such as "ontwikkelingsgericht leiderschap" has a shorter form); cut only when none fits."""
    if len(term.term) <= BUTTON_LABEL_LIMIT:
        return term.term
    fitting = sorted((a for a in term.aliases if len(a) <= BUTTON_LABEL_LIMIT), key=len)
    return fitting[0] if fitting else button_label(term.term)


def _titled(option_id: str, item: Intervention) -> Option:
    """A button for an intervention: its hand-written label (never cut: knowledge check keeps it
    short); the whole title works when typed, as does the label."""
    return Option(option_id, item.label, (item.title, item.label))


# -- the team and the check-in ------------------------------------------------------------------
def _day(renderer: Renderer, moment: datetime) -> str:
    """A moment as a date in a sentence, by the Amsterdam calendar ("9 maart 2026")."""
    day = moment.astimezone(AMSTERDAM).date()
    return renderer.bundle.long_date(day) if renderer.bundle is not None else day.isoformat()


def _org(renderer: Renderer, session: Session) -> str:
    assert session.org_checked_at is not None
    return renderer.texts.team.org_reuse.format(date=_day(renderer, session.org_checked_at))


def _checkin_step(renderer: Renderer, session: Session) -> str:
    texts = renderer.texts.team
    slot = session.current_slot()
    assert slot is not None and session.checkin_step < len(slot.steps)
    item = renderer.knowledge.intervention(slot.steps[session.checkin_step].item)
    lines = []
    if session.checkin_step == 0:
        lines.append(texts.checkin_heading.format(letter=slot.letter))
    lines.append(
        texts.checkin_step.format(
            number=session.checkin_step + 1,
            total=len(slot.steps),
            first_step=item.first_step_for_reader(renderer.reader(session), session.work),
        )
    )
    lines.append(renderer._plain(session))
    return "\n".join(lines)


def team_overview(
    renderer: Renderer, session: Session, helps: Sequence[tuple[Intervention, int]]
) -> str:
    """The employees with their phase and last look, and what helps most of them at once."""
    texts = renderer.texts.team
    listed = listed_slots(session)
    if not listed:
        return texts.empty
    lines = [texts.heading]
    for number, slot in enumerate(listed, start=1):
        assert slot.phase is not None and slot.last_look is not None
        phase = renderer.knowledge.phase(slot.phase)
        review = (
            texts.review_line.format(date=_day(renderer, slot.review_at))
            if slot.review_at is not None
            else ""
        )
        lines.append(
            texts.slot_line.format(
                number=number,
                letter=slot.letter,
                phase_number=phase.number,
                phase=phase.label,
                date=_day(renderer, slot.last_look),
                review=review,
            )
        )
        lines.extend(_own_view(renderer, slot))
    if helps:
        lines.extend(["", texts.helps_most])
        lines.extend(
            texts.helps_item.format(title=item.title, count=count, total=len(listed))
            for item, count in helps
        )
    return "\n".join(lines)


def slot_detail(renderer: Renderer, slot: Slot) -> str:
    """One employee: the path through the phases, and the first steps with how far they got."""
    texts = renderer.texts.team
    lines = [texts.slot_heading.format(letter=slot.letter)]
    for look in slot.assessments:
        phase = renderer.knowledge.phase(look.phase)
        lines.append(
            texts.slot_path.format(
                date=_day(renderer, look.on), number=phase.number, label=phase.label
            )
        )
    if slot.steps:
        lines.extend(["", texts.steps_heading])
        lines.extend(
            texts.step_line.format(
                title=renderer.knowledge.intervention(step.item).title,
                status=texts.status[step.status],
            )
            for step in slot.steps
        )
    lines.extend(_own_view(renderer, slot))
    if slot.review_at is not None:
        lines.append(texts.review_line.format(date=_day(renderer, slot.review_at)).lstrip(", "))
    return "\n".join(lines)


def _own_view(renderer: Renderer, slot: Slot) -> list[str]:
    """The employee's own view beside the manager's, when they shared it (issue 21)."""
    if slot.shared is None or renderer.bundle is None:
        return []
    texts = renderer.bundle.selfcheck.manager
    number = renderer.knowledge.phase(slot.shared.view.phase).number
    return [texts.team_line.format(letter=slot.letter, self=texts.phase.format(number=number))]


def listed_slots(session: Session) -> list[Slot]:
    """The employees shown in the team list: those assessed at least once, in letter order."""
    return sorted((slot for slot in session.slots if slot.assessments), key=lambda s: s.letter)


# The prompts that are more than the state's own text, by the name a state's `render` gives. Every
# other state shows its text as it is, so a plain step names no renderer at all.
SPECIAL_PROMPTS: dict[str, Callable[[Renderer, Session], str]] = {
    "staging": Renderer._staging,
    "result": Renderer._result,
    "check": Renderer._check,
    "org": _org,
    "checkin_step": _checkin_step,
    "advice": Renderer._overview,
    "detail": Renderer._detail,
    "more": Renderer._more,
    "next_phase": Renderer._next_phase,
    "blind_spots": Renderer._blind_spots,
    "term": Renderer._term,
    "help_view": Renderer._help_view,
}

# Special prompts whose text is only what led up to the question (the reasons of a result, the
# overview of the advice): a re-prompt after an answer not understood shows the question alone.
SHORT_PROMPTS = frozenset(
    {"staging", "advice", "detail", "more", "next_phase", "blind_spots", "term", "help_view"}
)
# The prompts of a detail and of a difficult word in it: answers given there do not open another.
DETAIL_RENDERS = frozenset({"detail", "term"})

# One phone screen of text: what the first advice and a detail view must fit in.
SCREEN = 700


def staging_answers(
    flow: Flow, history: Sequence[Answer], answer_ids: Collection[str]
) -> list[Answer]:
    """The answers of the latest run of staging questions, oldest first (the result's "why").

    `answer_ids` are the shared answers (ja, nee, weet ik niet); any other choice ends the run.
    """
    found: list[Answer] = []
    for answer in reversed(history):
        state = flow.states.get(answer.step)
        if state is None or state.render != "staging" or answer.option not in answer_ids:
            break
        found.append(answer)
    return found[::-1]
