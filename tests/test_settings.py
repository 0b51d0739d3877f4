"""Settings: environment and .env parsing, one-line errors, the token never shown."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fake_bot_api.harness import clean_environ

from bot.settings import Mode, Settings, SettingsError, load_settings

TOKEN = "123456789:AAHfakeFAKEfake_fake-FAKEfake1234567"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(Settings.model_fields):
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)  # no developer .env leaks in


def test_defaults_poll_telegram() -> None:
    settings = load_settings()
    assert settings.bot_mode is Mode.POLLING
    assert settings.base_url == "https://api.telegram.org/bot"
    assert settings.base_file_url == "https://api.telegram.org/file/bot"
    assert not settings.token_configured()


def test_environment_and_api_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:8081/")
    monkeypatch.setenv("BOT_RETENTION_DAYS", "7")
    settings = load_settings()
    assert settings.token() == TOKEN
    assert settings.base_url == "http://127.0.0.1:8081/bot"
    assert settings.retention.days == 7


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nBOT_DATA_DIR=/srv/data\n")
    settings = load_settings()
    assert settings.token() == TOKEN
    assert settings.bot_data_dir == Path("/srv/data")


def test_token_from_file(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    settings = load_settings(telegram_bot_token_file=token_file)
    assert settings.token() == TOKEN


@pytest.mark.parametrize("bad", ["", "abc", "123:short", "12345678:" + "x" * 29, TOKEN + " extra"])
def test_malformed_token_is_one_line_without_the_token(bad: str) -> None:
    settings = load_settings(telegram_bot_token=bad)
    with pytest.raises(SettingsError) as caught:
        settings.token()
    message = str(caught.value)
    assert "\n" not in message
    assert "TELEGRAM_BOT_TOKEN" in message
    if bad:
        assert bad not in message


def test_missing_token_names_the_variable() -> None:
    with pytest.raises(SettingsError, match="TELEGRAM_BOT_TOKEN"):
        load_settings().token()


def test_unreadable_token_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="TELEGRAM_BOT_TOKEN_FILE"):
        load_settings(telegram_bot_token_file=tmp_path / "missing").token()


def test_token_is_never_in_repr_or_validation_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    assert TOKEN not in repr(load_settings())
    monkeypatch.setenv("BOT_RETENTION_DAYS", "nooit")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert TOKEN not in str(caught.value)
    assert "BOT_RETENTION_DAYS" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_webhook_mode_needs_https_url_and_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_MODE", "webhook")
    with pytest.raises(SettingsError, match="BOT_WEBHOOK_URL"):
        load_settings()
    monkeypatch.setenv("BOT_WEBHOOK_URL", "https://bot.example.nl/telegram")
    with pytest.raises(SettingsError, match="BOT_WEBHOOK_SECRET"):
        load_settings()
    monkeypatch.setenv("BOT_WEBHOOK_SECRET", "geheim met spaties")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert "geheim met spaties" not in str(caught.value)
    monkeypatch.setenv("BOT_WEBHOOK_SECRET", "s3cr3t_token-ok")
    settings = load_settings()
    assert settings.bot_mode is Mode.WEBHOOK


@pytest.mark.parametrize(
    ("name", "value"),
    [("TELEGRAM_API_URL", "ftp://x"), ("BOT_LOG_LEVEL", "LOUD"), ("BOT_MODE", "push")],
)
def test_bad_values_are_one_line_errors(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert name in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BOT_RETENTION_DAYS", "inf"),
        ("BOT_RETENTION_DAYS", "1e9"),
        ("BOT_RETENTION_DAYS", "nan"),
        ("BOT_RETENTION_DAYS", "0"),
        ("BOT_RETENTION_DAYS", "-3"),
        ("BOT_RETENTION_DAYS", "3651"),
        ("BOT_POLL_TIMEOUT", "inf"),
        ("BOT_POLL_TIMEOUT", "51"),
        ("BOT_POLL_TIMEOUT", "-1"),
        ("BOT_WEBHOOK_PORT", "0"),
        ("BOT_WEBHOOK_PORT", "65536"),
        ("BOT_WEBHOOK_PORT", "1e9"),
    ],
)
def test_out_of_range_numbers_stop_the_bot_in_one_line(
    tmp_path: Path, name: str, value: str
) -> None:
    """Through `python -m bot` itself: exit code 2, one line naming the variable, no secret."""
    secret = "webhook_secret_never_shown"
    env = clean_environ()
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        BOT_DATA_DIR=str(tmp_path / "data"),
        BOT_MODE="webhook",
        BOT_WEBHOOK_URL="https://bot.example.nl/hook",
        BOT_WEBHOOK_SECRET=secret,
        TELEGRAM_API_URL="http://127.0.0.1:9",  # never reached: the settings fail first
    )
    env[name] = value
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert name in lines[0]
    assert TOKEN not in result.stderr and secret not in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [("BOT_RETENTION_DAYS", "1"), ("BOT_RETENTION_DAYS", "3650"), ("BOT_POLL_TIMEOUT", "0")],
)
def test_the_bounds_themselves_are_allowed(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    settings = load_settings()
    assert settings.retention.days >= 1
