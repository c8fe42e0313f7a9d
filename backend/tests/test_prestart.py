"""`prestart`: waits for the database (bounded), migrates, creates the first admin once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import httpx
import pytest
from pydantic import SecretStr

from app.config import Settings
from app.prestart import DatabaseNotReadyError, ensure_first_admin, migrate, wait_for_database
from tests.server import BACKEND_DIR, free_port


def test_waiting_for_an_unreachable_database_gives_up_in_time() -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nothing"
    started = time.monotonic()

    with pytest.raises(DatabaseNotReadyError, match="not reachable after 1s"):
        wait_for_database(url, timeout=1, interval=0.2)

    assert time.monotonic() - started < 10


def test_reachable_database_is_ready_at_once(settings: Settings) -> None:
    wait_for_database(settings.database_url, timeout=5)


def test_migrations_can_run_again(settings: Settings) -> None:
    migrate(settings.database_url)  # already at head: a no-op, not an error


async def test_first_admin_is_created_once_and_can_log_in(
    settings: Settings, client: httpx.AsyncClient
) -> None:
    admin_settings = settings.model_copy(
        update={
            "first_admin_email": "root@example.com",
            "first_admin_password": SecretStr("admin-pass-1"),
        }
    )

    assert await ensure_first_admin(admin_settings) is True
    assert await ensure_first_admin(admin_settings) is False

    login = await client.post(
        "/api/v1/auth/login", data={"username": "root@example.com", "password": "admin-pass-1"}
    )
    me = await client.get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {login.json()['access_token']}"}
    )
    assert me.json()["is_admin"] is True


def run_prestart(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.prestart"],
        cwd=BACKEND_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_prestart_command_prepares_the_database(settings: Settings) -> None:
    result = run_prestart(
        DATABASE_URL=settings.database_url,
        FIRST_ADMIN_EMAIL="cli-admin@example.com",
        PRESTART_DB_WAIT_SECONDS="5",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    messages = [json.loads(line)["message"] for line in result.stdout.splitlines()]
    assert "migrations applied" in messages
    assert "first admin created" in messages


def test_prestart_command_fails_clearly_without_a_database() -> None:
    result = run_prestart(
        DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none",
        PRESTART_DB_WAIT_SECONDS="1",
    )

    assert result.returncode == 1
    assert "database not reachable after 1s" in result.stdout
