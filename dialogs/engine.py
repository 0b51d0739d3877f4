"""The engine: one event in, replies out, the session changed only when the event is accepted.

`handle` is synchronous and free of I/O, so every front end (Telegram, console, tests) drives the
same dialog. It never trusts an event: an option that is not on offer in the current step (an old
button, a forged callback) and text it cannot read change nothing and get the current question
again. Typed text is read like a tap where it names an option (dialogs/matching.py). Back is exact,
not a guess: each answer keeps what it changed as it was before (a small snapshot), and going back
puts that back; nothing is replayed, so a step back costs the same after ten answers or ten
thousand. A restart that would wipe answers asks first.

Nothing in the engine changes after loading, and each step works on its own draft of the session
(dialogs/session.py) and its own Step: one engine serves any number of chats at once, without a
lock. What a step looks up (a state's options, an option's moves, where an answer leads) is read
once from the flow when the engine loads (dialogs/lookups.py, machine.moves_of), so a step is a
few dictionary lookups and the calls of its effects.

The engine also lays out the buttons of a question (:meth:`Engine.shown_options`): at most five
answers, the rest behind "Meer opties", and "← Terug" after the first question.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from transitions import Machine

from dialogs import checks, choices, matching, typing_answers
from dialogs.advice import AdvicePlan, plan_of
from dialogs.events import Command, Event, EventKind, Option, Reply
from dialogs.flow import DATA_DIR, Flow, FlowError, OptionSpec, read_flow
from dialogs.lookups import (
    answer_moves,
    back_tables,
    fixed_buttons,
    in_place_pairs,
    options_by_id,
    read_lookups,
)
from dialogs.machine import (
    CONDITIONS,
    EFFECTS,
    Answered,
    Context,
    Step,
    build_machine,
    moves_of,
    take,
)
from dialogs.progress import Progress
from dialogs.render import SPECIAL_PROMPTS, Renderer
from dialogs.session import (
    MAX_HISTORY,
    UNDONE,
    Answer,
    Session,
    draft,
    new_answer,
    team_of,
)
from knowledge import KnowledgeBase, load_knowledge
from locales import DEFAULT_LANGUAGE, Bundle, BundleError, DialogTexts, load_bundle


def new_session(language: str = DEFAULT_LANGUAGE) -> Session:
    """A session that has not started yet (its first event should be a start)."""
    return Session(language=language)


@dataclass(frozen=True)
class Outcome:
    """What one event did: the replies, and the option it chose when it was accepted."""

    replies: Sequence[Reply]
    chosen: Option | None = None


# A phone shows about five buttons without scrolling; a longer list gets pages of four plus
# "Meer opties".
MAX_OPTIONS = 5
PAGE_SIZE = MAX_OPTIONS - 1
# Buttons that move within the dialog rather than answer it (never option ids of the flow, which
# start with a letter).
NAV_BACK = "_terug"
NAV_MORE = "_meer"
# Kept in the history where a check-in began (never an option): a step back from inside the
# check-in returns there, since the check-in itself was entered from outside the graph.
CHECK_IN_MARK = "_checkin"
# The answers to "Opnieuw beginnen?" (shared labels).
CONFIRM, KEEP = "ja", "nee"
# What every accepted change sets besides its own fields: the turn it counts, and when.
COUNTED = ("turn", "updated_at")


class Engine:
    """The dialog: flow, texts and knowledge loaded and checked once, shared by every chat.

    An engine speaks the language of its bundle; every session it starts records that language.
    """

    def __init__(self, flow: Flow, bundle: Bundle, knowledge: KnowledgeBase) -> None:
        texts = bundle.dialog
        errors = checks.problems(flow, texts, knowledge, CONDITIONS, EFFECTS, SPECIAL_PROMPTS)
        if errors:
            raise FlowError(errors)
        progress = Progress(flow)
        self._render = Renderer(flow, texts, knowledge, progress, bundle)
        self._intake = progress.intake
        self._flow = flow
        self._bundle = bundle
        self._texts = texts
        self._knowledge = knowledge
        self._context = Context(flow, knowledge, self._render)
        # The graph only, holding no model: a step takes its moves from the table read from it.
        self._machine: Machine = build_machine(flow)
        moves = moves_of(self._machine)
        # Per state, option and answer, read once: what a step looks up.
        self._lookups = read_lookups(flow, texts)
        lookups = self._lookups
        # Per fixed option (state, option id), and per state with a pick list (state, None):
        # the moves an answer there can take; per fixed option, what its effects read of it.
        self._moves = answer_moves(flow, lookups, moves)
        self._answered = {key: Answered(option=spec) for key, spec in lookups.specs.items()}
        self._offered_by_id = options_by_id(flow, lookups)
        # The (answered step, reached step) pairs whose question is edited into the one answered.
        self._in_place = in_place_pairs((self._intake, frozenset(flow.in_place)))
        self._undoable_leads, self._back_shown = back_tables(flow, lookups)
        navigation = texts.navigation
        self._more_option = Option(NAV_MORE, navigation.more, tuple(navigation.more_synonyms))
        self._back_option = Option(NAV_BACK, navigation.back, tuple(navigation.back_synonyms))
        self._fixed_buttons = fixed_buttons(flow, lookups, self._back_option, MAX_OPTIONS)
        self._confirm_options = tuple(
            Option(key, texts.labels[key], tuple(texts.synonyms.get(key, ())))
            for key in (CONFIRM, KEEP)
        )
        self._typing = typing_answers.TypedAnswers(flow, texts, bundle.language)

    @classmethod
    def load(
        cls,
        knowledge: KnowledgeBase | None = None,
        language: str = DEFAULT_LANGUAGE,
        data_dir: Path = DATA_DIR,
        bundle: Bundle | None = None,
    ) -> Engine:
        """Read and check the flow and `language`'s texts; FlowError lists every problem at once.

        `bundle` replaces the bundle of `language` (e.g. one loaded from another root in a test).
        """
        flow = read_flow(data_dir / "flow.yaml")
        if bundle is None:
            try:
                bundle = load_bundle(language)
            except BundleError as error:
                raise FlowError(error.errors) from error
        return cls(flow, bundle, knowledge if knowledge is not None else load_knowledge())

    # -- what front ends and renderers read ---------------------------------------------------
    @property
    def knowledge(self) -> KnowledgeBase:
        """The maturity model the advice comes from."""
        return self._knowledge

    @property
    def flow(self) -> Flow:
        """The dialog definition (read-only)."""
        return self._flow

    @property
    def bundle(self) -> Bundle:
        """Every text of the engine's language, for the front ends too (read-only)."""
        return self._bundle

    @property
    def language(self) -> str:
        """The language the engine speaks, and records in the sessions it starts."""
        return self._bundle.language

    @property
    def texts(self) -> DialogTexts:
        """The dialog's wording in the loaded language (read-only)."""
        return self._texts

    def role_label(self, role_id: str) -> str:
        """The label of a role id (as on the role question); KeyError when unknown."""
        return self._render.role_label(role_id)

    def advice_plan(self, session: Session) -> AdvicePlan:
        """What the session was advised, as the chat showed it; the action plan prints this."""
        return plan_of(self._knowledge, self._flow, session)

    def reader(self, session: Session) -> str | None:
        """Who reads this session's texts (`zzp`, `eigenaar`, ...); None before the role."""
        return self._render.reader(session)

    def audiences(self, session: Session) -> list[str]:
        """The audiences of the session's role (`mkb`, `zzp`, ...): for blind spots, referrals."""
        if session.role is None or session.role not in self._flow.roles:
            return []
        return list(self._flow.roles[session.role].audiences)

    def current_options(self, session: Session) -> tuple[Option, ...]:
        """The options the current step accepts; anything else is stale or forged.

        All of them, also those on another page of buttons: a typed answer may name any.
        """
        state = self._flow.states.get(session.state)
        if state is None:
            return ()
        if session.confirm_restart is not None:
            return self._confirm_options
        picked: tuple[Option, ...] = ()
        if state.pick is not None:
            picked = self._render.pick_options(session, state.pick.source)
        always = self._lookups.always.get(session.state)
        if always is not None:
            return picked + always if picked else always
        fixed = self._lookups.fixed[session.state]
        probe = Step(self._context, session)
        return picked + tuple(
            option for when, option in fixed if when is None or getattr(probe, when)()
        )

    def shown_options(self, session: Session) -> tuple[Option, ...]:
        """The buttons of the current question: one page of options, then "more" and "back"."""
        buttons = self._fixed_buttons.get(session.state)
        if buttons is not None and session.confirm_restart is None:
            return buttons[1] if self._can_go_back(session) else buttons[0]
        options = self.current_options(session)
        if len(options) > MAX_OPTIONS:
            paged, pinned = self._paging(session, options)
            size = PAGE_SIZE - len(pinned)
            start = (session.page % self._pages(session, options)) * size
            options = (*paged[start : start + size], *pinned, self._more_option)
        if self._can_go_back(session):
            return (*options, self._back_option)
        return options

    def match_option(self, session: Session, text: str) -> Option | None:
        """The current option a typed text names, when it names exactly one (as a word, a label
        or in a sentence; for a role behind "Iets anders", the option that leads there)."""
        found = self._understand(session, text).option
        if found is not None:
            return found
        options, moves = self.current_options(session), self._navigation(session)
        reading = self._typing.read(session, options, moves, text)
        return reading.path[0] if reading.kind is typing_answers.Kind.ACCEPT else None

    def prompt(self, session: Session, lead: str = "") -> Reply:
        """The current question, short, with its buttons: e.g. again after a side command."""
        return self._prompt(session, lead, short=True)

    # -- the one entry point -------------------------------------------------------------------
    def handle(self, session: Session, event: Event) -> list[Reply]:
        """Answer one event; change `session` in place only when the event is accepted."""
        replies = self.decide(session, event).replies
        return replies if isinstance(replies, list) else list(replies)

    def decide(self, session: Session, event: Event) -> Outcome:
        """Answer one event and say which option it chose (None when it chose none).

        The options on offer are computed once here and handed along, so a tap is checked, applied
        and answered against the same list.
        """
        if session.state not in self._flow.states:
            return Outcome(self._restart(session, lead=self._texts.lost))
        # The buttons of a question asked back ("Bedoel je A of B?") count for the next event only.
        asked = session.asked
        if asked:
            session.asked = []
        if session.confirm_restart is not None:
            return self._confirming(session, event)
        if event.kind is EventKind.START:
            return self._started(session, event.value)
        if event.kind is EventKind.COMMAND:
            outcome = self._command(session, event.value)
            if outcome is not None:
                return outcome
        if event.kind is EventKind.OPTION:
            return self._tapped(session, event.value)
        if event.kind is EventKind.TEXT:
            return self._typed(session, event.value, asked)
        return Outcome([self._prompt(session, lead=self._texts.free_text, short=True)])

    def _started(self, session: Session, preset: str) -> Outcome:
        """/start: a plain one (Telegram's menu, a reopened chat) must not throw away answers
        already given: it resumes. A deep link with a role, or /opnieuw, starts afresh (after
        asking, when there are answers to lose)."""
        if not preset and session.history:
            return Outcome([self._prompt(session, lead=self._texts.resumed)])
        return Outcome(self._ask_restart(session, preset=preset))

    def _command(self, session: Session, command: str) -> Outcome | None:
        """A command of the dialog; None for one it does not know."""
        if command == Command.RESTART:
            return Outcome(self._ask_restart(session))
        if command == Command.BACK:
            return Outcome(self._back(session))
        if command == Command.TEAM:
            return Outcome(self._team(session))
        if command == Command.HELP:
            help_text = self._render.help(session)
            lead = f"{help_text}\n\n{self._texts.help_footer}"
            return Outcome([self._prompt(session, lead=lead, short=True)])
        return None

    def _tapped(self, session: Session, option_id: str) -> Outcome:
        """A tapped button: a move within the step, an option on offer, or a refusal."""
        if option_id in (NAV_BACK, NAV_MORE):  # checked only then: it costs an option list
            moves = self._navigation(session)
            navigation = next((o for o in moves if o.id == option_id), None)
            if navigation is not None:
                return self._move(session, navigation)
        offered = self._offered_by_id.get(session.state)
        if offered is not None:
            chosen = offered.get(option_id)
        else:
            options = self.current_options(session)
            chosen = next((option for option in options if option.id == option_id), None)
        if chosen is not None:
            return self._choose(session, chosen)
        return Outcome([self._prompt(session, lead=self._refusal(option_id), short=True)])

    def _refusal(self, option_id: str) -> str:
        """Why a tapped option changes nothing: a pick no longer on offer (the advice or the
        knowledge changed since the button was shown) is named honestly; anything else is an
        old button or a forgery."""
        if choices.parse(option_id) is not None:
            return self._texts.stale_option
        return self._texts.unknown_option

    # -- typed answers -------------------------------------------------------------------------
    def _understand(self, session: Session, text: str, asked: Sequence[str] = ()) -> matching.Match:
        """What a typed text names: a number counts the buttons shown (or a numbered label), or
        the two of a question just asked back."""
        number = matching.fold(text)
        if number.isdecimal():
            if asked:
                return matching.Match(self._asked(session, asked, int(number)))
            return matching.Match(self._numbered(session, int(number)))
        found = matching.match(self.current_options(session), text)
        if found.option is None and not found.candidates:
            found = matching.match(self._navigation(session), text)
        return found

    def _asked(self, session: Session, asked: Sequence[str], number: int) -> Option | None:
        """Button `number` of the question asked back, when it is still on offer."""
        if not 1 <= number <= len(asked):
            return None
        options = (*self.current_options(session), *self._navigation(session))
        return next((option for option in options if option.id == asked[number - 1]), None)

    def _numbered(self, session: Session, number: int) -> Option | None:
        """Option `number`: the one whose label carries that number (a phase, an employee, on
        any page), else the button in that place."""
        for option in self.current_options(session):
            if option.label.startswith(f"{number}. "):
                return option
        shown = self.shown_options(session)
        return shown[number - 1] if 1 <= number <= len(shown) else None

    def _typed(self, session: Session, text: str, asked: Sequence[str] = ()) -> Outcome:
        """A typed answer counts like the tap it names; close to two, ask which one was meant.

        A number right after such a question means one of its two buttons; a whole sentence is
        read by dialogs/understanding.py; what is still not understood gets a line that says
        what kind of answer fits this question.
        """
        found = self._understand(session, text, asked)
        if found.option is not None:
            return self._typed_path(session, (found.option,))
        talk = self._texts.small_talk
        if not found.candidates and matching.is_one_of(text, talk.thanks):
            return Outcome([self._prompt(session, lead=talk.thanks_reply, short=True)])
        if not found.candidates and matching.is_one_of(text, talk.greetings):
            return Outcome([self._prompt(session, lead=talk.greeting_reply, short=True)])
        options, moves = self.current_options(session), self._navigation(session)
        reading = self._typing.read(session, options, moves, text)
        if found.candidates and (
            reading.kind is not typing_answers.Kind.ACCEPT or " " not in text.strip()
        ):
            # One word close to two labels: which one? (A sentence is read as a whole.)
            return self._ask_back(session, self._texts.ask_which, found.candidates)
        if reading.kind is typing_answers.Kind.ACCEPT:
            outcome = self._typed_path(session, reading.path)
            # "over een maand" at the advice: to the reminder question, and read there again.
            return self._typed(session, text) if reading.again else outcome
        if reading.kind is typing_answers.Kind.RESTART:
            return Outcome(self._ask_restart(session))
        if reading.candidates:
            return self._ask_back(session, self._typing.ask_text(reading), reading.candidates)
        refusal = self._typing.refusal(session.state)
        return Outcome([self._prompt(session, lead=refusal, short=True)])

    def _typed_path(self, session: Session, path: Sequence[Option]) -> Outcome:
        """Choose typed options in order (a role behind "Iets anders" takes two) like taps."""
        outcome = Outcome([])
        for option in path:
            if option.id in (NAV_BACK, NAV_MORE):
                return self._move(session, option, tapped=False)
            outcome = self._choose(session, option)
        # Typed below the question: the next one comes as a new message, never in its place.
        return replace(outcome, replies=[replace(r, replaces=False) for r in outcome.replies])

    def _ask_back(self, session: Session, template: str, candidates: Sequence[Option]) -> Outcome:
        """Ask "Bedoel je A of B?" with A and B as buttons; a number typed next means one."""
        asked = tuple(candidates[:MAX_OPTIONS])
        session.asked = [option.id for option in asked]
        question = template.format(first=asked[0].label, second=asked[-1].label)
        return Outcome([Reply(question, asked)])

    # -- moving within a step: back, the next page of options --------------------------------
    def _paging(
        self, session: Session, options: Sequence[Option]
    ) -> tuple[list[Option], list[Option]]:
        """The options that go page by page, and those on every page (`pin` in the flow)."""
        state = self._flow.states.get(session.state)
        pins = {o.id for o in state.options if o.pin} if state is not None else set()
        return [o for o in options if o.id not in pins], [o for o in options if o.id in pins]

    def _pages(self, session: Session, options: Sequence[Option]) -> int:
        paged, pinned = self._paging(session, options)
        return -(-len(paged) // (PAGE_SIZE - len(pinned)))

    def _navigation(self, session: Session) -> tuple[Option, ...]:
        """The moving buttons on offer now (typed "terug" or "meer opties" works as well)."""
        return tuple(o for o in self.shown_options(session) if o.id in (NAV_BACK, NAV_MORE))

    def _can_go_back(self, session: Session) -> bool:
        """Whether "← Terug" makes sense here: an answer led to this question, and the step has
        no "terug" of its own (the advice's details go back to the overview themselves).

        Not in a check-in or a list opened by a command: those were not reached by the last
        answer, so undoing it would not lead back to where the user came from.
        """
        history = session.history
        if not history or session.confirm_restart is not None:
            return False
        if session.state not in self._back_shown:
            return False
        last = history[-1]
        if last.before is None:
            return False  # kept from an older record: no snapshot to go back to
        # A check-in is entered from outside the graph: its answers are not asked again (nor
        # are those of a step no longer in the flow): neither is in the table.
        leads = self._undoable_leads.get((last.step, last.option))
        if leads is None:  # a pick: where the state's pick list leads
            leads = self._undoable_leads.get((last.step, None), frozenset())
        return session.state in leads

    def _move(self, session: Session, navigation: Option, *, tapped: bool = True) -> Outcome:
        """Back (as /terug) or the next page of a long list; a tapped intake question is edited
        into the result in place."""
        if navigation.id == NAV_BACK:
            in_place = tapped and session.state in self._intake
            replies = self._back(session)
            return Outcome([replace(replies[-1], replaces=in_place)], navigation)
        work = draft(session)
        work.page = (session.page + 1) % self._pages(session, self.current_options(session))
        self._commit(session, work)
        return Outcome([self._prompt(session, replaces=tapped)], navigation)

    # -- asking before a restart wipes the answers -------------------------------------------
    def _ask_restart(self, session: Session, preset: str = "") -> list[Reply]:
        """Restart at once when nothing was answered yet; otherwise ask first."""
        if not session.history:
            return self._restart(session, preset=preset)
        work = draft(session)
        work.confirm_restart = preset if preset in self._flow.roles else ""
        self._commit(session, work)
        return [self._prompt(session)]

    def _confirming(self, session: Session, event: Event) -> Outcome:
        """The answer to "Opnieuw beginnen?": yes wipes, no (or back) goes on where we were."""
        options = self.current_options(session)
        chosen: Option | None = None
        if event.kind is EventKind.OPTION:
            chosen = next((option for option in options if option.id == event.value), None)
        elif event.kind is EventKind.TEXT:
            chosen = matching.match(options, event.value).option
            chosen = chosen or self._typing.yes_or_no(options, event.value)
        elif event.kind is EventKind.COMMAND and event.value == Command.BACK:
            chosen = next(option for option in options if option.id == KEEP)
        if chosen is None:
            lead = self._typing.restart_refusal() if event.kind is EventKind.TEXT else ""
            return Outcome([self._prompt(session, lead=lead)])
        if chosen.id == CONFIRM:
            return Outcome(self._restart(session, preset=session.confirm_restart or ""), chosen)
        work = draft(session)
        work.confirm_restart = None
        self._commit(session, work)
        return Outcome([self._prompt(session, lead=self._texts.restart.kept, short=True)], chosen)

    # -- steps ---------------------------------------------------------------------------------
    def _choose(self, session: Session, chosen: Option) -> Outcome:
        """Apply an option that is on offer (the caller checked it against the current options)."""
        spec = self._lookups.specs.get((session.state, chosen.id))
        if spec is not None and spec.action == "restart":
            return Outcome(self._ask_restart(session), chosen)
        # A shallow copy (the employees' records one level deeper, as effects set their fields):
        # effects assign new values and never change a stored list in place.
        slots = session.slots
        work = (
            draft(session, slots=[slot.model_copy() for slot in slots]) if slots else draft(session)
        )
        # The session itself is what `work` was before the answer: it is not changed until commit.
        notes = self._apply(work, chosen.id, spec, was=session.__dict__)
        if notes is None:
            return Outcome([self._prompt(session, lead=self._texts.unknown_option, short=True)])
        if work.state != session.state:
            work.page = 0
        # One intake question may take the place of the one just answered (edited in place), and
        # so may the advice and its views (flow.yaml `in_place`).
        in_place = (session.state, work.state) in self._in_place
        self._commit(session, work)
        return Outcome([*notes, self._prompt(session, replaces=in_place)], chosen)

    def _back(self, session: Session) -> list[Reply]:
        """Undo the last answer: put back what it changed, and return to where it was given.

        Like the answer before it, a step back never lands where no answer could lead: inside a
        check-in (entered from outside), or after an answer that no longer fits (its employee
        was removed since). Then the answers before are undone too.
        """
        if not session.history:
            return [self._prompt(session, lead=self._texts.back_at_start, short=True)]
        if session.history[-1].before is None:
            return [self._prompt(session, lead=self._texts.cannot_undo, short=True)]
        work = self._undone(session)
        while work.history and work.history[-1].before is not None and not self._still_fits(work):
            work = self._undone(work)
        self._commit(session, work)
        return [self._prompt(session, lead=self._texts.went_back)]

    def _undone(self, session: Session) -> Session:
        """`session` with its last answer undone (a copy): its snapshot put back."""
        answer = session.history[-1]
        work = draft(session)
        for name, value in (answer.before or {}).items():
            # The employee an answer left may have been removed since: stay with the one now.
            if name == "current" and session.slot(value) is None:
                continue
            setattr(work, name, value)
        work.state = answer.step
        work.page = 0
        work.history = session.history[:-1]
        return work

    def _still_fits(self, work: Session) -> bool:
        """Whether `work` (just undone) is a place a user can be back at: not inside a check-in,
        and its last answer is one that is still on offer where it was given."""
        if work.state in self._flow.entries:
            return False
        earlier = self._undone(work)
        if earlier.state in self._flow.entries:
            return True  # answers of a check-in cannot be asked again; where it ended stands
        option = work.history[-1].option
        if option == CHECK_IN_MARK:
            return True  # where a check-in began: the user was there
        return any(offered.id == option for offered in self.current_options(earlier))

    def _restart(self, session: Session, preset: str = "", lead: str = "") -> list[Reply]:
        work = self._fresh(session)
        notes: list[Reply] = []
        for option_id in self._preset_path(work, preset):
            notes.extend(self._offered(work, option_id) or [])
        self._commit(session, work)
        welcome = f"{lead}\n\n{self._texts.welcome}" if lead else self._texts.welcome
        return [Reply(welcome), *notes, self._prompt(session)]

    # -- machinery -----------------------------------------------------------------------------
    def _spec(self, state_name: str, option_id: str) -> OptionSpec | None:
        """A fixed option's definition; None for an option of a pick list."""
        return self._lookups.specs.get((state_name, option_id))

    def _apply(
        self,
        work: Session,
        option_id: str,
        spec: OptionSpec | None,
        was: dict[str, object] | None = None,
    ) -> list[Reply] | None:
        """Move `work` by one offered option along the graph; None (and `work` kept) if refused.

        `spec` is the fixed option's definition, or None for an option of a pick list; `was`:
        the fields of `work` as they are now, when the caller has them apart. The Step is one of
        its own, on `work` alone: nothing is shared with any other chat's step.
        """
        source = work.state
        if spec is None:
            moves = self._moves.get((source, None))
            if moves is None:
                return None  # no pick list here
            picked = choices.parse(option_id)
            assert picked is not None  # offered, so made by dialogs/choices.py
            answered, recorded = Answered(key=picked.key), True
        else:
            if spec.action is not None:
                return None
            moves = self._moves[(source, option_id)]
            answered, recorded = self._answered[(source, option_id)], spec.next is not None
        if was is None:  # effects assign new values, so a shallow copy keeps the old
            was = dict(work.__dict__)
        step = Step(self._context, work)
        if not take(step, moves, answered):
            return None
        now = work.__dict__  # written directly: a flow state and a list of answers made here
        now["state"] = step.state
        work.__pydantic_fields_set__.add("state")
        if recorded:
            before = {name: was[name] for name in UNDONE if was[name] != now[name]}
            given = new_answer(source, option_id, before)
            now["history"] = self._recorded(now["history"], given, step.state)
            work.__pydantic_fields_set__.add("history")
        return step.notes

    def _recorded(self, history: list[Answer], answer: Answer, reached: str) -> list[Answer]:
        """`history` with `answer` kept for /terug, bounded to what a step back can undo.

        Opening and closing a view is nothing to undo: an answer that only moved to another step
        (a detail, a word, the next phase), and the one that only moves back to where it was
        given, are both let go.
        """
        opened = history[-1] if history else None
        if (
            opened is not None
            and answer.step != reached
            and opened.step == reached
            and self._only_moved(opened)
            and self._only_moved(answer)
        ):
            return history[:-1]
        if len(history) < MAX_HISTORY:
            return [*history, answer]
        return [*history[1 - MAX_HISTORY :], answer]

    def _only_moved(self, answer: Answer) -> bool:
        """Whether `answer` changed no field and ran no effect (sent no plan, showed no team)."""
        if answer.before or answer.step not in self._flow.states:
            return False
        spec = self._spec(answer.step, answer.option)
        moves = spec if spec is not None else self._flow.states[answer.step].pick
        return moves is not None and not moves.do and not any(t.do for t in moves.targets)

    def _offered(self, work: Session, option_id: str) -> list[Reply] | None:
        """Apply an option of a preset, checking that it is on offer."""
        if not any(option.id == option_id for option in self.current_options(work)):
            return None
        return self._apply(work, option_id, self._spec(work.state, option_id))

    def _fresh(self, session: Session) -> Session:
        """The session as right after a start: same identity and team, no answers."""
        return Session(
            language=self.language,
            state=self._flow.start,
            turn=session.turn,
            created_at=session.created_at,
            updated_at=session.updated_at,
            **team_of(session),
        )

    def _preset_path(self, work: Session, preset: str) -> list[str]:
        """The options that choose `preset` (a role id) from the start step, e.g. [anders, zzp]."""
        if not preset or preset not in self._flow.roles:
            return []
        start = self._flow.states[work.state]
        for option in start.options:
            if option.id == preset:
                return [preset]
        for option in start.options:
            if option.do or option.action or option.next is None or option.when:
                continue
            for target in option.targets:
                inner = self._flow.states[target.to]
                if any(o.id == preset and "set_role" in o.do for o in inner.options):
                    return [option.id, preset]
        return []

    # -- the team and the check-in (entered from outside the graph) --------------------------------
    def _team(self, session: Session) -> list[Reply]:
        """/team: the list of employees and the question which one to open (not an answer).

        A reader without staff has no list: one friendly line, and the question of now.
        """
        if session.role in self._flow.roles and not self._flow.has_staff(session.role):
            return [self._prompt(session, lead=self._texts.team.no_staff)]
        if not session.role or not any(slot.assessments for slot in session.slots):
            return [self._prompt(session, lead=self._texts.team.empty)]
        work = session.model_copy(deep=True)
        step = Step(self._context, work)
        step.show_team(None)
        work.state = "team"
        work.page = 0
        self._commit(session, work)
        return [*step.notes, self._prompt(session)]

    def check_in(self, session: Session, letter: str) -> list[Reply]:
        """Start the check-in of employee `letter`: its first steps, then a short re-assessment.

        Clears the employee's review date in the same change, so the caller's save of this session
        is also the mark "sent". Raises KeyError when there is no such employee.

        A reader without staff (a zzp'er, a colleague, a teacher) gets no check-in: its texts are
        written for employers. Only a session saved before such readers lost the reminder can
        still hold a review date; it is cleared and nothing is said ([]).
        """
        work = session.model_copy(deep=True)
        slot = work.slot(letter)
        if slot is None or slot.phase is None:
            raise KeyError(letter)
        slot.review_at = None
        if not self._flow.has_staff(session.role):
            self._commit(session, work)
            return []
        work.current = letter
        work.phase = slot.phase
        work.advised = list(slot.advised)
        work.reuse_org = True
        work.checkin_step = 0
        work.page = 0
        work.confirm_restart = None
        work.state = "ci_stap" if slot.steps else "ci_fase"
        before = {name: getattr(session, name) for name in UNDONE}
        changed = {name: value for name, value in before.items() if value != getattr(work, name)}
        mark = new_answer(session.state, CHECK_IN_MARK, changed)
        work.history = [*session.history, mark][-MAX_HISTORY:]
        self._commit(session, work)
        return [self._prompt(session)]

    def _commit(self, session: Session, work: Session) -> None:
        """Copy an accepted change into the caller's session, counting the turn.

        `work` was validated field by field as it changed, so its fields are taken over as they
        are; unchanged fields are the same objects, which makes the comparison cheap.
        """
        if work.__dict__ == session.__dict__:
            return
        turn = session.turn + 1
        session.__dict__.update(work.__dict__, turn=turn, updated_at=datetime.now(UTC))
        session.__pydantic_fields_set__.update(work.__pydantic_fields_set__)
        session.__pydantic_fields_set__.update(COUNTED)

    def _prompt(
        self, session: Session, lead: str = "", *, short: bool = False, replaces: bool = False
    ) -> Reply:
        """The current question; `short`: the question alone, without what led up to it."""
        if session.confirm_restart is not None:
            text = self._texts.restart.question
        elif short:
            text = self._render.question(session)
        else:
            text = self._render.prompt(session)
        return Reply(
            f"{lead}\n\n{text}" if lead else text, self.shown_options(session), replaces=replaces
        )
