"""The item list's Redis cache, between two real server processes and a real Redis.

What a user would notice if the cache were wrong: a write through one replica missing from
the next list through the other, a revoked token still reading, someone else's items, a page
that disagrees with the database, or errors when Redis is down, slow or full.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import psycopg
import pytest

from tests.conftest import PASSWORD, ApiUser, libpq_url, sign_up_and_log_in
from tests.redis_server import RedisServer, running_redis
from tests.server import Server, running_server

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

TTL_SECONDS = 30


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with running_redis(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture(scope="module")
def replicas(
    tmp_path_factory: pytest.TempPathFactory, database_url: str, redis_server: RedisServer
) -> Iterator[tuple[Server, Server]]:
    """Two backends sharing the database and Redis, as two replicas behind nginx."""
    folder = tmp_path_factory.mktemp("replicas")
    env = {
        "ENVIRONMENT": "test",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "a-secret-shared-by-both-replicas-0123456789",
        "CACHE_ENABLED": "true",
        "REDIS_URL": redis_server.url,
        "CACHE_TTL_SECONDS": str(TTL_SECONDS),
        "WEB_WORKERS": "1",
    }
    with running_server(folder, **env) as one, running_server(folder, **env) as other:
        yield one, other


@pytest.fixture
async def clients(replicas: tuple[Server, Server]) -> AsyncIterator[list[httpx.AsyncClient]]:
    async with contextlib.AsyncExitStack() as stack:
        yield [
            await stack.enter_async_context(httpx.AsyncClient(base_url=s.url, timeout=30))
            for s in replicas
        ]


async def db_ids(database_url: str, user: ApiUser) -> list[str]:
    """The user's item ids, newest first, straight from PostgreSQL."""
    async with await psycopg.AsyncConnection.connect(libpq_url(database_url)) as connection:
        cursor = await connection.execute(
            "SELECT id FROM items WHERE owner_id = %s ORDER BY created_at DESC, id DESC",
            (user.id,),
        )
        return [str(row[0]) for row in await cursor.fetchall()]


async def listed_ids(client: httpx.AsyncClient, user: ApiUser, **params: int) -> list[str]:
    answer = await client.get(
        "/api/v1/items", headers=user.headers, params={"limit": 100, **params}
    )
    assert answer.status_code == 200, answer.text
    page: dict[str, Any] = answer.json()
    assert page["total"] >= len(page["items"])
    return [item["id"] for item in page["items"]]


async def cache_lookups(client: httpx.AsyncClient) -> dict[str, float]:
    text = (await client.get("/metrics")).text
    found = re.findall(r'^app_cache_lookups_total\{result="(\w+)"\} (\S+)$', text, re.MULTILINE)
    return {result: float(value) for result, value in found}


async def cache_errors(clients: list[httpx.AsyncClient]) -> float:
    total = 0.0
    for client in clients:
        text = (await client.get("/metrics")).text
        total += sum(
            float(v) for v in re.findall(r"^app_cache_errors_total\{.*\} (\S+)$", text, re.M)
        )
    return total


async def test_a_write_through_one_replica_is_in_the_next_list_through_the_other(
    clients: list[httpx.AsyncClient], database_url: str
) -> None:
    one, other = clients
    user = await sign_up_and_log_in(one)
    for n in range(10):
        writer, reader = (one, other) if n % 2 == 0 else (other, one)
        await listed_ids(reader, user)  # the reader has the page cached before the write
        created = await writer.post("/api/v1/items", headers=user.headers, json={"title": f"{n}"})
        assert created.status_code == 201
        assert (await listed_ids(reader, user))[0] == created.json()["id"]
    item_id = (await listed_ids(one, user))[0]

    changed = await one.patch(
        f"/api/v1/items/{item_id}", headers=user.headers, json={"title": "renamed"}
    )
    page = (await other.get("/api/v1/items", headers=user.headers)).json()
    assert changed.status_code == 200
    assert page["items"][0]["title"] == "renamed"
    await other.delete(f"/api/v1/items/{item_id}", headers=user.headers)
    assert item_id not in await listed_ids(one, user)
    assert await listed_ids(one, user) == await db_ids(database_url, user)


