"""Everything the engine says on every way through the intake, as one digest per way.

Why: the engine's step is rebuilt for speed (issue 22), and its output must stay the same to the
letter. The ways are derived from dialogs/data/flow.yaml and the knowledge, never copied: every
role (by the options that choose it), every phase picked by hand, every answer combination of the
quick check (8 roles x 5 phases x 27 = the issue's 1,080 with three check questions; 3,240 since
issue 20 asks four). At the end of the ways whose check answers are all the same, each option
on offer at the advice is tapped once more (on a copy), so the advice's views are compared too.

A way's transcript holds each reply (text, buttons with their labels and synonyms, attachment,
edited in place or not) and the session after each step, its clocks masked. The ways run at a
fixed clock (`CLOCK`): some views name a date ("laatst bekeken op 6 december 2026" in the team
list), and at the running clock every digest with one changed at midnight (Amsterdam). The
digests of the engine as it was are kept in tests/data/engine_transcripts.json; after a
deliberate change of the dialog's words or flow, write them anew from the engine before the change:

    .venv/bin/python tests/engine_transcripts.py --write
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import time_machine
from dialog_helpers import role_paths

from dialogs import Engine, Event, Reply, Session, new_session
from dialogs.engine import NAV_BACK, NAV_MORE

FIXTURE = Path(__file__).parent / "data" / "engine_transcripts.json"
_CLOCK = re.compile(r"\d{4}-\d\d-\d\dT[0-9:.]+(?:Z|[+-]\d\d:\d\d)?")
_MOVES = (NAV_BACK, NAV_MORE)
# The moment the ways are played at: the kept digests were written at this clock.
CLOCK = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def _phase_pick(engine: Engine) -> str:
    """The state where the phase is picked by hand."""
    return next(
        name
        for name, state in engine.flow.states.items()
        if state.pick is not None and state.pick.source == "phases"
    )


def _leads_to(engine: Engine, state: str, option_id: str, goal: str) -> bool:
    spec = next((o for o in engine.flow.states[state].options if o.id == option_id), None)
    return spec is not None and any(target.to == goal for target in spec.targets)


def advice_state(engine: Engine) -> str:
    return next(name for name, state in engine.flow.states.items() if state.render == "advice")


def _offered(engine: Engine, session: Session) -> list[str]:
    return [option.id for option in engine.current_options(session) if option.id not in _MOVES]


def _reply(reply: Reply) -> dict[str, object]:
    return {
        "text": reply.text,
        "options": [[o.id, o.label, list(o.synonyms)] for o in reply.options],
        "attachment": reply.attachment,
        "replaces": reply.replaces,
    }


def _session(session: Session) -> str:
    return _CLOCK.sub("<t>", session.model_dump_json())


def _step(engine: Engine, session: Session, event: Event, out: list[object]) -> None:
    replies = engine.handle(session, event)
    out.append([event.kind.value, event.value, [_reply(r) for r in replies], _session(session)])


def ways(engine: Engine) -> Iterator[tuple[str, list[str]]]:
    """(key, option ids from the start) for every way to the advice the issue counts.

    After the role: the phase picked by hand (every phase), every answer of the quick check; any
    other question on the way is answered with its first option (it is not what is counted).
    """
    for role, path in role_paths(engine).items():
        session = new_session()
        engine.handle(session, Event.start())
        for option_id in path:
            engine.handle(session, Event.option(option_id))
        yield from _branches(engine, session, path, role)


def _branches(
    engine: Engine, session: Session, path: list[str], key: str
) -> Iterator[tuple[str, list[str]]]:
    state = session.state
    if state == advice_state(engine):
        yield key, path
        return
    offered = _offered(engine, session)
    pick = _phase_pick(engine)
    if state == pick or engine.flow.states[state].render == "check":
        chosen, branching = offered, True
    else:
        toward = [option for option in offered if _leads_to(engine, state, option, pick)]
        chosen, branching = (toward or offered)[:1], False
    for option_id in chosen:
        branch = session.model_copy(deep=True)
        engine.handle(branch, Event.option(option_id))
        below = f"{key}/{option_id}" if branching else key
        yield from _branches(engine, branch, [*path, option_id], below)


def transcript(engine: Engine, path: list[str], views: bool = True) -> list[object]:
    """What the engine says along `path` from /start, then (`views`) for each option on offer at
    its end."""
    out: list[object] = []
    session = new_session()
    _step(engine, session, Event.start(), out)
    for option_id in path:
        _step(engine, session, Event.option(option_id), out)
    out.append(["prompt", _reply(engine.prompt(session))])
    for option_id in _offered(engine, session) if views else []:
        branch = session.model_copy(deep=True)
        _step(engine, branch, Event.option(option_id), out)
    return out


def digest(engine: Engine, path: list[str], views: bool = True) -> str:
    text = json.dumps(transcript(engine, path, views), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def digests(engine: Engine) -> dict[str, str]:
    """Per way, the digest of its transcript. The advice's views are opened at the end of the
    ways whose quick-check answers are all the same (all gaps, none, all unsure: every kind of
    warning), which keeps the comparison to seconds with four check questions (3,240 ways)."""
    with time_machine.travel(CLOCK, tick=False):
        return {key: digest(engine, path, _same_answers(key)) for key, path in ways(engine)}


def _same_answers(key: str) -> bool:
    answers = key.split("/")[2:]
    return len(set(answers)) <= 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="write the fixture anew")
    args = parser.parse_args()
    found = digests(Engine.load())
    if args.write:
        FIXTURE.write_text(json.dumps(found, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(found)} ways")


if __name__ == "__main__":
    main()
