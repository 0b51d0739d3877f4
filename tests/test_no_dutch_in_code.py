"""No Dutch sentence in the Python code: user-facing words live in `locales/`, the rest is English.

A Dutch sentence in a .py file is either a user-facing text that a translation would miss, or an
operator- or author-facing message in the wrong language. Every string literal (f-strings joined,
docstrings skipped: they are English documentation) is checked with a cheap test: at least three
words, of which at least two are common Dutch function words.

Log messages are short ("Hartslag niet geschreven" slipped through that test), and always English,
so they get a stricter one: two words or more, one of them a word only Dutch uses. Words that are
also English or common in technical text ("is", "van", "met", "de", "en", "dat") do not count.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "dialogs", "knowledge", "locales")
# Short, frequent words that English sentences hardly ever use, let alone two at once.
DUTCH_FUNCTION_WORDS = frozenset(
    (  # noqa: SIM905 - a list of words reads best as words
        "de het een je jij niet is van en bij voor met wordt zijn naar ook dan maar dat deze wat "
        "hoe ik we er op te"
    ).split()
)
# Dutch words that an English log message does not contain (not "is", "van", "met", "op", ...).
DUTCH_ONLY_WORDS = frozenset(
    (  # noqa: SIM905 - a list of words reads best as words
        "het een je jij niet geen niets bij voor wordt werd zijn naar ook maar deze dit wat ik "
        "heeft hebben kan kon nog niet mislukt fout bestand bericht gebruiker"
    ).split()
)
# The calls whose string arguments are log messages: a logger's methods and our `log_error`.
LOG_CALLS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "log_error"}
)
_PLACEHOLDER = re.compile(r"\{[^{}]*\}|%[-#0 +]*\d*(?:\.\d+)?[a-z]")
_WORD = re.compile(r"[^\W\d_]+")

Docstring = ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef


def looks_dutch(text: str) -> bool:
    """At least three words, at least two of them Dutch function words."""
    words = _WORD.findall(_PLACEHOLDER.sub(" ", text).casefold())
    return len(words) >= 3 and sum(word in DUTCH_FUNCTION_WORDS for word in words) >= 2


def looks_dutch_for_a_log(text: str) -> bool:
    """At least two words, one of them a word only Dutch uses."""
    words = _WORD.findall(_PLACEHOLDER.sub(" ", text).casefold())
    return len(words) >= 2 and any(word in DUTCH_ONLY_WORDS for word in words)


def _text_of(node: ast.expr) -> str | None:
    """A string literal's text, an f-string's literal parts joined; None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else " "
            for value in node.values
        )
    return None


def log_messages(source: str) -> Iterator[tuple[int, str]]:
    """(line, text) of every string literal passed to a logging call."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name not in LOG_CALLS:
            continue
        for argument in node.args:
            text = _text_of(argument)
            if text is not None:
                yield node.lineno, text


def string_literals(source: str) -> Iterator[tuple[int, str]]:
    """(line, text) of every string literal but docstrings; an f-string counts as one text."""
    tree = ast.parse(source)
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, Docstring) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skipped.add(id(first.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = []
            for value in node.values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    parts.append(value.value)
                    skipped.add(id(value))
                else:
                    parts.append(" ")
            yield node.lineno, "".join(parts)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in skipped
        ):
            yield node.lineno, node.value


def dutch_literals(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    found = {(line, text) for line, text in string_literals(source) if looks_dutch(text)} | {
        (line, text) for line, text in log_messages(source) if looks_dutch_for_a_log(text)
    }
    return [f"{path.relative_to(ROOT)}:{line}: {text!r}" for line, text in sorted(found)]


def test_no_python_file_holds_a_dutch_sentence() -> None:
    files = [path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))]
    assert len(files) > 40
    found = [hit for path in files for hit in dutch_literals(path)]
    assert not found, "Dutch in code; move it to locales/ or write it in English:\n" + "\n".join(
        found
    )


@pytest.mark.parametrize(
    "text",
    [
        "Gebruiker heeft de bot geblokkeerd; er wordt niets meer verstuurd",
        "Fout bij het verwerken van een update",
        "{path}: het laatste doel moet zonder voorwaarde zijn",
    ],
)
def test_a_dutch_sentence_is_found(text: str) -> None:
    assert looks_dutch(text)


@pytest.mark.parametrize(
    "text",
    [
        "The user blocked the bot; nothing more is sent",
        "Error while handling an update",
        "states.klaar: not a step of the dialog",
        "Leercultuur-coach",
        "de het",  # too short to be a sentence
    ],
)
def test_english_and_fragments_pass(text: str) -> None:
    assert not looks_dutch(text)


def test_docstrings_are_skipped_and_f_strings_joined() -> None:
    source = (
        '"""Dit is de uitleg van een module."""\n'
        "def f(name: str) -> str:\n"
        '    """Dit is de uitleg van een functie."""\n'
        '    return f"Dit is {name} van een " + "string"\n'
    )
    found = list(string_literals(source))
    assert (4, "Dit is   van een ") in found
    assert not any("uitleg" in text for _, text in found)


@pytest.mark.parametrize(
    "text", ["Hartslag niet geschreven", "Bericht %s kon niet verstuurd worden", "Geen antwoord"]
)
def test_a_short_dutch_log_message_is_found(text: str) -> None:
    assert looks_dutch_for_a_log(text)


def test_the_general_test_misses_short_dutch_log_messages() -> None:
    assert not looks_dutch("Hartslag niet geschreven"), "why log messages get their own test"


@pytest.mark.parametrize(
    "text",
    [
        "Heartbeat not written",
        "Update %d: %s in a %s chat",
        "Condition met for %s; van driver is de-registered",
        "Loading data.dat failed (%s)",
        "Purge failed",
    ],
)
def test_english_log_messages_pass(text: str) -> None:
    assert not looks_dutch_for_a_log(text)


def test_log_messages_are_the_strings_given_to_logging_calls() -> None:
    source = (
        "log.warning('Hartslag niet geschreven (%s)', kind)\n"
        "log_error(log, f'Opslaan van {key} mislukt', err)\n"
        "logging.getLogger(__name__).info('Started')\n"
        "print('niet een log')\n"
    )
    assert list(log_messages(source)) == [
        (1, "Hartslag niet geschreven (%s)"),
        (2, "Opslaan van   mislukt"),
        (3, "Started"),
    ]