async def test_repeated_lists_are_served_from_the_cache(
    clients: list[httpx.AsyncClient], redis_server: RedisServer
) -> None:
    one, _ = clients
    user = await sign_up_and_log_in(one)
    await one.post("/api/v1/items", headers=user.headers, json={"title": "cached"})
    before = await cache_lookups(one)

    pages = [(await one.get("/api/v1/items", headers=user.headers)).json() for _ in range(5)]

    after = await cache_lookups(one)
    assert all(page == pages[0] for page in pages)
    assert after["miss"] - before.get("miss", 0) == 1
    assert after["hit"] - before.get("hit", 0) == 4
    # Every page expires on its own; the version key outlives it.
    keys = redis_server.client().keys(f"items:p:{user.id}:*")
    assert keys
    assert all(0 < redis_server.client().ttl(key) <= TTL_SECONDS for key in keys)


async def test_a_password_change_through_one_replica_is_refused_by_the_other(
    clients: list[httpx.AsyncClient],
) -> None:
    one, other = clients
    user = await sign_up_and_log_in(one)
    for _ in range(2):  # the second from the cache
        assert (await other.get("/api/v1/items", headers=user.headers)).status_code == 200

    changed = await one.post(
        "/api/v1/users/me/password",
        headers=user.headers,
        json={"current_password": PASSWORD, "new_password": "a brand new password"},
    )
    assert changed.status_code == 200
    old = await other.get("/api/v1/items", headers=user.headers)
    fresh = {"Authorization": f"Bearer {changed.json()['access_token']}"}

    assert old.status_code == 401
    assert (await other.get("/api/v1/items", headers=fresh)).status_code == 200
    # There is no log-out endpoint: a token ends by expiring or by a password change.


async def test_a_deleted_account_is_refused_by_the_other_replica(
    clients: list[httpx.AsyncClient],
) -> None:
    one, other = clients
    user = await sign_up_and_log_in(one)
    await one.post("/api/v1/items", headers=user.headers, json={"title": "mine"})
    for _ in range(2):  # the second from the cache
        assert (await other.get("/api/v1/items", headers=user.headers)).status_code == 200

    assert (await one.delete("/api/v1/users/me", headers=user.headers)).status_code == 204
    answer = await other.get("/api/v1/items", headers=user.headers)

    assert answer.status_code == 401


async def test_cached_pages_are_each_users_own(
    clients: list[httpx.AsyncClient], redis_server: RedisServer
) -> None:
    one, other = clients
    users = [await sign_up_and_log_in(one) for _ in range(2)]
    for user in users:
        await one.post("/api/v1/items", headers=user.headers, json={"title": user.email})
        for client in clients:
            for offset in (0, 1):
                await listed_ids(client, user, offset=offset)

    redis = redis_server.client()
    for user in users:
        keys = redis.keys(f"items:p:{user.id}:*")
        assert len(keys) == 2  # offsets 0 and 1, shared by both replicas
        for key in keys:
            body = redis.get(key)
            assert body is not None
            assert all(
                item["owner_id"] == user.id
                for item in httpx.Response(200, content=body).json()["items"]
            )
    page = (await other.get("/api/v1/items", headers=users[1].headers)).json()
    assert [item["title"] for item in page["items"]] == [users[1].email]


async def test_interleaved_writes_and_reads_leave_every_page_agreeing_with_the_database(
    clients: list[httpx.AsyncClient], database_url: str
) -> None:
    users = [await sign_up_and_log_in(clients[0]) for _ in range(3)]
    rng = random.Random(15)  # noqa: S311 - a repeatable order, not a secret

    async def write(user: ApiUser) -> None:
        client = rng.choice(clients)
        ids = await db_ids(database_url, user)
        action = rng.random()
        if ids and action < 0.25:
            await client.delete(f"/api/v1/items/{rng.choice(ids)}", headers=user.headers)
        elif ids and action < 0.5:
            await client.patch(
                f"/api/v1/items/{rng.choice(ids)}",
                headers=user.headers,
                json={"title": uuid.uuid4().hex},
            )
        else:
            await client.post("/api/v1/items", headers=user.headers, json={"title": "new"})

    async def read(user: ApiUser) -> None:
        answer = await rng.choice(clients).get(
            "/api/v1/items", headers=user.headers, params={"limit": rng.choice((3, 100))}
        )
        assert answer.status_code == 200

    for _ in range(6):
        batch = [(write if rng.random() < 0.3 else read)(rng.choice(users)) for _ in range(60)]
        await asyncio.gather(*batch)

    for user in users:
        expected = await db_ids(database_url, user)
        for client in clients:
            for _ in range(2):  # a miss, then a hit
                assert await listed_ids(client, user) == expected
                assert await listed_ids(client, user, limit=3) == expected[:3]


