"""Every setting of the service, read from the environment (see .env.example)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from fastapi import Depends, Request
from pydantic import EmailStr, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Every API route lives under this prefix; /health and /metrics stay outside it.
API_PREFIX = "/api/v1"

# Development defaults that must never reach production.
DEFAULT_SECRET = "changethis"  # noqa: S105


class Settings(BaseSettings):
    # hide_input_in_errors: a refused setting is named, its value (maybe a secret) never printed.
    # env_ignore_empty: an empty variable (.env.example leaves the secrets empty) is the default.
    model_config = SettingsConfigDict(
        extra="ignore", frozen=True, hide_input_in_errors=True, env_ignore_empty=True
    )

    environment: Literal["development", "test", "production"] = "development"
    secret_key: SecretStr = SecretStr(DEFAULT_SECRET)
    # Capped at a day: a stolen token is good for at most that long (logout ends it at once).
    access_token_expire_minutes: int = Field(30, ge=1, le=60 * 24)
    # Argon2 calls at a time per worker process, 64 MiB each: size it so that
    # WEB_WORKERS x PASSWORD_HASH_CONCURRENCY x 64 MiB fits the memory limit with room to spare.
    password_hash_concurrency: int = Field(2, ge=1, le=32)
    # Wrong passwords per account (log-in, password change) within the window before 429.
    account_password_attempts: int = Field(10, ge=1)
    account_password_window_seconds: int = Field(900, ge=1)

    database_url: str = f"postgresql+psycopg://app:{DEFAULT_SECRET}@localhost:5432/app"
    db_pool_size: int = Field(10, ge=1)
    db_max_overflow: int = Field(5, ge=0)
    db_pool_timeout_seconds: float = Field(5.0, gt=0)
    db_connect_timeout_seconds: int = Field(5, ge=1)
    readiness_timeout_seconds: float = Field(2.0, gt=0)
    prestart_db_wait_seconds: float = Field(60.0, gt=0)

    idempotency_key_ttl_seconds: int = Field(24 * 60 * 60, ge=60)

    first_admin_email: EmailStr = "admin@example.com"
    first_admin_password: SecretStr = SecretStr(DEFAULT_SECRET)

    host: str = "0.0.0.0"  # noqa: S104 - the container's interface; compose decides what is published
    port: int = Field(8000, ge=1, le=65535)
    web_workers: int = Field(2, ge=1)
    web_concurrency_limit: int = Field(1000, ge=1)
    graceful_shutdown_seconds: int = Field(20, ge=0)
    request_head_timeout_seconds: float = Field(20.0, gt=0)
    forwarded_allow_ips: str = "127.0.0.1"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    cache_enabled: bool = False
    redis_url: str = "redis://localhost:6379/0"
    cache_ttl_seconds: int = Field(60, ge=1)
    cache_timeout_seconds: float = Field(0.25, gt=0)

    metrics_enabled: bool = True
    # The interactive docs and the OpenAPI schema: always outside production, there only if set.
    api_docs_enabled: bool = False
    prometheus_multiproc_dir: Path | None = None
    git_commit: str = "unknown"

    @model_validator(mode="after")
    def _refuse_default_secrets_in_production(self) -> Settings:
        if self.environment != "production":
            return self
        wrong = []
        if self.secret_key.get_secret_value() == DEFAULT_SECRET:
            wrong.append("SECRET_KEY is the development default")
        elif len(self.secret_key.get_secret_value()) < 32:
            wrong.append("SECRET_KEY is shorter than 32 characters")
        if self.first_admin_password.get_secret_value() == DEFAULT_SECRET:
            wrong.append("FIRST_ADMIN_PASSWORD is the development default")
        if f":{DEFAULT_SECRET}@" in self.database_url:
            wrong.append("DATABASE_URL uses the development default password")
        if wrong:
            raise ValueError("refusing to start with ENVIRONMENT=production: " + "; ".join(wrong))
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()


async def _app_settings(request: Request) -> Settings:  # async: no thread hop per request
    settings: Settings = request.app.state.settings
    return settings


# The settings the running app was created with (tests create apps with their own).
SettingsDep = Annotated[Settings, Depends(_app_settings)]
