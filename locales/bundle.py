"""One language's texts for every front end, with the formatting that language needs.

Dates, lists and numbers are formatted by Babel from CLDR data, not from hand-kept month names or
a hard-coded "en": a new language gets correct "9 maart 2026", "A, B en C" and "0,5" for free.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.lists import format_list
from babel.numbers import format_decimal

from locales.artifacts import ArtifactTexts
from locales.console import ConsoleTexts
from locales.dialog import DialogTexts
from locales.model import TextModel
from locales.selfcheck import SelfCheckTexts
from locales.telegram import TelegramTexts


@dataclass(frozen=True)
class Bundle:
    """Everything one language says: the dialog, Telegram, the console, the documents and the
    employee's self-check."""

    language: str
    dialog: DialogTexts
    telegram: TelegramTexts
    console: ConsoleTexts
    artifacts: ArtifactTexts
    selfcheck: SelfCheckTexts
    locale: Locale = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Parsed once; an unknown language fails here, when the bundle is loaded, not in a chat.
        object.__setattr__(self, "locale", Locale.parse(self.language))

    def files(self) -> tuple[tuple[str, TextModel], ...]:
        """Each text file of the bundle by its file name, for checks that report file and key."""
        return (
            ("dialog.yaml", self.dialog),
            ("telegram.yaml", self.telegram),
            ("console.yaml", self.console),
            ("artifacts.yaml", self.artifacts),
            ("selfcheck.yaml", self.selfcheck),
        )

    def long_date(self, day: date) -> str:
        """A date as readers of this language write it in a sentence, e.g. `9 maart 2026`."""
        return format_date(day, format="long", locale=self.locale)

    def short_datetime(self, moment: datetime) -> str:
        """A moment in UTC, short, with its zone: e.g. `09-03-2026, 14:05 UTC`.

        Stored times are UTC and the bot does not know the user's time zone, so it says so.
        """
        when = format_datetime(moment, format="short", tzinfo=UTC, locale=self.locale)
        zone = format_time(moment, format="z", tzinfo=UTC, locale=self.locale)
        return f"{when} {zone}"

    def join_list(self, items: Sequence[str]) -> str:
        """Items as this language lists them: `A`, `A en B`, `A, B en C` ("" for none)."""
        return format_list(list(items), locale=self.locale) if items else ""

    def decimal(self, number: float) -> str:
        """A number with this language's decimal sign and no needless zeros: `30`, `0,5`."""
        return format_decimal(number, locale=self.locale)
