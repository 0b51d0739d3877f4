"""The language bundles: one loader, every problem at once, CLDR formatting, a language as files.

The English bundle in tests/data/locales/en is complete but short; with it the real dialog runs in
English without a line of code, which is the promise of `locales/`.
"""

from __future__ import annotations

import io
import shutil
import tomllib
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from bot.artifacts import render
from bot.console import to_event
from bot.telegram.app import bot_commands
from dialogs import Command, Engine, Event, EventKind, FlowError, Session, new_session
from locales import LOCALES_DIR, Bundle, BundleError, load_bundle
from locales.model import strings
from locales.placeholders import tables, wanted_in
from locales.stats import load_stats_texts

TEST_LOCALES = Path(__file__).parent / "data" / "locales"
ROOT = Path(__file__).resolve().parent.parent
FILES = ("dialog", "telegram", "console", "artifacts", "selfcheck")


@pytest.fixture(scope="module")
def english() -> Bundle:
    return load_bundle("en", root=TEST_LOCALES)


@pytest.fixture(scope="module")
def english_engine(english: Bundle) -> Engine:
    return Engine.load(bundle=english)


def copy_of_dutch(tmp_path: Path) -> Path:
    shutil.copytree(LOCALES_DIR / "nl", tmp_path / "nl")
    return tmp_path


# ---- loading ------------------------------------------------------------------------------------


def test_the_dutch_bundle_has_every_front_end() -> None:
    bundle = load_bundle()
    assert bundle.language == "nl"
    assert bundle.dialog.labels["ja"] == "Ja"
    assert bundle.telegram.commands.restart.name == "opnieuw"
    assert "/terug" in bundle.console.commands.back
    assert bundle.artifacts.action_plan.document_title == "Actieplan leercultuur"
    assert load_bundle("nl") is bundle  # read once per process


def test_every_problem_of_every_file_is_reported_at_once(tmp_path: Path) -> None:
    root = copy_of_dutch(tmp_path)
    telegram = root / "nl" / "telegram.yaml"
    telegram.write_text(
        telegram.read_text(encoding="utf-8").replace("expired:", "verlopen:"), encoding="utf-8"
    )
    (root / "nl" / "console.yaml").write_text("intro: [\n", encoding="utf-8")
    (root / "nl" / "artifacts.yaml").unlink()
    with pytest.raises(BundleError) as caught:
        load_bundle("nl", root=root)
    errors = caught.value.errors
    assert "nl/telegram.yaml: expired: Field required" in errors
    assert "nl/telegram.yaml: verlopen: Extra inputs are not permitted" in errors
    assert any(e.startswith("nl/console.yaml: line 2: not valid YAML") for e in errors), errors
    assert "nl/artifacts.yaml: (file): file is missing" in errors
    assert len(errors) == 4


def test_a_missing_language_names_every_missing_file(tmp_path: Path) -> None:
    with pytest.raises(BundleError) as caught:
        load_bundle("fr", root=tmp_path)
    assert caught.value.errors == [f"fr/{name}.yaml: (file): file is missing" for name in FILES]


@pytest.mark.parametrize("language", ["../nl", "nl/..", "", "NL", "dutch"])
def test_a_language_is_a_code_not_a_path(language: str) -> None:
    with pytest.raises(BundleError):
        load_bundle(language)


def test_a_language_without_cldr_data_is_refused(tmp_path: Path) -> None:
    shutil.copytree(LOCALES_DIR / "nl", tmp_path / "qqq")
    with pytest.raises(BundleError, match="qqq: no CLDR data"):
        load_bundle("qqq", root=tmp_path)


