"""The knowledge says no more than the report (issue 20): its names word for word, and no
absolute word in an explanation unless a cited report line says it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from knowledge_helpers import copy_of_knowledge, failing_check

from knowledge import KnowledgeBase, load_from_yaml
from knowledge.cli import main
from knowledge.faithful import (
    absolute_word_problems,
    citations,
    entry_comments,
    referral_source_problems,
    report_name_problems,
)
from knowledge.loader import DATA_DIR
from knowledge.report import Report, find_report
from knowledge.schema import Intervention

# A report as the extraction gives it: prose that wraps and hyphenates, and a chart whose
# labels wrap within their column beside the next column's words.
REPORT = """\
Taken in het werk zijn een belangrijke bron. Zo kan het onderwijs iedereen bewust maken
van leren. Het rapport zegt nooit dat iets altijd werkt. Coachen van medewerkers op de
werkplek vraagt om leercoaches en om ontwik-
keling van docenten.
Organiseren informele Afstemmen talenten & Opzetten interne learning
Ll interactie leerwens* communities
Creéren van omgeving waar fouten mogen worden gemaakt*
"""


@pytest.fixture(scope="module")
def report() -> Report:
    return Report(REPORT)


@pytest.mark.parametrize(
    "name",
    [
        "Coachen van medewerkers op de werkplek",  # prose, wrapped
        "ontwikkeling van docenten",  # hyphenated at the end of a line
        "Organiseren informele interactie",  # a chart label, wrapped beside another column
        "Afstemmen talenten & leerwens",
        "Opzetten interne learning communities",
        "Creëren van omgeving waar fouten mogen worden gemaakt",  # the extraction's é for ë
    ],
)
def test_a_name_in_the_report_is_found(report: Report, name: str) -> None:
    assert report.name_lines(name) is not None, name


@pytest.mark.parametrize(
    "name",
    [
        "Coachen van medewerkers op de werkplek (leercoaches)",  # a note is not the name
        "Organiseren van informele interactie",  # a word the report does not print
        "Organiseren informele learning",  # words from another label further on the line
        "Taken in het werk zijn een bron",
    ],
)
def test_a_name_not_in_the_report_word_for_word_is_not_found(report: Report, name: str) -> None:
    assert report.name_lines(name) is None, name


def real_report() -> Report:
    path = find_report(DATA_DIR)
    if path is None:
        pytest.skip("the report's text is not beside this checkout")
    return Report.read(path)


def test_every_report_name_of_the_knowledge_is_the_report_s_word_for_word() -> None:
    assert report_name_problems(load_from_yaml(), real_report()) == []


@pytest.mark.parametrize(
    ("item_id", "name", "note"),
    [
        ("onderwijs-leercoaches", "Coachen van medewerkers op de werkplek", "leercoaches"),
        ("directie-taken-herontwerpen", "Taken herontwerpen", "leerrijk werk"),
        ("hr-oo-fondsen", "Gebruik maken van middelen opleiding & ontwikkelfondsen", "O&O-fondsen"),
        (
            "leidinggevende-kennis-nieuwe-medewerkers",
            "Ophalen kennis bij nieuwe MW/stagiaires",
            None,
        ),
    ],
)
def test_a_note_from_the_summary_is_kept_apart_from_the_name(
    item_id: str, name: str, note: str | None
) -> None:
    item = load_from_yaml().intervention(item_id)
    assert (item.report_title, item.report_note) == (name, note)


def test_a_name_with_a_note_fails_the_check(report: Report) -> None:
    knowledge = load_from_yaml()
    item = knowledge.intervention("onderwijs-leercoaches")
    noted = item.model_copy(update={"report_title": f"{item.report_title} (leercoaches)"})
    problems = report_name_problems(_with(knowledge, noted), real_report())
    assert problems == [
        "interventions/onderwijs.yaml: onderwijs-leercoaches.report_title: 'Coachen van "
        "medewerkers op de werkplek (leercoaches)' is not in the report word for word "
        "(a note goes in report_note)"
    ]


def test_a_cut_off_name_is_checked_by_the_words_the_report_prints() -> None:
    knowledge = load_from_yaml()
    item = knowledge.intervention("directie-ruimte-leren-innoveren")
    assert item.report_fragment is not None
    guessed = item.model_copy(update={"report_fragment": "Instellen van ruimte voor leren"})
    problems = report_name_problems(_with(knowledge, guessed), real_report())
    assert [p.split(":")[1].strip() for p in problems] == [
        "directie-ruimte-leren-innoveren.report_fragment"
    ]


def _with(knowledge: KnowledgeBase, changed: Intervention) -> KnowledgeBase:
    interventions = tuple(changed if i.id == changed.id else i for i in knowledge.interventions)
    return KnowledgeBase(
        phases=knowledge.phases,
        layers=knowledge.layers,
        interventions=interventions,
        preconditions=knowledge.preconditions,
        blind_spots=knowledge.blind_spots,
        referrals=knowledge.referrals,
        glossary=knowledge.glossary,
    )


# -- absolute words ---------------------------------------------------------------------------
def test_citations_are_the_line_numbers_of_a_comment_that_names_the_report() -> None:
    comment = "Rapport, regels 475-481: visie.\nZie ook 12% (CBS).\nrapport 173 en 178"
    assert citations(comment) == [(475, 481), (173, 173), (178, 178)]
    assert citations("Een notitie zonder bron, 2023.") == []


def _explained(tmp_path: Path, sentence: str, comment: list[str]) -> Path:
    """A copy of the knowledge where one intervention's explanation ends with `sentence`."""
    data = copy_of_knowledge(tmp_path)
    path = data / "interventions" / "taken.yaml"
    text = path.read_text(encoding="utf-8")
    head = "  - id: taken-uitdagende-taken\n"
    assert text.count(head) == 1
    lines = "".join(f"  # {line}\n" for line in comment)
    text = text.replace(head, lines + head)
    marker = "    explanation: >-\n"
    at = text.index(marker, text.index(head))
    end = text.index("\n    first_step", at)
    text = text[:end] + f" {sentence}" + text[end:]
    path.write_text(text, encoding="utf-8")
    return data


