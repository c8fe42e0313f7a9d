"""The native stack the live monitoring tests watch, and the traffic they watch it serve."""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from stack.config import Ports, StackConfig
from stack.runner import Stack

from .prometheus_api import PrometheusAPI, wait_for

# 9090 -> 29090: away from `make stack` and from the other test areas' stacks.
PORT_OFFSET = 20000
TRAFFIC_SECONDS = 45
TRAFFIC_MAX_ROUNDS = 200


@pytest.fixture(scope="session")
def monitoring_stack() -> Iterator[Stack]:
    # Readable by the `postgres` user, which runs the private cluster inside it.
    state_dir = Path(tempfile.mkdtemp(prefix="monitoring-stack-"))
    state_dir.chmod(0o755)
    config = StackConfig(
        state_dir=state_dir,
        ports=Ports().shifted(PORT_OFFSET),
        database_url=None,
        environment="test",  # serves GET /api/v1/test/error, a real 500
        backend_workers=2,
        backend_replicas=2,
    )
    try:
        with Stack(config) as stack:
            yield stack
    finally:
        shutil.rmtree(state_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def prometheus(monitoring_stack: Stack) -> PrometheusAPI:
    return PrometheusAPI(monitoring_stack.prometheus.url)


@dataclass(frozen=True)
class TrafficWindow:
    start: float
    end: float
    statuses: dict[int, int]


def _round(client: httpx.Client, token: str) -> list[int]:
    """One of each kind of answer: successes, 4xx, an unknown path, and a 5xx."""
    auth = {"Authorization": f"Bearer {token}"}
    created = client.post("/api/v1/items", json={"title": "watched"}, headers=auth)
    answers = [
        created,
        client.get(f"/api/v1/items/{created.json().get('id')}", headers=auth),
        client.get("/api/v1/items", headers=auth),
        client.get(f"/api/v1/items/{uuid.uuid4()}", headers=auth),  # 404 not_found
        client.post("/api/v1/items", json={"title": ""}, headers=auth),  # 422
        client.get("/api/v1/users/me"),  # 401
        client.get("/api/v1/no-such-route"),  # 404, route "unmatched"
        client.get("/api/v1/test/error"),  # 500
        client.get("/health/ready"),
    ]
    return [answer.status_code for answer in answers]


@pytest.fixture(scope="session")
def traffic(monitoring_stack: Stack, prometheus: PrometheusAPI) -> TrafficWindow:
    """Drive every kind of request through nginx for a bounded time, then let Prometheus see it."""
    start = time.time()
    statuses: dict[int, int] = {}
    email = f"watcher-{uuid.uuid4().hex[:8]}@example.com"
    with httpx.Client(base_url=monitoring_stack.nginx.url, timeout=10) as client:
        signup = {"email": email, "password": "correct horse", "full_name": "Watcher"}
        assert client.post("/api/v1/auth/signup", json=signup).status_code == 201
        bad = client.post("/api/v1/auth/login", data={"username": email, "password": "wrong!!!"})
        assert bad.status_code == 401
        login = client.post(
            "/api/v1/auth/login", data={"username": email, "password": "correct horse"}
        )
        token = login.json()["access_token"]
        deadline = time.monotonic() + TRAFFIC_SECONDS
        for _ in range(TRAFFIC_MAX_ROUNDS):
            if time.monotonic() > deadline:
                break
            for status in _round(client, token):
                statuses[status] = statuses.get(status, 0) + 1
            time.sleep(0.3)
    # Two scrapes and a rule evaluation after the last request, so rates and recorded series
    # cover all of it.
    end = time.time()
    wait_for(
        lambda: prometheus.query('job:http_requests_5xx:ratio_rate5m{job="backend"} > 0'),
        timeout=60,
        what="the 5xx ratio recorded",
    )
    time.sleep(30)
    return TrafficWindow(start, end, statuses)
