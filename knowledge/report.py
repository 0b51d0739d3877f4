"""The report's own text, for checks that hold the knowledge to what the report says.

Why: the bot shows "Naam in het rapport: …" and cites report lines in YAML comments; both are
promises to a reader who may look them up. Only a check against the report's text keeps them
true. The text is the report as extracted from its slides (`leercultuur-rapport.txt`): prose
wraps lines and hyphenates words, and a chart's labels wrap within their column, so that the
next column's words come between the lines of one label. A name is "in the report" when its
words appear in that order, each next word right after the last or, where the label wraps, on
the next line (:func:`Report.name_lines`).

The report is not shipped with the bot: it is found beside the project (see :func:`find_report`),
and where it cannot be found the checks that need it are skipped and `check` says so.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPORT_ENV = "LEERCULTUUR_REPORT"
REPORT_NAME = "leercultuur-rapport.txt"
# Where the report sits relative to a folder above the data folder (the project's shared files).
REPORT_PLACES = (Path("shared") / "seed" / REPORT_NAME, Path("seed") / REPORT_NAME)
_WORD = re.compile(r"[0-9a-z]+")


def find_report(start: Path) -> Path | None:
    """The report's text: `$LEERCULTUUR_REPORT`, else `shared/seed/…` in a folder above `start`
    (the data folder) or above this package (a copy of the data elsewhere, as tests make)."""
    named = os.environ.get(REPORT_ENV)
    if named:
        return Path(named)
    for base in (start.resolve(), Path(__file__).resolve().parent):
        for folder in (base, *base.parents):
            for place in REPORT_PLACES:
                if (folder / place).is_file():
                    return folder / place
    return None


def plain_words(text: str) -> list[str]:
    """The words of a text as compared with the report: no case, accents or punctuation.

    The extraction misreads some letters ("Creéren" for "Creëren", "®" for "*"); comparing
    without accents and signs keeps those misreadings from hiding a true match.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _WORD.findall(bare)


@dataclass(frozen=True)
class Word:
    """One word of the report and the line (1-based) it stands on."""

    text: str
    line: int


class Report:
    """The report's words with their lines, searchable for names and for words on a line."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.words = [
            Word(word, number)
            for number, line in enumerate(self.lines, start=1)
            for word in plain_words(line)
        ]
        self._joined = self._with_hyphens_joined()

    @classmethod
    def read(cls, path: Path) -> Report:
        return cls(path.read_text(encoding="utf-8"))

    def _with_hyphens_joined(self) -> list[Word]:
        """The words again, a word hyphenated at the end of a line joined with its rest."""
        joined: list[Word] = []
        for number, line in enumerate(self.lines, start=1):
            words = plain_words(line)
            if joined and joined[-1].line == number - 1 and self._hyphenated(number - 1) and words:
                last = joined.pop()
                joined.append(Word(last.text + words[0], last.line))
                words = words[1:]
            joined += [Word(word, number) for word in words]
        return joined

    def _hyphenated(self, number: int) -> bool:
        line = self.lines[number - 1].rstrip()
        return line.endswith("-") and not line.endswith(" -")

    def name_lines(self, name: str) -> tuple[int, int] | None:
        """The first and last line where `name` stands in the report, word for word; else None.

        Each next word of the name follows right after the last, or (a label wrapping in its
        chart column, beside the next column's words) stands on the next line with words.
        """
        wanted = plain_words(name)
        if not wanted:
            return None
        for words in (self.words, self._joined):
            for start, word in enumerate(words):
                if word.text == wanted[0]:
                    end = _rest(words, start, wanted[1:])
                    if end is not None:
                        return word.line, words[end].line
        return None

    def says(self, word: str, first: int, last: int) -> bool:
        """True when `word` stands on the lines `first` to `last` (one more each side: a
        citation may name the line where a sentence starts, and the word be on the next)."""
        wanted = plain_words(word)
        low, high = max(first - 1, 1), min(last + 1, len(self.lines))
        text = plain_words(" ".join(self.lines[low - 1 : high]))
        return any(text[i : i + len(wanted)] == wanted for i in range(len(text)))


def _rest(words: list[Word], at: int, wanted: list[str]) -> int | None:
    """The index of the last word when `wanted` follows the word at `at`; else None."""
    if not wanted:
        return at
    for index in _next_places(words, at):
        if words[index].text == wanted[0]:
            end = _rest(words, index, wanted[1:])
            if end is not None:
                return end
    return None


def _next_places(words: list[Word], at: int) -> Iterator[int]:
    """Where the next word of a name may stand: right after, or on the next line with words."""
    if at + 1 < len(words):
        yield at + 1
    line = words[at].line
    wrapped = next((word.line for word in words[at + 1 :] if word.line > line), None)
    for index in range(at + 2, len(words)):
        if words[index].line == wrapped:
            yield index
        elif wrapped is not None and words[index].line > wrapped:
            return
