"""Entry point: `python -m bot [telegram|chat|run-auto|healthcheck|stats]`.

- no argument / `telegram`: the Telegram bot (polling or webhook, per the settings);
- `chat [args]`: the console front end (same dialog, no Telegram);
- `run-auto`: the Telegram bot when a token is configured, otherwise the console (`make run`);
- `healthcheck`: exit 0 when settings, data directory and heartbeat are fine (Docker HEALTHCHECK).
- `stats [--out DIR]`: the anonymous figures as a page and a CSV (bot/stats/; default var/stats).

Configuration problems end in one line on stderr and exit code 2, never a traceback or the token.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from bot.settings import Mode, Settings, SettingsError, load_settings

USAGE = "usage: python -m bot [telegram | chat [...] | run-auto | healthcheck | stats [--out DIR]]"


def _fail(message: str, code: int = 2) -> int:
    print(f"leercultuur-coach: {message}", file=sys.stderr)
    return code


def _console(args: Sequence[str]) -> int:
    from bot.console import main as console_main

    result = console_main(list(args))
    return result if isinstance(result, int) else 0


def _telegram(settings: Settings) -> int:
    from telegram.error import InvalidToken, NetworkError

    from bot.telegram.logs import configure_logging
    from dialogs import Engine, FlowError
    from knowledge import KnowledgeError

    token = settings.token()  # validated before anything is logged or started
    secrets = [token]
    if settings.bot_webhook_secret is not None:
        secrets.append(settings.bot_webhook_secret.get_secret_value())
    configure_logging(settings.bot_log_level, secrets)
    try:
        settings.bot_data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        return _fail(f"cannot create data directory {settings.bot_data_dir}: {err.strerror}")
    try:
        engine = Engine.load()
    except (FlowError, KnowledgeError) as err:
        return _fail(f"dialog, texts or knowledge invalid: {str(err).splitlines()[0]}", 1)
    try:
        if settings.bot_mode is Mode.WEBHOOK:
            from bot.telegram.webhook import run_webhook

            run_webhook(settings, engine)
        else:
            from bot.telegram.app import run_polling

            run_polling(settings, engine)
    except InvalidToken:
        return _fail(
            "Telegram rejects the token (TELEGRAM_BOT_TOKEN); ask @BotFather for a new one"
        )
    except NetworkError as err:
        return _fail(f"Telegram server unreachable ({type(err).__name__}); try again later", 1)
    return 0


def _healthcheck(settings: Settings) -> int:
    from bot.telegram.health import health_report

    report = health_report(settings)
    if report.problems:
        return _fail("; ".join(report.problems + report.notes()), 1)
    print("; ".join(["ok", *report.notes()]))
    return 0


def _stats(args: Sequence[str]) -> int:
    from pathlib import Path

    from bot.stats.cli import write_report
    from dialogs import Engine

    if args and (len(args) != 2 or args[0] != "--out"):
        return _fail(USAGE)
    try:
        settings = load_settings()
    except SettingsError as err:
        return _fail(str(err))
    out = Path(args[1]) if args else Path("var/stats")
    written = write_report(settings.bot_data_dir, out, settings.bot_stats_min_cell, Engine.load())
    print(f"{written.page}\n{written.table}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command = args[0] if args else "telegram"
    if command == "chat":
        return _console(args[1:])
    if command == "stats":
        return _stats(args[1:])
    if command not in {"telegram", "run-auto", "healthcheck"} or len(args) > 1:
        return _fail(USAGE)
    try:
        settings = load_settings()
        if command == "run-auto" and not settings.token_configured():
            from locales import BundleError, load_bundle

            try:
                fallback = load_bundle().telegram.console_fallback
            except BundleError as err:
                return _fail(f"the language bundle is invalid: {err.errors[0]}", 1)
            print(fallback, file=sys.stderr)
            return _console([])
        if command == "healthcheck":
            return _healthcheck(settings)
        return _telegram(settings)
    except SettingsError as err:
        return _fail(str(err))


if __name__ == "__main__":
    raise SystemExit(main())