def test_a_broken_bundle_is_a_flow_error_for_the_engine() -> None:
    with pytest.raises(FlowError) as caught:
        Engine.load(language="fr")
    assert "fr/dialog.yaml: (file): file is missing" in caught.value.errors


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("    name: start\n", "    name: begin\n", "must be named 'start'"),
        ("    name: terug\n", "    name: opnieuw\n", "used for more than one command: ['opnieuw']"),
        ("    name: terug\n", "    name: Terug!\n", "String should match pattern"),
    ],
)
def test_telegram_command_names_are_checked(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    path = copy_of_dutch(tmp_path) / "nl" / "telegram.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    with pytest.raises(BundleError) as caught:
        load_bundle("nl", root=tmp_path)
    assert any(message in error for error in caught.value.errors), caught.value.errors


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "telegram",
            "je rol: {role}",
            "je rol: {rol}",
            "nl/telegram.yaml: stored.role: placeholders ['rol'] but expected",
        ),
        (
            "telegram",
            "hoort bij een eerdere vraag.",
            "hoort bij een {eerdere} vraag.",
            "nl/telegram.yaml: expired: placeholders ['eerdere'] but expected []",
        ),
        (
            "artifacts",
            "hebt. Op {check_in}",
            "hebt. Op {check_in",
            "nl/artifacts.yaml: action_plan.caption: braces do not match",
        ),
        (
            "console",
            "{path}]",
            "]",
            "nl/console.yaml: saved: placeholders [] but expected ['path']",
        ),
        (
            "selfcheck",
            'team_line: "   Medewerker {letter} zelf',
            'team_line: "   Medewerker zelf',
            "nl/selfcheck.yaml: manager.team_line: placeholders ['self'] but expected",
        ),
        (  # one variant of a text by reader: the table's `*` covers every variant
            "artifacts",
            'zzp: "Jouw fase: {number}. {label}"',
            'zzp: "Jouw fase: {label}"',
            "nl/artifacts.yaml: action_plan.phase_heading_for.zzp: placeholders ['label'] but",
        ),
    ],
)
def test_templates_are_checked_when_loaded(
    tmp_path: Path, file: str, old: str, new: str, message: str
) -> None:
    path = copy_of_dutch(tmp_path) / "nl" / f"{file}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(BundleError) as caught:
        load_bundle("nl", root=tmp_path)
    assert any(error.startswith(message) for error in caught.value.errors), caught.value.errors


def test_the_figures_page_templates_are_checked_when_loaded(tmp_path: Path) -> None:
    path = copy_of_dutch(tmp_path) / "nl" / "stats.yaml"
    text = path.read_text(encoding="utf-8")
    assert 'hidden: "< {floor}"' in text
    path.write_text(text.replace('hidden: "< {floor}"', 'hidden: "< 5"'), encoding="utf-8")
    with pytest.raises(BundleError) as caught:
        load_stats_texts("nl", root=tmp_path)
    assert caught.value.errors == [
        "nl/stats.yaml: hidden: placeholders [] but expected ['floor']"
    ], caught.value.errors


def test_the_placeholder_table_names_only_texts_that_exist() -> None:
    """A stale row (a text renamed or removed) would silently expect nothing of its successor."""
    bundle = load_bundle()
    models = {**dict(bundle.files()), "stats.yaml": load_stats_texts()}
    assert set(tables()) == set(models)
    for file, texts in models.items():
        paths = {path for path, _ in strings(texts)}
        for path in wanted_in(file):
            parent, _, last = path.rpartition(".")
            named = _dict_at(texts, parent) is not None if last == "*" else path in paths
            assert named, f"{file}: {path}"


def _dict_at(value: object, path: str) -> dict[str, Any] | None:
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else getattr(value, part, None)
    return value if isinstance(value, dict) else None


def test_a_console_word_belongs_to_one_command(tmp_path: Path) -> None:
    path = copy_of_dutch(tmp_path) / "nl" / "console.yaml"
    text = path.read_text(encoding="utf-8").replace("[/stop, ", "[/Terug, /stop, ")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BundleError, match="more than one command"):
        load_bundle("nl", root=tmp_path)


# ---- formatting ---------------------------------------------------------------------------------


def test_dutch_formats_come_from_cldr() -> None:
    bundle = load_bundle()
    assert bundle.long_date(date(2026, 3, 9)) == "9 maart 2026"
    moment = datetime(2026, 3, 9, 15, 5, tzinfo=timezone(timedelta(hours=1)))
    assert bundle.short_datetime(moment) == "09-03-2026, 14:05 UTC"
    assert bundle.join_list(["HR", "Directie", "Taken"]) == "HR, Directie en Taken"
    assert [bundle.decimal(n) for n in (30, 30.0, 0.5, 1.25)] == ["30", "30", "0,5", "1,25"]


