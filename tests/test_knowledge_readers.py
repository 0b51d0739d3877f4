"""Reader variants, the report's own titles and the glossary: the schema of the plain rewrite."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from knowledge_helpers import copy_of_knowledge
from pydantic import ValidationError

from knowledge import KnowledgeBase, KnowledgeError, load_from_yaml
from knowledge.schema import READERS, BlindSpot, GlossaryTerm, Intervention, Precondition

BASE: dict[str, Any] = {
    "id": "taken-proef",
    "title": "Taken anders verdelen",
    "label": "Taken anders verdelen",
    "report_title": "Taken herontwerpen",
    "layer": "taken",
    "phases": "1-2",
    "evidence": False,
    "span_source": "grafiek",
    "explanation": "Een korte uitleg.",
    "first_step": "Kies deze week één taak.",
}


def test_readers_are_the_specs_seven() -> None:
    assert READERS == (
        "eigenaar",
        "leidinggevende",
        "hr",
        "directie",
        "collega",
        "zzp",
        "docent",
    )


def test_the_report_s_title_is_required_the_other_new_fields_are_not() -> None:
    with pytest.raises(ValidationError, match="report_title"):
        Intervention.model_validate({k: v for k, v in BASE.items() if k != "report_title"})
    item = Intervention.model_validate(BASE)
    assert item.report_title == "Taken herontwerpen" and item.span_note is None
    assert item.title_reconstructed is False and item.report_fragment is None
    assert item.first_step_for == {}
    assert item.first_step_for_reader("collega") == "Kies deze week één taak."


def test_a_reader_gets_the_own_variant_and_everyone_else_the_common_text() -> None:
    item = Intervention.model_validate(
        {**BASE, "first_step_for": {"collega": "Vraag een collega om hulp."}}
    )
    assert item.first_step_for_reader("collega") == "Vraag een collega om hulp."
    assert item.first_step_for_reader("eigenaar") == "Kies deze week één taak."
    assert item.first_step_for_reader(None) == "Kies deze week één taak."
    assert item.first_step_for_reader("onbekend") == "Kies deze week één taak."


def test_an_unknown_reader_key_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        Intervention.model_validate({**BASE, "first_step_for": {"baas": "Doe iets nuttigs."}})
    assert caught.value.errors()[0]["loc"][:2] == ("first_step_for", "baas")


def test_a_reconstructed_title_needs_the_printed_fragment() -> None:
    with pytest.raises(ValidationError, match="report_fragment"):
        Intervention.model_validate(
            {**BASE, "report_title": "Taken herontwerpen", "title_reconstructed": True}
        )
    with pytest.raises(ValidationError, match="reconstructed title only"):
        Intervention.model_validate({**BASE, "report_fragment": "Taken herontw"})
    item = Intervention.model_validate(
        {
            **BASE,
            "report_title": "Taken herontwerpen",
            "title_reconstructed": True,
            "report_fragment": "Taken herontw",
            "span_note": "De figuur laat het eind niet scherp zien.",
        }
    )
    assert item.report_title == "Taken herontwerpen"


def test_preconditions_and_blind_spots_have_reader_variants() -> None:
    gap = Precondition.model_validate(
        {
            "id": "veiligheid",
            "number": 4,
            "title": "Veilig leren",
            "label": "Veilig leren",
            "explanation": "Uitleg.",
            "checks": [{"id": "fouten", "question": "Mag je fouten maken?"}],
            "when_gap": "Praat erover met je team.",
            "when_gap_for": {"zzp": "Praat erover met een vakgenoot."},
        }
    )
    assert gap.when_gap_for_reader("zzp") == "Praat erover met een vakgenoot."
    assert gap.when_gap_for_reader("hr") == "Praat erover met je team."
    spot = BlindSpot.model_validate(
        {
            "id": "impliciet",
            "title": "Leren zonder het te merken",
            "explanation": "Uitleg.",
            "advice": "Maak het zichtbaar.",
            "advice_for": {"docent": "Maak het zichtbaar in de les."},
        }
    )
    assert spot.advice_for_reader("docent") == "Maak het zichtbaar in de les."
    assert spot.advice_for_reader(None) == "Maak het zichtbaar."


def term(term_id: str, text: str, *aliases: str) -> GlossaryTerm:
    return GlossaryTerm(id=term_id, term=text, aliases=list(aliases), explanation="Uitleg.")


def glossary(*terms: GlossaryTerm) -> KnowledgeBase:
    real = load_from_yaml()
    return KnowledgeBase(
        phases=real.phases,
        layers=real.layers,
        interventions=real.interventions,
        preconditions=real.preconditions,
        blind_spots=real.blind_spots,
        referrals=real.referrals,
        glossary=terms,
    )


def test_glossary_finds_whole_words_in_order_of_first_appearance() -> None:
    pop = term("pop", "POP", "persoonlijk ontwikkelplan")
    bbl = term("bbl", "bbl", "beroepsbegeleidende leerweg")
    fonds = term("oo-fonds", "O&O-fonds")
    knowledge = glossary(pop, bbl, fonds)
    text = "Via de bbl en een Persoonlijk\nontwikkelplan; dan een pop-gesprek. Vraag het O&O-fonds."
    assert knowledge.glossary_in(text) == [bbl, pop, fonds]
    assert knowledge.glossary_in("Een populair bblad, ook O&O.") == []
    assert knowledge.glossary_in("BBL, BBL en nog eens bbl") == [bbl]


def test_the_longest_phrase_wins_an_overlap() -> None:
    plan = term("plan", "plan")
    pop = term("pop", "POP", "persoonlijk plan")
    assert glossary(plan, pop).glossary_in("Een persoonlijk plan.") == [pop]
    assert glossary(plan, pop).glossary_in("Een plan.") == [plan]


def test_an_empty_glossary_finds_nothing() -> None:
    assert glossary().glossary_in("intervisie") == []


def test_the_real_glossary_explains_its_first_words() -> None:
    knowledge = load_from_yaml()
    found = knowledge.glossary_in("Na de intervisiesessie schreef ze een POP voor haar bbl.")
    assert [t.id for t in found] == ["intervisie", "pop", "bbl"]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return copy_of_knowledge(tmp_path)


def test_a_word_explained_twice_is_an_error(data: Path) -> None:
    terms = [
        {
            "id": "pop",
            "term": "POP",
            "aliases": ["Persoonlijk  ontwikkelplan"],
            "explanation": "Een plan.",
        },
        {"id": "plan", "term": "persoonlijk ontwikkelplan", "explanation": "Een plan."},
        {"id": "pop", "term": "ontwikkelplan", "explanation": "Een plan."},
    ]
    path = data / "glossary.yaml"
    path.write_text(yaml.safe_dump({"terms": terms}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_from_yaml(data)
    assert caught.value.errors == [
        "glossary.yaml: terms: key 'pop' occurs more than once",
        "glossary.yaml: terms.1: 'persoonlijk ontwikkelplan' is already explained by 'pop'",
    ]


def test_a_missing_glossary_is_reported(data: Path) -> None:
    (data / "glossary.yaml").unlink()
    with pytest.raises(KnowledgeError) as caught:
        load_from_yaml(data)
    assert caught.value.errors == ["glossary.yaml: (file): file is missing"]
