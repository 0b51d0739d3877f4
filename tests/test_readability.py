"""The readability measure: what counts as a sentence and a word, and what breaks the limits."""

from __future__ import annotations

from knowledge.readability import measure, problems, sentences, words


def test_sentences_split_at_stops_and_line_breaks() -> None:
    text = "Dit is een zin. En nog een! Klopt dat?\n• een punt uit een lijst"
    assert sentences(text) == [
        "Dit is een zin.",
        "En nog een!",
        "Klopt dat?",
        "• een punt uit een lijst",
    ]


def test_words_keep_compounds_and_placeholders_whole() -> None:
    assert words("Vraag je O&O-fonds of zzp'er {naam} om hulp.") == [
        "Vraag",
        "je",
        "O&O-fonds",
        "of",
        "zzp'er",
        "{naam}",
        "om",
        "hulp",
    ]


def test_a_long_sentence_is_reported_with_its_place() -> None:
    long_sentence = " ".join(["woord"] * 26) + "."
    found = problems("uitleg", [("hr.yaml: interventions.0.explanation", long_sentence)])
    assert found[0].startswith("hr.yaml: interventions.0.explanation: sentence of 26 words")
    assert any("average sentence length 26.0" in line for line in found)


def test_short_sentences_pass() -> None:
    assert problems("uitleg", [("x", "Een korte zin. Nog een korte zin.")]) == []


def test_average_is_over_the_whole_kind() -> None:
    texts = [("a", " ".join(["w"] * 20) + "."), ("b", "Kort. Kort.")]
    result = measure("soort", texts)
    assert result.sentence_count == 3
    assert round(result.average, 2) == round(22 / 3, 2)
