"""An exhausted connection pool makes requests wait, then answer 503; it never falls over."""

from __future__ import annotations

import asyncio

import psycopg

from app.config import Settings
from app.main import create_app
from tests.conftest import ApiUser, libpq_url, running
from tests.observability.test_metrics import sample


async def test_exhausted_pool_answers_503_with_retry_after_then_recovers(
    settings: Settings, user: ApiUser
) -> None:
    tiny = settings.model_copy(
        update={"db_pool_size": 1, "db_max_overflow": 0, "db_pool_timeout_seconds": 0.5}
    )
    app = create_app(tiny)
    async with running(app) as client:
        before = (await client.get("/metrics")).text
        async with app.state.engine.connect():  # hold the only connection
            started = asyncio.get_running_loop().time()
            answer = await client.get("/api/v1/items", headers=user.headers)
            waited = asyncio.get_running_loop().time() - started
            # While the pool is busy the instance still says it is ready (own connection).
            assert (await client.get("/health/ready")).status_code == 200

        assert answer.status_code == 503
        assert answer.headers["Retry-After"] == "1"
        assert answer.json() == {
            "error": "service_unavailable",
            "detail": "The service is busy, retry shortly",
        }
        assert waited >= 0.5  # it waited for a connection before giving up
        after = (await client.get("/metrics")).text
        assert (
            sample(after, "db_pool_timeouts_total") - sample(before, "db_pool_timeouts_total") == 1
        )
        # The connection is back: the next request is served.
        assert (await client.get("/api/v1/items", headers=user.headers)).status_code == 200


async def test_concurrent_requests_beyond_the_pool_wait_their_turn(
    settings: Settings, user: ApiUser
) -> None:
    small = settings.model_copy(
        update={"db_pool_size": 2, "db_max_overflow": 0, "db_pool_timeout_seconds": 10}
    )
    app = create_app(small)
    async with running(app) as client:
        answers = await asyncio.gather(
            *(client.get("/api/v1/items", headers=user.headers) for _ in range(20))
        )

    assert [a.status_code for a in answers] == [200] * 20


async def test_connections_the_server_closed_are_replaced_without_failing_requests(
    settings: Settings, user: ApiUser
) -> None:
    app = create_app(settings.model_copy(update={"db_pool_size": 3, "db_max_overflow": 0}))
    async with running(app) as client:
        # Fill the pool with idle connections.
        answers = await asyncio.gather(
            *(client.get("/api/v1/items", headers=user.headers) for _ in range(6))
        )
        assert [a.status_code for a in answers] == [200] * 6
        assert app.state.engine.sync_engine.pool.checkedin() == 3

        # What a database restart does to them: every session is ended by the server.
        assert await terminate_sessions(settings.database_url) >= 3

        answers = await asyncio.gather(
            *(client.get("/api/v1/items", headers=user.headers) for _ in range(6))
        )
        assert [a.status_code for a in answers] == [200] * 6


async def terminate_sessions(database_url: str) -> int:
    """End every other session on the test database, as a restart would; how many were ended."""
    async with await psycopg.AsyncConnection.connect(libpq_url(database_url)) as admin:
        cursor = await admin.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        row = await cursor.fetchone()
    return int(row[0]) if row else 0