async def _load(
    clients: list[httpx.AsyncClient], user: ApiUser, database_url: str, seconds: float
) -> tuple[int, float]:
    """Writes and reads by one user for `seconds`; every list must show every write before it.

    Answers how many requests were made and the slowest one, in seconds."""
    requests, slowest = 0, 0.0
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        writer, reader = clients[n % 2], clients[(n + 1) % 2]
        started = time.monotonic()
        created = await writer.post("/api/v1/items", headers=user.headers, json={"title": f"{n}"})
        assert created.status_code == 201, created.text
        for _ in range(3):
            assert (await listed_ids(reader, user))[0] == created.json()["id"]
        requests += 4
        slowest = max(slowest, (time.monotonic() - started) / 4)
        n += 1
    assert await listed_ids(clients[0], user) == (await db_ids(database_url, user))[:100]
    return requests, slowest


async def _comes_back(client: httpx.AsyncClient, user: ApiUser) -> None:
    """Hits again within a few seconds, without any restart of the backend."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        before = (await cache_lookups(client)).get("hit", 0)
        await listed_ids(client, user)
        await listed_ids(client, user)
        if (await cache_lookups(client)).get("hit", 0) > before:
            return
        await asyncio.sleep(0.3)
    raise AssertionError("the cache did not come back")


async def test_redis_stopped_under_load_costs_no_errors_and_comes_back(
    clients: list[httpx.AsyncClient], redis_server: RedisServer, database_url: str
) -> None:
    user = await sign_up_and_log_in(clients[0])
    errors = await cache_errors(clients)
    load = asyncio.create_task(_load(clients, user, database_url, seconds=4))
    await asyncio.sleep(1)
    redis_server.stop()
    await asyncio.sleep(1.5)
    redis_server.start()  # empty: no persistence
    requests, _ = await load

    assert requests > 20
    assert await cache_errors(clients) > errors  # Redis really failed, and it was seen
    for client in clients:
        await _comes_back(client, user)


async def test_redis_that_stops_answering_costs_a_short_timeout_not_errors(
    clients: list[httpx.AsyncClient], redis_server: RedisServer, database_url: str
) -> None:
    user = await sign_up_and_log_in(clients[0])
    errors = await cache_errors(clients)
    redis_server.pause()
    try:
        requests, slowest = await _load(clients, user, database_url, seconds=2)
    finally:
        redis_server.resume()

    assert requests > 8
    assert slowest < 1.0  # each Redis call gives up after CACHE_TIMEOUT_SECONDS (0.25 s)
    assert await cache_errors(clients) > errors  # Redis really failed, and it was seen
    for client in clients:
        await _comes_back(client, user)
    assert await listed_ids(clients[1], user) == (await db_ids(database_url, user))[:100]


async def test_a_full_redis_costs_no_errors_and_never_a_stale_page(
    clients: list[httpx.AsyncClient], redis_server: RedisServer, database_url: str
) -> None:
    user = await sign_up_and_log_in(clients[0])
    errors = await cache_errors(clients)
    await listed_ids(clients[1], user)
    await listed_ids(clients[1], user)
    redis = redis_server.client()
    redis.config_set("maxmemory-policy", "noeviction")
    redis.config_set("maxmemory", "1")  # every write is refused: out of memory
    try:
        requests, _ = await _load(clients, user, database_url, seconds=2)
    finally:
        redis.config_set("maxmemory", "64mb")
        redis.config_set("maxmemory-policy", "allkeys-lru")

    assert requests > 8
    assert await cache_errors(clients) > errors  # Redis really failed, and it was seen
    for client in clients:
        await _comes_back(client, user)
    assert await listed_ids(clients[1], user) == (await db_ids(database_url, user))[:100]
