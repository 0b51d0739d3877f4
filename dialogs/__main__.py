"""`python -m dialogs diagram`: the authors' command line for the dialog definition.

Author tooling speaks English; what users of the bot read is Dutch and lives in the data files.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from dialogs.checks import graph_problems
from dialogs.diagram import README, embed, mermaid
from dialogs.flow import FLOW_FILE, Flow, FlowError, read_flow
from dialogs.selfcheck import SelfCheckDialog
from dialogs.selfcheck_diagram import START as SELFCHECK_START
from dialogs.selfcheck_diagram import embed_selfcheck, selfcheck_mermaid
from knowledge import load_knowledge
from locales import load_bundle


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dialogs", description="Tools for the dialog definition (flow.yaml)."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    diagram = commands.add_parser("diagram", help="print the flow as a mermaid state diagram")
    diagram.add_argument("--flow", type=Path, default=FLOW_FILE, help="the flow file to draw")
    diagram.add_argument(
        "--readme",
        type=Path,
        nargs="?",
        const=README,
        help=(
            "instead of printing, replace the diagram between the flow markers in this Markdown "
            f"file (default: {README.name} next to flow.yaml)"
        ),
    )
    return parser


def main(argv: list[str] | None = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Run one command; exit 0 on success, 1 on a broken flow or a file without markers."""
    args = _parser().parse_args(argv)
    try:
        flow = read_flow(args.flow)
        broken = graph_problems(flow)
        if broken:
            raise FlowError(broken)
    except FlowError as error:
        for line in error.errors:
            print(line, file=err)
        print(f"{len(error.errors)} error(s) in {args.flow.name}: not drawn", file=err)
        return 1
    diagram = mermaid(flow)
    if args.readme is None:
        print(diagram, end="", file=out)
        return 0
    try:
        document = args.readme.read_text(encoding="utf-8")
        updated = embed(document, diagram)
        if SELFCHECK_START in updated:
            updated = embed_selfcheck(updated, selfcheck_mermaid(_selfcheck(flow)))
    except (OSError, ValueError) as error:
        print(f"{args.readme}: {error}", file=err)
        return 1
    if updated != document:
        args.readme.write_text(updated, encoding="utf-8")
    print(f"{args.readme}: diagram {'updated' if updated != document else 'unchanged'}", file=out)
    return 0


def _selfcheck(flow: Flow) -> SelfCheckDialog:
    """The employee's self-check on this flow, with the default texts and knowledge."""
    return SelfCheckDialog(flow, load_bundle(), load_knowledge())


if __name__ == "__main__":
    sys.exit(main())