def _problems(data: Path, report: Report | None) -> list[str]:
    """The problems of the changed entry (the small report here backs no real citation)."""
    found = absolute_word_problems(load_from_yaml(data), data, report)
    return [problem for problem in found if "taken-uitdagende-taken." in problem]


def test_an_absolute_word_without_a_citation_fails(tmp_path: Path, report: Report) -> None:
    data = _explained(tmp_path, "Dit werkt altijd.", [])
    problems = _problems(data, report)
    assert len(problems) == 1
    assert problems[0].startswith(
        "interventions/taken.yaml: taken-uitdagende-taken.explanation: 'altijd' is stronger"
    )


def test_an_absolute_word_with_a_line_that_does_not_say_it_fails(
    tmp_path: Path, report: Report
) -> None:
    data = _explained(tmp_path, "Iedereen leert ervan.", ["Rapport, regel 6: een figuur."])
    assert [p.split("'")[1] for p in _problems(data, report)] == ["iedereen"]


def test_an_absolute_word_the_cited_line_says_passes(tmp_path: Path, report: Report) -> None:
    data = _explained(tmp_path, "Iedereen kan leren.", ["Rapport, regel 1: iedereen."])
    assert _problems(data, report) == []


def test_without_the_report_a_citation_is_taken_on_trust(tmp_path: Path) -> None:
    cited = _explained(tmp_path / "a", "Iedereen kan leren.", ["rapport 6"])
    assert _problems(cited, None) == []
    bare = _explained(tmp_path / "b", "Iedereen kan leren.", [])
    assert len(_problems(bare, None)) == 1


