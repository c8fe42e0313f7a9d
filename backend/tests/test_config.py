"""Settings: safe defaults for development, no default secret in production."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.config import Settings

STRONG = "a-production-secret-that-is-long-enough-000"
SAFE_URL = "postgresql+psycopg://app:s3cret-db-password@db:5432/app"


def test_development_runs_on_defaults() -> None:
    settings = Settings(environment="development")

    assert settings.secret_key.get_secret_value() == "changethis"


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"first_admin_password": STRONG, "database_url": SAFE_URL}, "SECRET_KEY"),
        (
            {"secret_key": "short", "first_admin_password": STRONG, "database_url": SAFE_URL},
            "SECRET_KEY is shorter",
        ),
        ({"secret_key": STRONG, "database_url": SAFE_URL}, "FIRST_ADMIN_PASSWORD"),
        ({"secret_key": STRONG, "first_admin_password": STRONG}, "DATABASE_URL"),
    ],
)
def test_production_refuses_each_default_secret(overrides: dict[str, str], named: str) -> None:
    with pytest.raises(ValidationError, match=named):
        Settings(environment="production", **overrides)  # type: ignore[arg-type]


def test_production_starts_with_real_secrets() -> None:
    settings = Settings(
        environment="production",
        secret_key=STRONG,
        first_admin_password=STRONG,
        database_url=SAFE_URL,
    )

    assert settings.environment == "production"


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DB_POOL_SIZE", "3")
    monkeypatch.setenv("WEB_WORKERS", "4")
    monkeypatch.setenv("ACCESS_TOKEN_EXPIRE_MINUTES", "7")

    settings = Settings()

    assert (settings.db_pool_size, settings.web_workers, settings.access_token_expire_minutes) == (
        3,
        4,
        7,
    )


def test_nonsense_settings_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEB_WORKERS", "0")

    with pytest.raises(ValidationError, match="web_workers"):
        Settings()


def test_every_setting_is_documented_in_env_example() -> None:
    example = (Path(__file__).resolve().parents[2] / ".env.example").read_text()
    documented = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", example, re.MULTILINE))

    assert {name.upper() for name in Settings.model_fields} <= documented


def test_a_refused_setting_never_prints_its_value(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "short-but-secret-value"
    with pytest.raises(ValidationError) as refused:
        Settings(
            environment="production",
            secret_key=secret,
            first_admin_password=STRONG,
            database_url=SAFE_URL,
        )
    monkeypatch.setenv("PORT", "secret-port-value")
    with pytest.raises(ValidationError) as bad_port:
        Settings()

    assert secret not in str(refused.value)
    assert "SECRET_KEY is shorter" in str(refused.value)
    assert "secret-port-value" not in str(bad_port.value)
    assert "port" in str(bad_port.value)


def test_token_lifetime_is_capped_at_a_day() -> None:
    with pytest.raises(ValidationError, match="access_token_expire_minutes"):
        Settings(access_token_expire_minutes=60 * 24 + 1)
