"""The dialog's own user texts keep the readability limits (`python -m knowledge check`)."""

from __future__ import annotations

from dialog_helpers import engine

from dialogs.knowledge_check import check, readable


def test_the_dialog_texts_are_readable() -> None:
    assert check(engine().knowledge) == []


def test_a_long_sentence_in_the_dialog_texts_fails_the_check() -> None:
    long = " ".join(["woord"] * 30) + "."
    texts = engine().texts.model_copy(update={"welcome": long})
    found = readable(texts)
    assert any(
        problem.startswith("dialog.yaml: welcome: sentence of 30 words") for problem in found
    )


def test_a_long_reader_line_is_found_too() -> None:
    advice = engine().texts.advice
    lines = {**advice.phase_line, "zzp": "Kort. " + " ".join(["heel"] * 26) + " lang."}
    texts = engine().texts.model_copy(
        update={"advice": advice.model_copy(update={"phase_line": lines})}
    )
    assert any("advice.phase_line.zzp" in problem for problem in readable(texts))
