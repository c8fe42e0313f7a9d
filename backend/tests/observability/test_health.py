"""Liveness never touches the database; readiness follows the database down and back up."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.engine import make_url

from app import __version__
from app.config import Settings
from app.main import create_app
from app.observability.health import READINESS_CACHE_SECONDS
from tests.conftest import ApiUser, running
from tests.tcp_proxy import TcpProxy


async def test_liveness_says_which_build_answers(client: httpx.AsyncClient) -> None:
    answer = await client.get("/health")

    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "version": __version__, "commit": "unknown"}


async def test_liveness_reports_the_commit_the_image_was_built_from(settings: Settings) -> None:
    built = settings.model_copy(update={"git_commit": "0123456789abcdef0123456789abcdef01234567"})
    app = create_app(built)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answer = await client.get("/health")

    assert answer.json()["commit"] == "0123456789abcdef0123456789abcdef01234567"


async def test_ready_when_the_database_answers(client: httpx.AsyncClient) -> None:
    answer = await client.get("/health/ready")

    assert answer.status_code == 200
    assert answer.json() == {"status": "ready"}


@pytest.fixture
async def proxy(settings: Settings) -> AsyncIterator[TcpProxy]:
    database = make_url(settings.database_url)
    tcp_proxy = TcpProxy(database.host or "127.0.0.1", database.port or 5432)
    await tcp_proxy.start()
    yield tcp_proxy
    if tcp_proxy.listening:
        await tcp_proxy.cut()


@pytest.fixture
async def client_via_proxy(settings: Settings, proxy: TcpProxy) -> AsyncIterator[httpx.AsyncClient]:
    url = make_url(settings.database_url).set(host="127.0.0.1", port=proxy.port)
    app = create_app(
        settings.model_copy(
            update={
                "database_url": url.render_as_string(hide_password=False),
                "readiness_timeout_seconds": 1.0,
                "db_connect_timeout_seconds": 1,
            }
        )
    )
    async with running(app) as client:
        yield client


async def test_readiness_and_requests_follow_the_database_down_and_back(
    client_via_proxy: httpx.AsyncClient, proxy: TcpProxy, user: ApiUser
) -> None:
    client = client_via_proxy
    assert (await client.get("/health/ready")).status_code == 200
    assert (await client.get("/api/v1/items", headers=user.headers)).status_code == 200

    await proxy.cut()

    # Readiness answers from a check up to a second old: a flood costs the database nothing.
    assert (await client.get("/health/ready")).status_code == 200
    await asyncio.sleep(READINESS_CACHE_SECONDS + 0.1)
    not_ready = await client.get("/health/ready")
    assert not_ready.status_code == 503
    assert not_ready.json()["error"] == "not_ready"
    # The answer is public: it says what is wrong, never which exception said so.
    assert not_ready.json()["detail"] in {
        "database unreachable",
        "database did not answer within 1s",
    }
    # Liveness does not depend on the database: the process must not be restarted for this.
    assert (await client.get("/health")).status_code == 200
    # API calls fail fast with a 503 the client can retry, never a 500.
    down = await client.get("/api/v1/items", headers=user.headers)
    assert down.status_code == 503
    assert down.json()["error"] == "service_unavailable"
    assert down.headers["Retry-After"] == "1"

    await proxy.start()

    await asyncio.sleep(READINESS_CACHE_SECONDS + 0.1)
    assert (await client.get("/health/ready")).status_code == 200
    # Pooled connections broken by the outage are replaced, not handed to requests.
    assert (await client.get("/api/v1/items", headers=user.headers)).status_code == 200
