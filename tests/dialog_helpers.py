"""Shared helpers for the dialog tests: one engine on the real data, and ways to drive it.

The roles, the way to each role and the phases are read from dialogs/data/flow.yaml and the
knowledge (issue 22): a role added to the flow is covered by every test that goes over the
roles, without editing a test. What a role should be (its layers, its audiences) is still written
out here for the roles we know (`EXPECTED_ROLES`), so that a mistake in the data is caught rather
than mirrored: tests/test_dialog_paths.py compares the two.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from dialogs import Engine, Event, Reply, Session, new_session
from dialogs.choices import Kind, make
from dialogs.engine import NAV_BACK, NAV_MORE
from dialogs.flow import DATA_DIR
from dialogs.progress import Progress
from locales import LOCALES_DIR, load_bundle


@cache
def engine() -> Engine:
    """The engine on the real flow, texts and knowledge (loaded once per test run)."""
    return Engine.load()


def roles_of(dialog: Engine) -> dict[str, tuple[set[str], set[str]]]:
    """Role id -> (layers, audiences), as the flow defines them."""
    return {
        role: (set(spec.layers), set(spec.audiences)) for role, spec in dialog.flow.roles.items()
    }


def role_paths(dialog: Engine) -> dict[str, list[str]]:
    """For each role of the flow, the options that choose it from the start question (directly,
    or behind an option such as "Iets anders")."""
    flow = dialog.flow
    paths: dict[str, list[str]] = {}
    for option in flow.states[flow.start].options:
        if "set_role" in option.do:
            paths[option.id] = [option.id]
            continue
        for target in option.targets:
            for inner in flow.states[target.to].options:
                if "set_role" in inner.do:
                    paths[inner.id] = [option.id, inner.id]
    return paths


# Role id -> (layers, audiences), as the issue describes the roles: the independent oracle.
EXPECTED_ROLES: dict[str, tuple[set[str], set[str]]] = {
    "lijn": ({"leidinggevende"}, set()),
    "hr": ({"hr"}, set()),
    "dir": ({"directie"}, set()),
    "mkb": ({"directie", "hr", "leidinggevende", "taken"}, {"mkb"}),
    "hrzl": ({"hr", "leidinggevende"}, set()),
    "collega": ({"collegas"}, set()),
    "onderwijs": ({"onderwijs"}, {"onderwijs"}),
    "zzp": ({"taken"}, {"zzp"}),
}
# The answer that skips the kind of work (issue 20), a further question of the role's section
# that the flow asks readers with staff.
SKIP_WORK = "geen"


def to_staging(dialog: Engine, path: list[str]) -> list[str]:
    """`path` (a role chosen) and, where the role leads to another question of the role's own
    section before the staging, the answer that skips it."""
    flow = dialog.flow
    state = flow.start
    for option_id in path:
        spec = next(option for option in flow.states[state].options if option.id == option_id)
        state = spec.targets[0].to
    if flow.states[state].section == flow.states[flow.start].section:
        return [*path, SKIP_WORK]
    return path


# Every role of the flow, and how each is chosen from the role question (and the kind of work
# skipped where it is asked); the roles with staff.
ROLES = roles_of(engine())
ROLE_PATH = {role: to_staging(engine(), path) for role, path in role_paths(engine()).items()}
STAFF = tuple(role for role in ROLES if engine().flow.has_staff(role))
TELEGRAM_TEXT_LIMIT = 4096
PHASES = [phase.key for phase in engine().knowledge.phases]


def progress_line(number: int, state: str, dialog: Engine | None = None) -> str:
    """The step counter of intake question `state` asked as step `number` ("Stap 2 van 10"):
    the total is the answers given plus the longest way left (dialogs/progress.py)."""
    dialog = dialog or engine()
    left = Progress(dialog.flow).ahead[state]
    return dialog.texts.progress.format(number=number, total=number - 1 + left)


def staging_paths() -> Iterator[tuple[list[str], str, bool]]:
    """Every answer sequence of the staging questions: (answers, phase, any "weet ik niet").

    The oracle: applying -> keeps choosing new learning (5) or not / unsure (4); not applying or
    unsure -> actively learning (3), else sees the importance (2) or not / unsure (1).
    """
    for first in ("ja", "nee", "wn"):
        if first == "ja":
            for second in ("ja", "nee", "wn"):
                phase = "continu" if second == "ja" else "toepassen"
                yield [first, second], phase, second == "wn"
            continue
        for second in ("ja", "nee", "wn"):
            if second == "ja":
                yield [first, second], "actie", first == "wn"
                continue
            for third in ("ja", "nee", "wn"):
                phase = "overwegen" if third == "ja" else "onbewust"
                yield [first, second, third], phase, "wn" in (first, second, third)


# An edit of a copy of the flow and the Dutch texts (both as read from YAML).
Edit = Callable[[dict[str, Any], dict[str, Any]], None]


def load_edited(tmp_path: Path, edit: Edit) -> Engine:
    """Copy the real flow and Dutch texts to tmp_path, apply `edit` to both, and load them."""
    shutil.copytree(DATA_DIR, tmp_path / "data")
    shutil.copytree(LOCALES_DIR / "nl", tmp_path / "locales" / "nl")
    flow_file = tmp_path / "data" / "flow.yaml"
    texts_file = tmp_path / "locales" / "nl" / "dialog.yaml"
    flow = yaml.safe_load(flow_file.read_text(encoding="utf-8"))
    texts = yaml.safe_load(texts_file.read_text(encoding="utf-8"))
    edit(flow, texts)
    flow_file.write_text(yaml.safe_dump(flow, allow_unicode=True), encoding="utf-8")
    texts_file.write_text(yaml.safe_dump(texts, allow_unicode=True), encoding="utf-8")
    bundle = load_bundle("nl", root=tmp_path / "locales")
    return Engine.load(engine().knowledge, data_dir=tmp_path / "data", bundle=bundle)


# Not an option: the check-in of the current employee starts here (as the scheduler starts it).
CHECK_IN = "!check-in"


def started(preset: str = "") -> Session:
    session = new_session()
    engine().handle(session, Event.start(preset))
    return session


_SHORTHAND = re.compile(r"^([fiwnst])([1-9][0-9]*)$")


def stable(session: Session, option_id: str) -> str:
    """The option id a test's shorthand names now: `f3` the third phase, `i2` the second
    intervention advised, `w1` the first warning, `n1` the first of the next phase, `s1` the
    first employee listed, `t1` the first difficult word; any other id as it is.

    Buttons name things by their keys (dialogs/choices.py); tests count, as a reader does.
    """
    found = _SHORTHAND.match(option_id)
    offered = [option.id for option in engine().current_options(session)]
    if found is None or option_id in offered:
        return option_id
    kind, number = Kind(found.group(1)), int(found.group(2))
    if kind is Kind.PHASE:
        return make(kind, PHASES[number - 1])
    if kind in (Kind.ITEM, Kind.WARNING, Kind.NEXT):
        plan = engine().advice_plan(session)
        keys = {
            Kind.ITEM: [item.id for item in plan.shown],
            Kind.WARNING: [gap.id for gap in plan.gaps],
            Kind.NEXT: [item.id for item in plan.next_phase],
        }
        return make(kind, keys[kind][number - 1])
    of_kind = [option for option in offered if option.startswith(f"{kind.value}.")]
    return of_kind[number - 1]


def choose(session: Session, *option_ids: str) -> list[Reply]:
    """Choose options in order, asserting that each one is accepted (the turn moves on).

    Picks may be named by their number (see `stable`).
    """
    replies: list[Reply] = []
    for shorthand in option_ids:
        if shorthand == CHECK_IN:
            assert session.current is not None
            replies = engine().check_in(session, session.current)
            continue
        option_id = stable(session, shorthand)
        offered = [option.id for option in engine().current_options(session)]
        assert option_id in offered, f"{option_id!r} not offered in {session.state}: {offered}"
        before = session.turn
        replies = engine().handle(session, Event.option(option_id))
        assert session.turn in (before, before + 1)
        for reply in replies:
            assert 0 < len(reply.text) <= TELEGRAM_TEXT_LIMIT
    return replies


def drive(*option_ids: str, preset: str = "") -> Session:
    session = started(preset)
    choose(session, *option_ids)
    return session


def advised(role: str, number: int, *answers: str) -> Session:
    """A session at the advice for `role` in phase `number` (picked by hand), the quick check's
    questions answered in order by `answers`, the last one repeated ("nee": every answer a gap)."""
    answers = answers or ("nee",)
    session = drive(*ROLE_PATH[role], "kies", f"f{number}")
    asked = 0
    while session.state == "check":
        choose(session, answers[min(asked, len(answers) - 1)])
        asked += 1
    return session


def pages_of(session: Session) -> list[list[str]]:
    """The option ids of the current question page by page, without the paging buttons; going
    round once, so the first page is shown again afterwards."""
    found: list[list[str]] = []
    while True:
        shown = [o.id for o in engine().shown_options(session) if o.id not in (NAV_BACK, NAV_MORE)]
        if found and shown == found[0]:
            return found
        found.append(shown)
        if NAV_MORE not in {o.id for o in engine().shown_options(session)}:
            return found
        engine().handle(session, Event.option(NAV_MORE))


def comparable(session: Session) -> dict[str, object]:
    """The session's content without its clocks and turn counter.

    The team (employees, the organisation's answers) is left out: a step back undoes an answer,
    not an employee's recorded assessment (see dialogs/session.py, TEAM_FIELDS).
    """
    exclude = {"turn", "updated_at", "created_at", "slots", "current", "org_checked_at"}
    return session.model_dump(exclude=exclude)


# A way into every state of the flow (the dialog tests check that no state is missing here).
# The way to the advice (a team lead whose employee is actively learning), and on to a check-in.
# A team lead (kind of work skipped) whose employee is actively learning; of the four quick-check
# questions only the first (room to try and fail, precondition 4) is answered as a gap.
TO_ADVICE = ["lijn", SKIP_WORK, "nee", "ja", "ok", "nee", "ja", "ja", "ja"]
TO_CHECK_IN = [*TO_ADVICE, "herinner", "w2", CHECK_IN]
STATE_PATHS: dict[str, list[str]] = {
    "rol": [],
    "rol_anders": ["anders"],
    "soort": ["lijn"],
    "s_toepassen": ["lijn", SKIP_WORK],
    "s_continu": ["lijn", SKIP_WORK, "ja"],
    "s_actief": ["lijn", SKIP_WORK, "nee"],
    "s_belang": ["lijn", SKIP_WORK, "nee", "nee"],
    "fase_kiezen": ["lijn", SKIP_WORK, "kies"],
    "uitslag": ["lijn", SKIP_WORK, "nee", "ja"],
    "check": ["lijn", SKIP_WORK, "nee", "ja", "ok"],
    "advies": [*TO_ADVICE],
    "uitleg": [*TO_ADVICE, "i2"],
    "woord": [*TO_ADVICE, "i4", "t1"],  # a detail with difficult words, and the first of them
    "meer": [*TO_ADVICE, "meer"],
    "volgende": [*TO_ADVICE, "volgende"],
    "vlekken": [*TO_ADVICE, "vlekken"],
    "hulp": [*TO_ADVICE, "hulp"],
    "plan": [*TO_ADVICE, "herinner", "geen", "plan"],  # no reminder asked after the plan
    "klaar": [*TO_ADVICE, "klaar"],
    "herinnering": [*TO_ADVICE, "herinner"],
    "team": [*TO_ADVICE, "team"],
    "medewerker": [*TO_ADVICE, "team", "s1"],
    "team_leeg": [*TO_ADVICE, "team", "s1", "wis"],
    "org": [*TO_ADVICE, "ander", "nee", "ja", "ok"],
    # Entered from outside the graph: the check-in of employee A (see `at_state`).
    "ci_stap": [*TO_CHECK_IN],
    "ci_fase": [*TO_CHECK_IN, "gedaan", "bezig"],
    "ci_kies": [*TO_CHECK_IN, "gedaan", "bezig", "kies"],
}


def refusal(state: str) -> str:
    """The line a typed answer that was not understood gets at `state`: what kind of answer fits
    there (dialog.yaml, understanding.refusals by the state's kind)."""
    understanding = engine().texts.understanding
    return understanding.refusals[understanding.kinds[state]]


def at_state(state: str) -> Session:
    """A session in `state` (`welkom`: never started)."""
    if state == "welkom":
        return new_session()
    session = drive(*STATE_PATHS[state])
    assert session.state == state
    return session


# Phrases that only some readers may get: an owner has a firm, a zzp'er and a colleague no staff.
# The dialog's advice and reader tests, the plan test and the Telegram advice test check every text
# against them.
RESERVED: dict[str, set[str]] = {
    "als eigenaar": {"eigenaar"},
    "je bedrijf": {"eigenaar", "directie"},
    "je medewerkers": {"eigenaar", "leidinggevende", "hr", "directie"},
    "je team": {"eigenaar", "leidinggevende", "hr", "directie"},
    # A reader without staff (zzp'er, colleague, teacher) is never addressed as an employer.
    "je medewerker": {"eigenaar", "leidinggevende", "hr", "directie"},
    # Nor read "de medewerker" (the quick check, a phase's description, the plan): a zzp'er reads
    # about himself, a colleague about his colleague, a teacher about the working learner.
    "de medewerker": {"eigenaar", "leidinggevende", "hr", "directie"},
    "deze medewerker": {"eigenaar", "leidinggevende", "hr", "directie"},
    "mijn medewerkers": {"eigenaar", "leidinggevende", "hr", "directie"},
    "andere medewerker": {"eigenaar", "leidinggevende", "hr", "directie"},
    "naam medewerker": {"eigenaar", "leidinggevende", "hr", "directie"},
    "één medewerker": {"eigenaar", "leidinggevende", "hr", "directie"},
    "als leidinggevende": {"leidinggevende"},
    "vanuit hr": {"hr"},
    "als docent": {"docent"},
    "in een klein bedrijf": {"eigenaar"},
}


def reserved_in(text: str, reader: str) -> list[str]:
    """The phrases in `text` that are meant for other readers than `reader`."""
    return [
        phrase
        for phrase, readers in RESERVED.items()
        if reader not in readers and re.search(rf"(?<!\w){phrase}(?!\w)", text, re.IGNORECASE)
    ]
