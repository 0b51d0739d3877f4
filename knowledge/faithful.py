"""The knowledge held to the report's own text: its names word for word, no claim stronger.

Why: the detail view tells a reader "Naam in het rapport: …", and an explanation is read as
what the report says. Both must stand in the report (:mod:`knowledge.report`). Two checks:

- every report name (`report_title`, or for a name the chart cuts off, the `report_fragment`
  it prints) occurs in the report word for word;
- an explanation uses no absolute word (altijd, nooit, bewezen, iedereen, …) unless the YAML
  comment on its entry cites a report line that says so ("rapport 602", "regels 511-515").
  The report's own claims are careful ("kan", "kunnen"); an absolute word is where a text
  most easily claims more.

- a referral (a network, fund or desk) is one the report names, and what the chat says of it is
  the report's or checked: its YAML comment cites report lines that hold a word of its name, and
  its `what` says it is the report's ("het rapport noemt …") unless the comment gives the address
  of a public source (issue 20: who runs it, which sector it serves, only with a source).

Without the report's text the name check is skipped and a citation is taken on trust; `check`
says so (:func:`faithfulness`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from knowledge.base import KnowledgeBase
from knowledge.report import Report, find_report, plain_words

# Words that claim more than a careful source does: for everyone, always, for sure, by itself.
ABSOLUTE_WORDS = (
    "altijd",
    "nooit",
    "bewezen",
    "aangetoond",
    "zeker",
    "vanzelf",
    "vanzelfsprekend",
    "iedereen",
    "niemand",
    "garandeert",
    "garanderen",
    "gegarandeerd",
    "garantie",
    "onmogelijk",
)

# The files whose entries have an `explanation`, relative to the data folder.
EXPLAINED = ("interventions/*.yaml", "preconditions.yaml", "blind_spots.yaml", "glossary.yaml")

_ENTRY = re.compile(r"^\s*- id:\s*(\S+)")
_COMMENT = re.compile(r"^\s*#(.*)$")
_CITES = re.compile(r"rapport|seed|regel", re.IGNORECASE)
_SOURCE = re.compile(r"https?://\S+")
_LINES = re.compile(r"(?<![\d%,.])(\d{1,3})(?:\s*[-–]\s*(\d{1,3}))?(?![\d%])")


@dataclass(frozen=True)
class Faithfulness:
    """What the checks found, and a note for the author when the report was not found."""

    problems: list[str]
    note: str | None = None


def faithfulness(knowledge: KnowledgeBase, data_dir: Path) -> Faithfulness:
    """Both checks over the knowledge read from `data_dir`, against the report when found."""
    path = find_report(data_dir)
    report = Report.read(path) if path is not None and path.is_file() else None
    problems = absolute_word_problems(knowledge, data_dir, report)
    problems += referral_source_problems(knowledge, data_dir, report)
    if report is None:
        note = (
            "note: the report's text was not found (set LEERCULTUUR_REPORT); report names "
            "and cited lines were not checked against it"
        )
        return Faithfulness(problems, note)
    return Faithfulness(report_name_problems(knowledge, report) + problems)


def report_name_problems(knowledge: KnowledgeBase, report: Report) -> list[str]:
    """Every intervention whose name in the report is not the report's, word for word."""
    found: list[str] = []
    for item in knowledge.interventions:
        field, name = (
            ("report_fragment", item.report_fragment)
            if item.report_fragment is not None
            else ("report_title", item.report_title)
        )
        if report.name_lines(name) is None:
            found.append(
                f"interventions/{item.layer}.yaml: {item.id}.{field}: {name!r} is not in the "
                "report word for word (a note goes in report_note)"
            )
    return found


def absolute_word_problems(
    knowledge: KnowledgeBase, data_dir: Path, report: Report | None
) -> list[str]:
    """Every explanation with an absolute word that no cited report line says."""
    comments = entry_comments(data_dir)
    found: list[str] = []
    for where, record_id, text in _explanations(knowledge):
        cited = citations(comments.get(record_id, ""))
        for word in absolute_words(text):
            if not _backed(word, cited, report):
                found.append(
                    f"{where}: {record_id}.explanation: {word!r} is stronger than the report; "
                    "say it carefully ('kan'), or cite the report line that says it in a "
                    "comment on the entry ('# rapport 173')"
                )
    return found


