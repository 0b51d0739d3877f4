"""The authors' command line: check the YAML, build the store, look at one cell of the grid.

Author tooling speaks English, as pydantic's own validation messages do; what users of the bot read
is Dutch and lives in the data files.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from knowledge.base import KnowledgeBase
from knowledge.checks import registered_problems
from knowledge.faithful import faithfulness
from knowledge.loader import DATA_DIR, KnowledgeError, load_from_yaml
from knowledge.plain_language import readability_problems
from knowledge.store import DEFAULT_STORE, source_fingerprint, write_store


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m knowledge", description="Check, build and browse the knowledge."
    )
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="folder with the YAML files")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "check",
        help="validate every file, its plain language and the registered checks (the dialog); "
        "list all errors at once",
    )
    build_cmd = commands.add_parser("build", help="check, then write the TinyDB store")
    build_cmd.add_argument("--store", type=Path, default=DEFAULT_STORE)
    build_cmd.add_argument("--quiet", action="store_true", help="print nothing on success")
    show = commands.add_parser("show", help="list the interventions of one cell, best first")
    show.add_argument("--layer", action="append", required=True, help="layer key (repeatable)")
    show.add_argument("--phase", required=True, help="phase key or number (1-5)")
    show.add_argument("--json", action="store_true", help="print JSON instead of a table")
    return parser


def main(argv: list[str] | None = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Run one command; exit 0 on success, 1 on broken knowledge, 2 on a bad request."""
    args = _parser().parse_args(argv)
    try:
        knowledge = load_from_yaml(args.data)
    except KnowledgeError as error:
        return _fail(error.errors, err)
    if args.command == "show":
        return _show(knowledge, args.layer, args.phase, args.json, out, err)
    # Browsing a draft is fine; what is checked or built must also read plainly, say no more
    # than the report and fit the dialog. All lists at once, so that an author sees every
    # problem in one run.
    faithful = faithfulness(knowledge, args.data)
    problems = readability_problems(knowledge) + faithful.problems + registered_problems(knowledge)
    if faithful.note and args.command == "check":
        print(faithful.note, file=err)
    if problems:
        return _fail(problems, err)
    if args.command == "build":
        # Written only now, after every check passed: a failed build leaves the old store.
        write_store(knowledge, args.store, source_fingerprint(args.data))
        if not args.quiet:
            print(f"built {args.store} ({_summary(knowledge)})", file=out)
        return 0
    print(f"ok: {_summary(knowledge)}", file=out)
    return 0


def _fail(problems: list[str], err: TextIO) -> int:
    for line in problems:
        print(line, file=err)
    print(f"{len(problems)} error(s) in the knowledge files", file=err)
    return 1


def _summary(knowledge: KnowledgeBase) -> str:
    return (
        f"{len(knowledge.phases)} phases, {len(knowledge.layers)} layers, "
        f"{len(knowledge.interventions)} interventions, "
        f"{len(knowledge.preconditions)} preconditions, "
        f"{len(knowledge.blind_spots)} blind spots, {len(knowledge.referrals)} referrals, "
        f"{len(knowledge.glossary)} glossary terms"
    )


def _show(
    knowledge: KnowledgeBase,
    layers: list[str],
    phase: str,
    as_json: bool,
    out: TextIO,
    err: TextIO,
) -> int:
    try:
        phase_record = knowledge.phase(phase)
        found = knowledge.interventions_for(layers, phase_record.key)
    except KeyError as error:
        known_layers = ", ".join(layer.key for layer in knowledge.layers)
        known_phases = ", ".join(f"{p.number}/{p.key}" for p in knowledge.phases)
        print(
            f"unknown layer or phase {error}; layers: {known_layers}; phases: {known_phases}",
            file=err,
        )
        return 2
    if as_json:
        rows = [
            {
                "id": item.id,
                "title": item.title,
                "layer": item.layer,
                "phases": [
                    knowledge.phase(n).key for n in range(item.phases.first, item.phases.last + 1)
                ],
                "evidence": item.evidence,
                "span_source": item.span_source,
            }
            for item in found
        ]
        json.dump(rows, out, ensure_ascii=False, indent=2)
        print(file=out)
        return 0
    print(
        f"{', '.join(layers)} × {phase_record.number} {phase_record.label}: {len(found)}", file=out
    )
    for item in found:
        mark = "*" if item.evidence else " "
        print(f"  {mark} {item.phases!s:<4} {item.layer:<15} {item.title}  [{item.id}]", file=out)
    return 0