def test_the_comments_of_an_entry_are_those_above_it_and_inside_it() -> None:
    comments = entry_comments(DATA_DIR)
    assert "475-481" in comments["integrale-visie"]
    assert "407-408" in comments["directie-ruimte-leren-innoveren"]  # above its `- id:`
    assert "407-408" not in comments["directie-klantevaluaties"]


def test_the_real_knowledge_has_no_absolute_word_the_report_does_not_say() -> None:
    assert absolute_word_problems(load_from_yaml(), DATA_DIR, real_report()) == []


def test_the_check_command_fails_on_an_absolute_word(tmp_path: Path) -> None:
    data = _explained(tmp_path, "Dit werkt altijd.", [])
    lines = failing_check(data)
    assert any("taken-uitdagende-taken.explanation: 'altijd'" in line for line in lines), lines


def test_without_the_report_the_check_says_what_it_did_not_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LEERCULTUUR_REPORT", "/nergens/leercultuur-rapport.txt")
    out, err = io.StringIO(), io.StringIO()
    assert main(["check"], out=out, err=err) == 0
    assert "report's text was not found" in err.getvalue()
    assert out.getvalue().startswith("ok: ")


# -- referrals: the report's, and what is said of them sourced (issue 20) ------------------------
def _referral(data: Path, record_id: str, old: str, new: str) -> Path:
    """`data` with one text of a referral's entry (its comment or its `what`) replaced."""
    path = data / "referrals.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index(f"  - id: {record_id}\n")
    start = text.rfind("\n\n", 0, start)  # its comment stands above it
    end = text.index("\n\n", text.index(f"  - id: {record_id}\n"))
    entry = text[start:end]
    assert old in entry, (record_id, old)
    path.write_text(text[:start] + entry.replace(old, new) + text[end:], encoding="utf-8")
    return data


def _referral_problems(data: Path, record_id: str) -> list[str]:
    found = referral_source_problems(load_from_yaml(data), data, real_report())
    return [problem for problem in found if f": {record_id}" in problem]


def test_the_real_referrals_are_the_report_s_and_said_as_the_report_s() -> None:
    assert referral_source_problems(load_from_yaml(), DATA_DIR, real_report()) == []


def test_a_fact_the_report_does_not_state_needs_a_public_source(tmp_path: Path) -> None:
    """Main's Katapult text: who takes part, said in the bot's own voice, with no source."""
    unsourced = (
        "Een landelijk netwerk van samenwerkingen tussen beroepsonderwijs en bedrijven. Veel "
        "van de bedrijven die meedoen zijn mkb-bedrijven."
    )
    data = copy_of_knowledge(tmp_path)
    path = data / "referrals.yaml"
    text = path.read_text(encoding="utf-8")
    at = text.index("    what:", text.index("  - id: katapult\n"))
    end = text.index("    when:", at)
    path.write_text(f'{text[:at]}    what: "{unsourced}"\n{text[end:]}', encoding="utf-8")
    problems = _referral_problems(data, "katapult")
    assert len(problems) == 1 and "katapult.what: not said to be the report's" in problems[0]
    assert any("katapult.what" in line for line in failing_check(data))
    sourced = _referral(
        data, "katapult", "  - id: katapult", "  # https://example.org/bron\n  - id: katapult"
    )
    assert _referral_problems(sourced, "katapult") == []


def test_a_referral_must_cite_report_lines_that_name_it(tmp_path: Path) -> None:
    data = _referral(copy_of_knowledge(tmp_path), "gas-erop", "regels 731-732", "regels 60-61")
    assert [p for p in _referral_problems(data, "gas-erop") if "a word of its name" in p]
    bare = _referral(data, "gas-erop", "# Rapport, regels 60-61", "# Zie hieronder")
    assert [p for p in _referral_problems(bare, "gas-erop") if "cites no report line" in p]
