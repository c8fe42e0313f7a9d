"""The real server process: several workers, one set of metrics, logs and a clean shutdown."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from pathlib import Path

import httpx
import pytest

from app.config import Settings
from tests.observability.test_metrics import sample
from tests.server import running_server, start_server, wait_until_serving


@pytest.fixture
def server_env(settings: Settings) -> dict[str, str]:
    return {
        "ENVIRONMENT": "test",
        "DATABASE_URL": settings.database_url,
        "SECRET_KEY": settings.secret_key.get_secret_value(),
        "WEB_WORKERS": "2",
    }


@pytest.mark.parametrize("workers", [1, 2])
async def test_metrics_are_summed_across_worker_processes(
    tmp_path: Path, server_env: dict[str, str], workers: int
) -> None:
    # One worker runs inside the serving process: its metrics must be shared all the same.
    with running_server(tmp_path, **{**server_env, "WEB_WORKERS": str(workers)}) as server:
        # Separate connections, many at once, so the kernel spreads them over both workers.
        async def hit() -> int:
            async with httpx.AsyncClient(base_url=server.url) as client:
                return (await client.get("/api/v1/items")).status_code

        statuses = await asyncio.gather(*(hit() for _ in range(200)))
        assert statuses == [401] * 200

        labels = {"method": "GET", "route": "/api/v1/items", "status": "401"}
        scrapes = []
        for _ in range(10):  # each scrape is answered by whichever worker accepts it
            async with httpx.AsyncClient(base_url=server.url) as client:
                scrapes.append((await client.get("/metrics")).text)

    assert [sample(text, "http_requests_total", **labels) for text in scrapes] == [200] * 10
    assert all(sample(text, "app_workers") == workers for text in scrapes)
    assert all(sample(text, "process_resident_memory_bytes") > 0 for text in scrapes)
    assert sample(scrapes[0], "db_pool_size") == workers * Settings().db_pool_size


async def test_sigterm_lets_in_flight_requests_finish(
    tmp_path: Path, server_env: dict[str, str]
) -> None:
    server = start_server(tmp_path, **server_env)
    try:
        await asyncio.to_thread(wait_until_serving, server)
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
            in_flight = asyncio.create_task(client.get("/api/v1/test/slow?seconds=1.5"))
            await asyncio.sleep(0.5)
            server.process.send_signal(signal.SIGTERM)
            answer = await in_flight
        exit_code = await asyncio.to_thread(server.process.wait, 20)
    finally:
        server.stop()

    assert answer.status_code == 200
    assert answer.json() == {"slept": 1.5}
    assert exit_code == 0


def test_access_log_is_json_with_the_proxys_request_id(
    tmp_path: Path, server_env: dict[str, str]
) -> None:
    with running_server(tmp_path, **server_env) as server:
        answer = httpx.get(
            f"{server.url}/api/v1/items/123", headers={"X-Request-ID": "from-nginx-42"}
        )
        assert answer.headers["X-Request-ID"] == "from-nginx-42"
        time.sleep(0.2)  # let the worker flush its line
        lines = server.log_text().splitlines()

    entries = [json.loads(line) for line in lines]  # every line is a JSON object
    [access] = [e for e in entries if e.get("request_id") == "from-nginx-42"]
    assert access["message"] == "request"
    assert access["route"] == "/api/v1/items/{item_id}"
    assert access["path"] == "/api/v1/items/123"
    assert access["status"] == 401


def test_production_refuses_default_secrets_and_names_them(tmp_path: Path) -> None:
    server = start_server(tmp_path, ENVIRONMENT="production")
    exit_code = server.process.wait(30)

    assert exit_code != 0
    output = server.log_text()
    assert "SECRET_KEY" in output
    assert "FIRST_ADMIN_PASSWORD" in output