def referral_source_problems(
    knowledge: KnowledgeBase, data_dir: Path, report: Report | None
) -> list[str]:
    """Every referral not traced to the report, or told of beyond it without a public source."""
    path = data_dir / "referrals.yaml"
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    comments = {record_id: "\n".join(own) for record_id, own in _entries(lines)}
    found: list[str] = []
    for referral in knowledge.referrals:
        comment = comments.get(referral.id, "")
        cited = citations(comment)
        where = f"referrals.yaml: {referral.id}"
        if not cited:
            found.append(f"{where}: its comment cites no report line ('# Rapport, regel 832')")
        elif report is not None and not _names(report, referral.name, cited):
            found.append(f"{where}: no cited report line holds a word of its name")
        if "rapport" not in plain_words(referral.what) and _SOURCE.search(comment) is None:
            found.append(
                f"{where}.what: not said to be the report's; say so ('het rapport noemt'), or "
                "give the public source you checked it against in the comment (https://…)"
            )
    return found


def _names(report: Report, name: str, cited: list[tuple[int, int]]) -> bool:
    """A word of `name` (of four letters or more) stands on one of the cited lines."""
    long_words = [word for word in plain_words(name) if len(word) >= 4]
    return any(report.says(word, first, last) for word in long_words for first, last in cited)


def absolute_words(text: str) -> list[str]:
    """The absolute words of a text, each once, in order."""
    present = set(plain_words(text))
    return [word for word in ABSOLUTE_WORDS if word in present]


def citations(comment: str) -> list[tuple[int, int]]:
    """The report lines a comment cites: numbers on a comment line that names the report."""
    cited: list[tuple[int, int]] = []
    for line in comment.splitlines():
        if _CITES.search(line):
            for match in _LINES.finditer(line):
                first = int(match.group(1))
                cited.append((first, int(match.group(2) or first)))
    return cited


def entry_comments(data_dir: Path) -> dict[str, str]:
    """The comment lines of each entry (`- id: …`) in the explained files, by id.

    An entry's comments are those directly above its `- id:` line and those inside it.
    """
    comments: dict[str, str] = {}
    for pattern in EXPLAINED:
        for path in sorted(data_dir.glob(pattern)):
            for record_id, lines in _entries(path.read_text(encoding="utf-8").splitlines()):
                comments[record_id] = "\n".join(lines)
    return comments


def _entries(lines: list[str]) -> Iterator[tuple[str, list[str]]]:
    """(id, its comment texts) for each entry of a YAML list of records."""
    current: str | None = None
    own: list[str] = []
    above: list[str] = []
    for line in lines:
        entry = _ENTRY.match(line)
        comment = _COMMENT.match(line)
        if entry:
            if current is not None:
                yield current, own
            current, own, above = entry.group(1), above, []
        elif comment:
            above.append(comment.group(1))
        elif line.strip():
            own += above
            above = []
    if current is not None:
        yield current, own + above


def _backed(word: str, cited: list[tuple[int, int]], report: Report | None) -> bool:
    if report is None:
        return bool(cited)
    return any(report.says(word, first, last) for first, last in cited)


def _explanations(knowledge: KnowledgeBase) -> Iterator[tuple[str, str, str]]:
    """(file, id, explanation) of every record that explains itself to a reader."""
    for item in knowledge.interventions:
        yield f"interventions/{item.layer}.yaml", item.id, item.explanation
    for condition in knowledge.preconditions:
        yield "preconditions.yaml", condition.id, condition.explanation
    for spot in knowledge.blind_spots:
        yield "blind_spots.yaml", spot.id, spot.explanation
    for term in knowledge.glossary:
        yield "glossary.yaml", term.id, term.explanation
