"""Every word the bot shows, one bundle per language: `locales/<language>/*.yaml`.

Public API: :func:`load_bundle` (``load_bundle(language="nl", root=LOCALES_DIR) -> Bundle``,
cached), :class:`Bundle` (``.language``, ``.dialog``, ``.telegram``, ``.console``,
``.artifacts`` and the formatters ``long_date``, ``short_datetime``, ``join_list``, ``decimal``),
:class:`BundleError` (``.errors``: every problem as ``file: path: message``), the text models
:class:`DialogTexts`, :class:`TelegramTexts`, :class:`ConsoleTexts`, :class:`ArtifactTexts` and
their one base :class:`TextModel`. A new language is a copy of the `nl` folder, nothing else.
Imports neither `dialogs` nor `bot`, so every part of the project may use it.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from babel import UnknownLocaleError

from locales.artifacts import ArtifactTexts
from locales.bundle import Bundle
from locales.console import ConsoleTexts
from locales.dialog import DialogTexts
from locales.loader import BundleError, Reader
from locales.model import TextModel
from locales.selfcheck import SelfCheckTexts
from locales.telegram import TelegramTexts

LOCALES_DIR = Path(__file__).parent
DEFAULT_LANGUAGE = "nl"
# A language is a folder name: a CLDR code such as `nl`, `en` or `pt_BR`, never a path.
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(?:_[A-Z][A-Za-z]{1,3})?$")

__all__ = [
    "DEFAULT_LANGUAGE",
    "LOCALES_DIR",
    "ArtifactTexts",
    "Bundle",
    "BundleError",
    "ConsoleTexts",
    "DialogTexts",
    "SelfCheckTexts",
    "TelegramTexts",
    "TextModel",
    "load_bundle",
]


def load_bundle(language: str = DEFAULT_LANGUAGE, root: Path = LOCALES_DIR) -> Bundle:
    """The validated texts of `language` under `root`, read once per process.

    BundleError lists every problem of every file at once. `root` lets tests (or a deployment)
    keep languages elsewhere; the default is the folder this package ships with.
    """
    return _load(language, root)  # one cache key however the arguments were passed


@cache
def _load(language: str, root: Path) -> Bundle:
    if not LANGUAGE_PATTERN.fullmatch(language):
        raise BundleError([f"{language!r}: not a language code (like 'nl' or 'pt_BR')"])
    reader = Reader(root)
    folder = root / language
    # The dialog's templates are checked with its flow (dialogs/checks.py), so that a broken
    # dialog reports all its problems at once.
    dialog = reader.model(folder / "dialog.yaml", DialogTexts, check_templates=False)
    telegram = reader.model(folder / "telegram.yaml", TelegramTexts)
    console = reader.model(folder / "console.yaml", ConsoleTexts)
    artifacts = reader.model(folder / "artifacts.yaml", ArtifactTexts)
    selfcheck = reader.model(folder / "selfcheck.yaml", SelfCheckTexts)
    if (
        dialog is None
        or telegram is None
        or console is None
        or artifacts is None
        or selfcheck is None
    ):
        raise BundleError(reader.errors)
    try:
        return Bundle(language, dialog, telegram, console, artifacts, selfcheck)
    except (UnknownLocaleError, ValueError) as error:
        raise BundleError([f"{language}: no CLDR data for this language ({error})"]) from error
