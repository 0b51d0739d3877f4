"""Plain language is enforced on every reader-facing text by the authors' check, not by the bot."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import yaml
from knowledge_helpers import copy_of_knowledge, failing_check

from knowledge import KnowledgeBase, KnowledgeError, load_from_yaml, load_knowledge
from knowledge.plain_language import readability_problems, reader_texts

SHORT = "Een korte zin."
LONG = " ".join(["woord"] * 26) + "."


def plain(knowledge: KnowledgeBase) -> KnowledgeBase:
    """The real model with every reader-facing text replaced by one short sentence."""
    return dataclasses.replace(
        knowledge,
        phases=tuple(
            p.model_copy(
                update={"description": SHORT, "signals": [SHORT, SHORT], "manager_focus": SHORT}
            )
            for p in knowledge.phases
        ),
        layers=tuple(
            layer.model_copy(update={"who": SHORT, "description": SHORT})
            for layer in knowledge.layers
        ),
        interventions=tuple(
            i.model_copy(update={"title": "Korte titel", "explanation": SHORT, "first_step": SHORT})
            for i in knowledge.interventions
        ),
        preconditions=tuple(
            p.model_copy(
                update={
                    "title": "Korte titel",
                    "explanation": SHORT,
                    "when_gap": SHORT,
                    "checks": [c.model_copy(update={"question": "Klopt dat?"}) for c in p.checks],
                }
            )
            for p in knowledge.preconditions
        ),
        blind_spots=tuple(
            s.model_copy(update={"title": "Korte titel", "explanation": SHORT, "advice": SHORT})
            for s in knowledge.blind_spots
        ),
        referrals=tuple(
            r.model_copy(update={"what": SHORT, "when": SHORT, "ask": SHORT})
            for r in knowledge.referrals
        ),
        glossary=tuple(t.model_copy(update={"explanation": SHORT}) for t in knowledge.glossary),
    )


@pytest.fixture(scope="module")
def clean() -> KnowledgeBase:
    return plain(load_from_yaml())


def test_short_texts_pass(clean: KnowledgeBase) -> None:
    assert readability_problems(clean) == []


def with_first(knowledge: KnowledgeBase, table: str, update: dict[str, Any]) -> KnowledgeBase:
    records = getattr(knowledge, table)
    changed = (records[0].model_copy(update=update), *records[1:])
    changes: dict[str, Any] = {table: changed}
    return dataclasses.replace(knowledge, **changes)


# (table, update of its first record, the field path the problem must name)
EVERY_TEXT = [
    ("phases", {"description": LONG}, "phases.yaml: onbewust.description"),
    ("phases", {"signals": [SHORT, LONG]}, "phases.yaml: onbewust.signals.1"),
    ("phases", {"manager_focus": LONG}, "phases.yaml: onbewust.manager_focus"),
    ("layers", {"who": LONG}, "layers.yaml: taken.who"),
    ("layers", {"description": LONG}, "layers.yaml: taken.description"),
    ("interventions", {"explanation": LONG}, "interventions/{layer}.yaml: {id}.explanation"),
    ("interventions", {"first_step": LONG}, "interventions/{layer}.yaml: {id}.first_step"),
    (
        "interventions",
        {"first_step_for": {"zzp": LONG}},
        "interventions/{layer}.yaml: {id}.first_step_for.zzp",
    ),
    ("interventions", {"span_note": LONG}, "interventions/{layer}.yaml: {id}.span_note"),
    ("preconditions", {"title": LONG}, "preconditions.yaml: {id}.title"),
    ("preconditions", {"explanation": LONG}, "preconditions.yaml: {id}.explanation"),
    ("preconditions", {"when_gap": LONG}, "preconditions.yaml: {id}.when_gap"),
    (
        "preconditions",
        {"when_gap_for": {"collega": LONG}},
        "preconditions.yaml: {id}.when_gap_for.collega",
    ),
    ("blind_spots", {"title": LONG}, "blind_spots.yaml: {id}.title"),
    ("blind_spots", {"explanation": LONG}, "blind_spots.yaml: {id}.explanation"),
    ("blind_spots", {"advice": LONG}, "blind_spots.yaml: {id}.advice"),
    ("blind_spots", {"advice_for": {"docent": LONG}}, "blind_spots.yaml: {id}.advice_for.docent"),
    ("referrals", {"what": LONG}, "referrals.yaml: {id}.what"),
    ("referrals", {"when": LONG}, "referrals.yaml: {id}.when"),
    ("referrals", {"ask": LONG}, "referrals.yaml: {id}.ask"),
    ("glossary", {"explanation": LONG}, "glossary.yaml: {id}.explanation"),
]


@pytest.mark.parametrize(("table", "update", "where"), EVERY_TEXT)
def test_a_long_sentence_anywhere_is_named_by_file_record_and_field(
    clean: KnowledgeBase, table: str, update: dict[str, Any], where: str
) -> None:
    changed = with_first(clean, table, update)
    record = getattr(changed, table)[0]
    place = where.format(id=getattr(record, "id", ""), layer=getattr(record, "layer", ""))
    found = readability_problems(changed)
    assert f"{place}: sentence of 26 words (at most 25): {LONG!r}" in found


def test_a_check_question_is_measured(clean: KnowledgeBase) -> None:
    first = clean.preconditions[0]
    question = first.checks[0].model_copy(update={"question": LONG})
    changed = with_first(clean, "preconditions", {"checks": [question]})
    place = f"preconditions.yaml: {first.id}.checks.{question.id}.question"
    assert f"{place}: sentence of 26 words (at most 25): {LONG!r}" in readability_problems(changed)


def test_the_average_is_held_per_kind(clean: KnowledgeBase) -> None:
    twenty = " ".join(["woord"] * 20) + "."
    changed = dataclasses.replace(
        clean,
        referrals=tuple(
            r.model_copy(update={"what": twenty, "when": twenty, "ask": twenty})
            for r in clean.referrals
        ),
    )
    found = readability_problems(changed)
    assert len(found) == 1
    assert found[0].startswith(
        "referrals.yaml: what, when, ask: average sentence length 20.0 words"
    )


def test_intervention_lengths(clean: KnowledgeBase) -> None:
    item = clean.interventions[0]
    where = f"interventions/{item.layer}.yaml: {item.id}"
    changed = with_first(
        clean,
        "interventions",
        {
            "title": "Een titel van negen woorden is echt te lang",
            "explanation": "Kort. " * 53 + "Ja.",
            "first_step_for": {"collega": "Zeg iets. " * 20 + "Ja."},
        },
    )
    assert readability_problems(changed) == [
        f"{where}.title: 9 words (at most 8)",
        f"{where}.explanation: 321 characters (at most 320)",
        f"{where}.first_step_for.collega: 203 characters (at most 200)",
    ]
    long_title = with_first(clean, "interventions", {"title": "Ontwikkelingsgerichte " * 3})
    assert readability_problems(long_title) == [f"{where}.title: 65 characters (at most 60)"]


def test_every_kind_is_named_once(clean: KnowledgeBase) -> None:
    names = [kind.name for kind in reader_texts(clean)]
    assert len(names) == len(set(names))
    assert all(kind.texts for kind in reader_texts(clean))


@pytest.fixture
def data(tmp_path: Path) -> Path:
    target = copy_of_knowledge(tmp_path)
    hr = target / "interventions/hr.yaml"
    content = yaml.safe_load(hr.read_text(encoding="utf-8"))
    content["interventions"][0]["first_step"] = LONG
    hr.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def first_hr_id(data: Path) -> str:
    content = yaml.safe_load((data / "interventions/hr.yaml").read_text(encoding="utf-8"))
    return str(content["interventions"][0]["id"])


def test_check_fails_on_a_long_sentence_and_names_file_and_key(data: Path) -> None:
    lines = failing_check(data)
    expected = f"interventions/hr.yaml: {first_hr_id(data)}.first_step: sentence of 26 words"
    assert any(line.startswith(expected) for line in lines)


def test_the_bot_loads_a_draft_that_is_not_plain_yet(data: Path, tmp_path: Path) -> None:
    knowledge = load_knowledge(data, tmp_path / "store.json")
    assert knowledge.interventions_for(["hr"], 1)
    with pytest.raises(KnowledgeError) as caught:
        load_from_yaml(data, plain_language=True)
    expected = f"interventions/hr.yaml: {first_hr_id(data)}.first_step: sentence of 26 words"
    assert any(line.startswith(expected) for line in caught.value.errors)


def test_the_real_knowledge_reads_plainly() -> None:
    """Fails until the writers' plain rewrite of the YAML is merged (CONTENT_SPEC, issue 10)."""
    assert readability_problems(load_from_yaml()) == []
