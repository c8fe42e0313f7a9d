"""Fixtures: a throw-away PostgreSQL database, the app under test and signed-up users.

The tests create their own database on the server that DATABASE_URL (or the machine's
PostgreSQL on 127.0.0.1:5432) points at, migrate it, and drop it at the end; they never touch
any other database. Every test starts with empty tables.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from app.config import Settings
from app.main import create_app
from app.prestart import migrate

SERVER_URL = os.environ.get("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PASSWORD = "correct horse battery"


def libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    name = f"app_test_{uuid.uuid4().hex[:12]}"
    admin_url = libpq_url(str(make_url(SERVER_URL).set(database="postgres")))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)
    try:
        migrate(url)
        yield url
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(
        environment="test",
        database_url=database_url,
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        log_level="INFO",
    )


@contextlib.asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client talking to `app` in-process, with the app's start-up and shut-down run."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with running(application) as client:
        application.state.test_client = client
        yield application


@pytest.fixture
async def client(app: FastAPI, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The client of the shared app; the tables are emptied after each test."""
    yield app.state.test_client
    async with await psycopg.AsyncConnection.connect(libpq_url(database_url)) as connection:
        await connection.execute("TRUNCATE users, items, idempotency_keys CASCADE")


@dataclass
class ApiUser:
    id: str
    email: str
    password: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


MakeUser = Callable[..., Awaitable[ApiUser]]


async def sign_up_and_log_in(
    client: httpx.AsyncClient, email: str | None = None, password: str = PASSWORD
) -> ApiUser:
    email = email or f"user-{uuid.uuid4().hex[:10]}@example.com"
    created = await client.post(
        "/api/v1/auth/signup", json={"email": email, "password": password, "full_name": "Test User"}
    )
    assert created.status_code == 201, created.text
    token = await log_in(client, email, password)
    return ApiUser(id=created.json()["id"], email=email, password=password, token=token)


async def log_in(client: httpx.AsyncClient, email: str, password: str) -> str:
    answer = await client.post("/api/v1/auth/login", data={"username": email, "password": password})
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


@pytest.fixture
def make_user(client: httpx.AsyncClient) -> MakeUser:
    async def make(**kwargs: str) -> ApiUser:
        return await sign_up_and_log_in(client, **kwargs)

    return make


@pytest.fixture
async def user(make_user: MakeUser) -> ApiUser:
    return await make_user()
