"""What the knowledge tests share: a private copy of the data to break, and the CLI to run."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel

from knowledge.loader import DATA_DIR
from knowledge.readability import sentences


def copy_of_knowledge(tmp_path: Path) -> Path:
    """A private copy of the real knowledge that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m knowledge ARGS` in a fresh process, as an author types it."""
    return subprocess.run(
        [sys.executable, "-m", "knowledge", *args], capture_output=True, text=True, check=False
    )


def failing_check(data: Path) -> list[str]:
    """The lines `python -m knowledge --data DATA check` prints, after it failed as it must.

    Failing as it must: exit status 1 and a list of problems, never a traceback at an author.
    """
    result = run_cli("--data", str(data), "check")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return result.stderr.strip().splitlines()


# Claims the report does not make (issue 10, checked against the report's lines 183, 511-515 and
# 725-729), each as a pattern on one sentence, case-folded: "een belangrijke bron" is not "de
# grootste"; only zelfstandigen are called an often forgotten group, never uitzendkrachten.
UNSUPPORTED_CLAIMS: dict[str, str] = {
    "the work itself is the biggest source of learning": r"grootste (leer)?bron",
    "workload is the biggest brake": r"grootste (rem|belemmering)",
    "the problem is mostly not unwillingness": r"\bonwil|meestal zit het probleem",
    "small firms leave that money unused": r"\bgeld\b.*\bliggen\b|\bliggen\b.*\bgeld\b",
    "temporary workers are often forgotten": (
        r"(uitzend|flexkracht).*vergeten|vergeten.*(uitzend|flexkracht)"
    ),
    # Issue 20, against the report's lines 172-173, 178, 124, 701 and 725.
    "the report calls it scientifically proven (173: from scientific literature)": (
        r"wetenschappelijk (onderbouwd|bewezen)|\bbewezen\b"
    ),
    "an intervention works in a phase (178: it is most relevant there)": (
        r"\bwerkt (vooral |alleen )?(in|vanaf) (elke )?fase"
    ),
    "the report's blind spots are often forgotten (725: said of zzp'ers only)": (
        r"\b(dingen die|wat) vaak vergeten (worden|wordt)"
    ),
    "the owner decides how much people learn (124: the tasks influence it)": (
        r"bepaal\w* (je |ook )*hoeveel .*\bleren"
    ),
    "actions across layers never cohere (701: coherence is often missing)": (
        r"hangen niet (met elkaar )?samen"
    ),
}


def unsupported_claims(text: str) -> list[str]:
    """The claims of UNSUPPORTED_CLAIMS that a sentence of `text` makes (their descriptions)."""
    found: list[str] = []
    for sentence in sentences(text.casefold()):
        found += [
            claim
            for claim, pattern in UNSUPPORTED_CLAIMS.items()
            if re.search(pattern, sentence) and claim not in found
        ]
    return found


def every_string(value: object, path: str) -> Iterator[tuple[str, str]]:
    """Every string in a record, text model or collection, with a path to find it by."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, BaseModel):
        for field in type(value).model_fields:
            yield from every_string(getattr(value, field), f"{path}.{field}")
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from every_string(inner, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, inner in enumerate(value):
            label = getattr(inner, "id", None) or getattr(inner, "key", None) or index
            yield from every_string(inner, f"{path}.{label}")
