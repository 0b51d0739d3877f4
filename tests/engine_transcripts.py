"""Everything the engine says on every way through the intake, as one digest per way.

Why: the engine's step is rebuilt for speed (issue 22), and its output must stay the same to the
letter. The ways are derived from dialogs/data/flow.yaml and the knowledge, never copied: every
role (by the options that choose it), every phase picked by hand, every answer combination of the
quick check (8 roles x 5 phases x 27 = the issue's 1,080 today). At the advice each option on
offer is tapped once more (on a copy), so the advice's views are compared too.

A way's transcript holds each reply (text, buttons with their labels and synonyms, attachment,
edited in place or not) and the session after each step, its clocks masked. The digests of the
engine as it was are kept in tests/data/engine_transcripts.json; after a deliberate change of
the dialog's words or flow, write them anew from the engine before the change:

    .venv/bin/python tests/engine_transcripts.py --write
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

from dialog_helpers import role_paths

from dialogs import Engine, Event, Reply, Session, new_session
from dialogs.engine import NAV_BACK, NAV_MORE

FIXTURE = Path(__file__).parent / "data" / "engine_transcripts.json"
_CLOCK = re.compile(r"\d{4}-\d\d-\d\dT[0-9:.]+(?:Z|[+-]\d\d:\d\d)?")
_MOVES = (NAV_BACK, NAV_MORE)


def pick_phase_option(engine: Engine) -> str:
    """The option of the first staging question that lets the user pick the phase by hand."""
    flow = engine.flow
    role = next(o for o in flow.states[flow.start].options if "set_role" in o.do)
    staging = flow.states[role.targets[0].to]
    return next(
        option.id
        for option in staging.options
        for target in option.targets
        if (pick := flow.states[target.to].pick) is not None and pick.source == "phases"
    )


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
    """(key, option ids from the start) for every way to the advice the issue counts."""
    advice = advice_state(engine)
    kies = pick_phase_option(engine)
    for role, path in role_paths(engine).items():
        session = new_session()
        engine.handle(session, Event.start())
        for option_id in [*path, kies]:
            engine.handle(session, Event.option(option_id))
        yield from _branches(engine, session, advice, [*path, kies], role)


def _branches(
    engine: Engine, session: Session, advice: str, path: list[str], key: str
) -> Iterator[tuple[str, list[str]]]:
    if session.state == advice:
        yield key, path
        return
    for option_id in _offered(engine, session):
        branch = session.model_copy(deep=True)
        engine.handle(branch, Event.option(option_id))
        yield from _branches(engine, branch, advice, [*path, option_id], f"{key}/{option_id}")


def transcript(engine: Engine, path: list[str]) -> list[object]:
    """What the engine says along `path` from /start, then for each option on offer at its end."""
    out: list[object] = []
    session = new_session()
    _step(engine, session, Event.start(), out)
    for option_id in path:
        _step(engine, session, Event.option(option_id), out)
    out.append(["prompt", _reply(engine.prompt(session))])
    for option_id in _offered(engine, session):
        branch = session.model_copy(deep=True)
        _step(engine, branch, Event.option(option_id), out)
    return out


def digest(engine: Engine, path: list[str]) -> str:
    text = json.dumps(transcript(engine, path), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def digests(engine: Engine) -> dict[str, str]:
    return {key: digest(engine, path) for key, path in ways(engine)}


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