def test_english_formats_differ_without_any_text_saying_how(english: Bundle) -> None:
    assert english.long_date(date(2026, 3, 9)) == "March 9, 2026"
    assert english.short_datetime(datetime(2026, 3, 9, 14, 5, tzinfo=UTC)).endswith("UTC")
    assert english.join_list(["HR", "Board", "Tasks"]) == "HR, Board, and Tasks"
    assert english.decimal(0.5) == "0.5"


# ---- a second language is only files ------------------------------------------------------------


def test_the_english_bundle_fits_the_same_dialog(english_engine: Engine, english: Bundle) -> None:
    assert english_engine.language == "en"
    assert english_engine.texts is english.dialog


def test_a_conversation_in_english(english_engine: Engine, english: Bundle) -> None:
    session = new_session("en")
    texts = english.dialog
    replies = english_engine.handle(session, Event.start())
    assert replies[0].text == texts.welcome
    assert [o.label for o in replies[-1].options][:2] == ["Line manager", "HR"]
    replies = english_engine.handle(session, Event.option("mkb"))
    assert replies[0].text == texts.roles["mkb"].note
    expected = f"✓ Small business owner\nQuestion 2 of 12\n{texts.states['soort'].prompt}"
    assert replies[-1].text == expected
    english_engine.handle(session, Event.option("geen"))
    english_engine.handle(session, Event.option("ja"))
    replies = english_engine.handle(session, Event.option("nee"))
    assert "\nPhase 4 of 5: " in replies[-1].text
    assert "• applies what was learned: yes" in replies[-1].text
    replies = english_engine.handle(session, Event.command(Command.BACK))
    assert replies[-1].text.startswith(texts.went_back)
    assert session.language == "en"


def test_a_session_takes_the_language_of_the_engine_that_starts_it(english_engine: Engine) -> None:
    session = new_session("nl")
    english_engine.handle(session, Event.start())
    assert session.language == "en"


def test_records_from_before_languages_are_dutch() -> None:
    stored = new_session().model_dump(mode="json")
    del stored["language"]
    assert Session.model_validate(stored).language == "nl"


def test_documents_in_english(english_engine: Engine, english: Bundle) -> None:
    session = new_session("en")
    for event in (Event.start("hr"), Event.option("geen"), Event.option("ja"), Event.option("nee")):
        english_engine.handle(session, event)
    assert session.phase == "toepassen"
    picture = render("model_picture", session, english_engine, bundle=english)
    assert picture.caption.startswith("Your place in the model: ")
    assert picture.filename == "learning-culture-model.png"
    session.advised = [english_engine.knowledge.interventions[0].id]
    plan = render("action_plan", session, english_engine, date(2026, 3, 9), english)
    assert plan.caption == "Your action plan. Look back on April 6, 2026."
    reader = PdfReader(io.BytesIO(plan.data))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Learning culture action plan" in text and "March 9, 2026" in text
    root: Any = reader.trailer["/Root"]
    assert root["/Lang"] == "en"


def test_english_command_names_and_words(english_engine: Engine, english: Bundle) -> None:
    menu = [command.command for command in bot_commands(english.telegram)]
    assert menu == ["start", "help", "restart", "back", "model", "team", "privacy", "forget"]
    assert to_event(english_engine, "/back") == Event.command(Command.BACK)
    assert to_event(english_engine, "/terug").kind is EventKind.TEXT


# ---- packaging ----------------------------------------------------------------------------------


def test_every_language_file_is_package_data() -> None:
    """A non-editable install must carry each bundle, so pyproject's patterns must match them."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = config["tool"]["setuptools"]
    assert "locales*" in setuptools["packages"]["find"]["include"]
    patterns = setuptools["package-data"]["locales"]
    shipped = {path for pattern in patterns for path in LOCALES_DIR.glob(pattern)}
    files = set(LOCALES_DIR.rglob("*.yaml"))
    assert files and files <= shipped
    # stats.yaml: the figures page's words, read on their own by locales/stats.py.
    assert {path.stem for path in (LOCALES_DIR / "nl").glob("*.yaml")} == {*FILES, "stats"}
