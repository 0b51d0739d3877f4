"""Deployment files and the entry point's non-Telegram modes (Docker cannot run here: read them)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from conftest import FAKE_TOKEN
from fake_bot_api.harness import clean_environ

from bot.settings import Settings
from bot.telegram.health import touch_heartbeat

REPO = Path(__file__).resolve().parents[1]


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return data


def test_compose_runs_the_bot_with_a_named_volume_restart_and_health_check() -> None:
    compose = _compose()
    bot = compose["services"]["bot"]
    assert bot["build"] == "."
    assert bot["env_file"] in (".env", [".env"])
    assert bot["restart"] == "unless-stopped"
    volume, target = bot["volumes"][0].split(":")[:2]
    assert target == bot["environment"]["BOT_DATA_DIR"] == "/data"
    assert volume in compose["volumes"], "a named volume, not a host directory"
    test = bot["healthcheck"]["test"]
    assert test[0] == "CMD" and test[-2:] == ["bot", "healthcheck"]
    uid = str(bot["user"]).split(":")[0]
    assert uid.isdigit() and uid != "0"


def test_dockerfile_installs_builds_knowledge_and_drops_root() -> None:
    lines = [
        line.strip()
        for line in (REPO / "Dockerfile").read_text().splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    assert lines[0].startswith("FROM python:3.11-slim")
    text = "\n".join(lines)
    assert "pip install /src" in text and "python -m knowledge build" in text
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert f"--uid {str(_compose()['services']['bot']['user']).split(':')[0]}" in text
    assert any(line.startswith("HEALTHCHECK") for line in lines)
    assert 'CMD ["python", "-m", "bot"]' in lines[-1]
    # The volume's mount point belongs to the unprivileged user.
    assert re.search(r"chown coach:coach /data", text)


def test_env_example_documents_every_setting_and_dockerignore_keeps_secrets_out() -> None:
    example = (REPO / ".env.example").read_text()
    for name in Settings.model_fields:
        assert name.upper() in example, name
    ignored = (REPO / ".dockerignore").read_text().splitlines()
    assert ".env" in ignored and ".venv" in ignored and ".git" in ignored


def _bot(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = clean_environ()
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env={**clean, **env},
        input="",
        capture_output=True,
        text=True,
        check=False,
    )


def test_healthcheck_command(tmp_path: Path) -> None:
    env = {"TELEGRAM_BOT_TOKEN": FAKE_TOKEN, "BOT_DATA_DIR": str(tmp_path)}
    down = _bot(tmp_path, "healthcheck", **env)
    assert down.returncode == 1 and "heartbeat" in down.stderr
    touch_heartbeat(tmp_path)
    up = _bot(tmp_path, "healthcheck", **env)
    assert up.returncode == 0 and up.stdout.strip() == "ok"
    assert FAKE_TOKEN not in up.stdout + up.stderr + down.stdout + down.stderr


def test_run_auto_without_a_token_says_so_and_starts_the_console(tmp_path: Path) -> None:
    result = _bot(tmp_path, "run-auto", BOT_DATA_DIR=str(tmp_path))
    first = result.stderr.splitlines()[0]
    assert "TELEGRAM_BOT_TOKEN" in first and "console" in first
    assert result.returncode == 0
    assert result.stdout.strip(), "the console greeted the user"
