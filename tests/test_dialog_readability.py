"""Every text a user reads keeps the readability limits (`python -m knowledge check`).

The dialog's texts and the rest of the language's bundle: Telegram's own messages (/privacy,
/vergeet, the errors), the console and the words on the picture and in the action plan.
"""

from __future__ import annotations

from dataclasses import replace

from dialog_helpers import engine

from dialogs.knowledge_check import check, readable, readable_bundle
from locales import load_bundle
from locales.model import prose

LONG = " ".join(["woord"] * 30) + "."


def test_the_dialog_texts_are_readable() -> None:
    assert check(engine().knowledge) == []


def test_a_long_sentence_in_the_dialog_texts_fails_the_check() -> None:
    texts = engine().texts.model_copy(update={"welcome": LONG})
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


def test_every_file_of_the_bundle_is_readable() -> None:
    bundle = load_bundle()
    assert [file for file, _ in bundle.files()] == [
        "dialog.yaml",
        "telegram.yaml",
        "console.yaml",
        "artifacts.yaml",
        "selfcheck.yaml",
    ]
    assert readable_bundle(bundle) == []


def test_a_long_sentence_in_telegram_yaml_fails_the_check() -> None:
    bundle = load_bundle()
    privacy = f"Wat ik bewaar\n{LONG} Een korte zin."
    broken = replace(bundle, telegram=bundle.telegram.model_copy(update={"privacy": privacy}))
    found = readable_bundle(broken)
    assert len(found) == 1
    assert found[0].startswith("telegram.yaml: privacy: sentence of 30 words (at most 25)")


def test_a_long_sentence_deep_in_the_other_files_is_found_with_its_key() -> None:
    bundle = load_bundle()
    stored = bundle.telegram.stored.model_copy(update={"nothing": LONG})
    plan = bundle.artifacts.action_plan
    with_whom = {**plan.check_in_with, "zzp": LONG}
    arguments = bundle.console.arguments.model_copy(update={"out": LONG})
    broken = replace(
        bundle,
        telegram=bundle.telegram.model_copy(update={"stored": stored}),
        artifacts=bundle.artifacts.model_copy(
            update={"action_plan": plan.model_copy(update={"check_in_with": with_whom})}
        ),
        console=bundle.console.model_copy(update={"arguments": arguments}),
    )
    found = " ".join(readable_bundle(broken))
    for where in (
        "telegram.yaml: stored.nothing: ",
        "artifacts.yaml: action_plan.check_in_with.zzp: ",
        "console.yaml: arguments.out: ",
    ):
        assert where in found


def test_a_file_of_long_sentences_fails_on_its_average() -> None:
    bundle = load_bundle()
    long_but_allowed = " ".join(["woord"] * 24) + "."
    privacy = " ".join([long_but_allowed] * 200)
    texts = bundle.telegram.model_copy(update={"privacy": privacy})
    found = readable(texts, "telegram.yaml")
    assert len(found) == 1
    assert found[0].startswith("telegram.yaml: average sentence length")


def test_only_prose_is_measured() -> None:
    bundle = load_bundle()
    telegram = dict(prose(bundle.telegram))
    # A command's name is typed, not read; its line in the menu is read.
    assert "commands.start.name" not in telegram and "commands.start.description" in telegram
    # "➜ {label}" only arranges a label the dialog wrote (and checks) itself.
    assert "chosen" not in telegram
    artifacts = dict(prose(bundle.artifacts))
    assert not [path for path in artifacts if path.endswith(("filename", "employee_stamp"))]
    assert "action_plan.footer" in artifacts
    # Lists hold what a user types (synonyms, console commands), not what the bot says.
    assert not [path for path, _ in prose(bundle.console) if path.startswith("commands")]
    assert "intro" in dict(prose(bundle.console))
