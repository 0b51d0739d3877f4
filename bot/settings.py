"""Runtime settings from the environment or a `.env` file, validated once at start-up.

Why a separate module: every way of starting the bot (polling, webhook, health check, `run-auto`)
needs the same settings and the same guarantee that a bad value ends in one readable line, never a
traceback, and that the token never appears in any output. pydantic's own error text echoes the
input value, so :func:`load_settings` rebuilds the message from field names only.
"""

from __future__ import annotations

import re
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

TOKEN_PATTERN = re.compile(r"^\d{5,}:[A-Za-z0-9_-]{30,}$")
# Telegram allows 1-256 characters A-Z, a-z, 0-9, _ and - in the webhook secret token.
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
DEFAULT_API_URL = "https://api.telegram.org"
MIN_RETENTION_DAYS = 1
MAX_RETENTION_DAYS = 3650
# The anonymous count's figures hide any cell below this; under 5 a cell could point at a person.
MIN_STATS_CELL = 5


class SettingsError(Exception):
    """A configuration problem, worded as one line that is safe to print (never the token)."""


class Mode(StrEnum):
    POLLING = "polling"
    WEBHOOK = "webhook"


class Settings(BaseSettings):
    """Everything the running bot can be told from outside; names are the environment variables."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    telegram_bot_token: SecretStr | None = None
    telegram_bot_token_file: Path | None = None
    # Root URL of the Bot API server: Telegram's, a self-hosted one, or the test server.
    telegram_api_url: str = DEFAULT_API_URL
    bot_data_dir: Path = Path("var/data")
    bot_mode: Mode = Mode.POLLING
    bot_webhook_url: str | None = None
    bot_webhook_listen: str = "0.0.0.0"
    bot_webhook_port: int = Field(default=8443, ge=1, le=65535)
    bot_webhook_secret: SecretStr | None = None
    bot_log_level: str = "INFO"
    # Bounded both ways: under a day would erase a conversation over lunch, and beyond ten years
    # (or `inf`) the purge's date arithmetic overflows at start-up instead of failing here.
    bot_retention_days: float = Field(
        default=30, ge=MIN_RETENTION_DAYS, le=MAX_RETENTION_DAYS, allow_inf_nan=False
    )
    # Long-polling timeout in seconds (Telegram holds getUpdates open this long when idle).
    bot_poll_timeout: float = Field(default=10, ge=0, le=50, allow_inf_nan=False)
    # How often the check-in scheduler looks for due check-ins, in seconds (sent within a minute).
    bot_checkin_poll_seconds: float = Field(default=30, gt=0, le=60, allow_inf_nan=False)
    # The anonymous count of milestones (bot/stats/): on by default, batched and written to
    # `<data dir>/stats/` every so many seconds and at shutdown.
    bot_stats_enabled: bool = True
    bot_stats_flush_seconds: float = Field(default=60, gt=0, le=3600, allow_inf_nan=False)
    # `python -m bot stats` shows a count below this as "< N" (never below MIN_STATS_CELL).
    bot_stats_min_cell: int = Field(default=10, ge=MIN_STATS_CELL, le=1000)

    @field_validator("telegram_api_url")
    @classmethod
    def _api_url_is_http(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("bot_log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("choose DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

    @model_validator(mode="after")
    def _webhook_complete(self) -> Settings:
        if self.bot_mode is Mode.WEBHOOK:
            if not self.bot_webhook_url or not self.bot_webhook_url.startswith("https://"):
                raise ValueError("BOT_WEBHOOK_URL (https://...) is required in webhook mode")
            secret = self.bot_webhook_secret
            if secret is None or not SECRET_PATTERN.match(secret.get_secret_value()):
                raise ValueError(
                    "BOT_WEBHOOK_SECRET is required in webhook mode"
                    " (1-256 characters: A-Z a-z 0-9 _ -)"
                )
        return self

    @property
    def retention(self) -> timedelta:
        return timedelta(days=self.bot_retention_days)

    @property
    def base_url(self) -> str:
        """PTB's `base_url`: the token is appended to it."""
        return f"{self.telegram_api_url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.telegram_api_url}/file/bot"

    def token_configured(self) -> bool:
        """True when a token (valid or not) is given, directly or through a file."""
        return self.telegram_bot_token is not None or self.telegram_bot_token_file is not None

    def token(self) -> str:
        """The validated token; a SettingsError (never showing it) when missing or malformed."""
        raw: str | None = None
        if self.telegram_bot_token is not None:
            raw = self.telegram_bot_token.get_secret_value()
        elif self.telegram_bot_token_file is not None:
            try:
                raw = self.telegram_bot_token_file.read_text(encoding="utf-8")
            except OSError as err:
                reason = err.strerror or type(err).__name__
                raise SettingsError(f"TELEGRAM_BOT_TOKEN_FILE is not readable: {reason}") from None
        if raw is None or not raw.strip():
            raise SettingsError(
                "No Telegram token: set TELEGRAM_BOT_TOKEN (or TELEGRAM_BOT_TOKEN_FILE) in .env"
            )
        token = raw.strip()
        if not TOKEN_PATTERN.match(token):
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN does not have the form <digits>:<code> from @BotFather"
            )
        return token


def load_settings(**overrides: Any) -> Settings:
    """Read the settings; any problem becomes a SettingsError naming the field, never its value."""
    try:
        return Settings(**overrides)
    except ValidationError as err:
        problems = []
        for error in err.errors(include_input=False, include_url=False):
            field = ".".join(str(part) for part in error["loc"]).upper() or "settings"
            problems.append(f"{field}: {error['msg']}")
        raise SettingsError("Invalid setting: " + "; ".join(problems)) from None
