"""Scripted console conversations: the same dialog in a terminal, driven through a pipe."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from dialog_helpers import engine, progress_line, refusal

from bot import console
from locales import load_bundle


def chat(script: str, *argv: str) -> str:
    out = io.StringIO()
    assert console.main(list(argv), stdin=io.StringIO(script), stdout=out) == 0
    return out.getvalue()


def test_a_whole_conversation_by_numbers_and_labels(tmp_path: Path) -> None:
    script = "\n".join(
        [
            "4",
            "sla over",
            "nee",
            "1",
            "klopt",
            "ja",
            "Nee",
            "ja",
            "ja",
            "wat komt hierna?",
            "terug naar het overzicht",
            "stuur mijn actieplan",
            "/stop",
            "niet meer gelezen",
        ]
    )
    output = chat(script, "--out", str(tmp_path))
    texts = engine().texts
    assert texts.welcome in output
    assert "  4) Eigenaar MKB zonder HR" in output
    assert "Fase 3 van 5" in output
    assert "> klopt" in output  # piped input is echoed
    assert texts.model_caption in output
    assert texts.plan_caption in output
    assert output.rstrip().endswith(load_bundle().console.bye)
    assert "niet meer gelezen" not in output
    saved = sorted(path.suffix for path in tmp_path.iterdir())
    assert saved == [".pdf", ".png"]
    assert str(tmp_path) in output


def test_commands_and_free_text(tmp_path: Path) -> None:
    output = chat(
        "lijn\nsla over\n/help\nwat bedoel je\n/terug\n/terug\n/back\n/opnieuw\n",
        "--out",
        str(tmp_path),
    )
    texts = engine().texts
    assert texts.states["s_toepassen"].help in output
    assert refusal("s_toepassen") in output
    assert texts.went_back in output
    assert texts.back_at_start in output
    assert output.count(texts.welcome) == 2


def test_a_number_out_of_range_is_free_text(tmp_path: Path) -> None:
    output = chat("99\n", "--out", str(tmp_path))
    assert refusal("rol") in output


def test_a_preset_role_and_end_of_input(tmp_path: Path) -> None:
    output = chat("", "--rol", "zzp", "--out", str(tmp_path))
    note = engine().texts.roles["zzp"].note
    assert note is not None and note in output
    assert progress_line(3, "s_toepassen") in output  # role and "iets anders": steps 1 and 2
    assert output.rstrip().endswith(load_bundle().console.bye)


def test_start_with_a_preset_mid_conversation(tmp_path: Path) -> None:
    output = chat("lijn\n/start mkb\nja\n", "--out", str(tmp_path))  # yes: start again
    assert engine().texts.restart.question in output
    note = engine().texts.roles["mkb"].note
    assert note is not None and note in output


def test_a_broken_definition_exits_with_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from dialogs import Engine, FlowError

    def broken(*args: object, **kwargs: object) -> None:
        raise FlowError(["flow.yaml: states.x: kapot"])

    monkeypatch.setattr(Engine, "load", broken)
    assert console.main([], stdin=io.StringIO(""), stdout=io.StringIO()) == 1


def test_broken_texts_exit_with_every_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    from locales import BundleError

    def broken(*args: object, **kwargs: object) -> None:
        raise BundleError(["nl/console.yaml: bye: Field required"])

    monkeypatch.setattr(console, "load_bundle", broken)
    errors = io.StringIO()
    monkeypatch.setattr("sys.stderr", errors)
    assert console.main([], stdin=io.StringIO(""), stdout=io.StringIO()) == 1
    assert "nl/console.yaml: bye: Field required" in errors.getvalue()


def test_help_comes_from_the_bundle(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        console.main(["--help"], stdin=io.StringIO(""), stdout=io.StringIO())
    shown = " ".join(capsys.readouterr().out.split())
    arguments = load_bundle().console.arguments
    assert " ".join(arguments.description.split()) in shown
    assert arguments.out in shown
