"""A picture of the employee's self-check, drawn from the running dialog itself.

Why explored and not declared: the self-check's steps are a few lines of code in
dialogs/selfcheck.py plus the flow's own staging questions. Walking every button from the
welcome with the very dialog a user meets gives a picture that cannot drift from it. It sits in
`data/README.md` between its own markers, next to the flow's picture, replaced by
``make diagram``; a test keeps the committed picture equal to the generated one.
"""

from __future__ import annotations

from collections import defaultdict

from dialogs.events import Event
from dialogs.selfcheck import SelfCheck, SelfCheckDialog

START = "<!-- selfcheck:start -->"
END = "<!-- selfcheck:end -->"
# Any digest will do: the walk never touches a link.
_WALK_INVITE = "0" * 64


def _ident(state: str) -> str:
    return state.replace(".", "_")


def selfcheck_mermaid(dialog: SelfCheckDialog) -> str:
    """Every step of the self-check and every button between them, as a mermaid diagram."""
    first = SelfCheck(invite=_WALK_INVITE)
    moves: dict[tuple[str, str], list[str]] = defaultdict(list)
    seen: list[str] = []
    queue = [first]
    while queue:
        check = queue.pop(0)
        if check.state in seen:
            continue
        seen.append(check.state)
        for option in dialog.options(check):
            after, _ = dialog.decide(check, Event.option(option.id))
            labels = moves[(check.state, after.state)]
            if option.id not in labels:
                labels.append(option.id)
            queue.append(after)
    lines = ["---", "title: zelfcheck (dialogs/selfcheck.py)", "---", "stateDiagram-v2"]
    lines += [f'    state "{state}" as {_ident(state)}' for state in seen]
    lines.append(f"    [*] --> {_ident(first.state)}")
    lines += [
        f"    {_ident(source)} --> {_ident(target)}: {' | '.join(labels)}"
        for (source, target), labels in moves.items()
    ]
    return "\n".join(lines) + "\n"


def embed_selfcheck(document: str, diagram: str) -> str:
    """`document` with the part between the self-check markers replaced by `diagram`."""
    start, end = document.find(START), document.find(END)
    if start < 0 or end < start:
        raise ValueError(f"expected {START} followed by {END}")
    block = f"{START}\n```mermaid\n{diagram}```\n"
    return document[:start] + block + document[end:]
