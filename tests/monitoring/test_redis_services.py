"""Redis (the item list's cache) and its exporter in both compose files, run as the native
stack runs them, in the versions the native stack's tests run."""

from __future__ import annotations

import re
import subprocess
from typing import Any

import pytest

from stack.services.redis import EVICTION_POLICY, MAX_MEMORY

from .test_compose_monitoring import DEV, PROD, compose_config


@pytest.fixture(scope="module", params=[DEV, PROD], ids=["dev", "prod"])
def services(request: pytest.FixtureRequest) -> dict[str, Any]:
    services: dict[str, Any] = compose_config(request.param)["services"]
    return services


def _flags(command: list[str]) -> dict[str, str]:
    return dict(zip(command[1::2], command[2::2], strict=True))


def _tested_version(argv: list[str], pattern: str) -> str:
    output = subprocess.run(argv, capture_output=True, text=True, check=False)
    found = re.search(pattern, output.stdout + output.stderr)
    assert found, output
    return found.group(1)


def test_redis_is_a_bounded_cache_that_keeps_nothing(services: dict[str, Any]) -> None:
    redis = services["redis"]
    assert redis["command"][0] == "redis-server"
    assert _flags(redis["command"]) == {
        "--save": "",
        "--appendonly": "no",
        "--maxmemory": MAX_MEMORY,
        "--maxmemory-policy": EVICTION_POLICY,
    }
    assert not redis.get("volumes"), "a cache: nothing to keep"
    assert redis["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]


def test_the_backend_uses_it_and_waits_for_it(services: dict[str, Any]) -> None:
    for name in ("backend", "prestart"):
        environment = services[name]["environment"]
        assert environment["REDIS_URL"] == "redis://redis:6379/0"
        assert environment["CACHE_ENABLED"] == "true"
    assert services["backend"]["depends_on"]["redis"]["condition"] == "service_healthy"
    assert services["redis-exporter"]["environment"]["REDIS_ADDR"] == "redis://redis:6379"


def test_images_are_the_versions_the_native_stack_runs(services: dict[str, Any]) -> None:
    redis = _tested_version(["redis-server", "--version"], r"v=(\d+\.\d+\.\d+)")
    exporter = _tested_version(
        ["prometheus-redis-exporter", "--version"], r"Exporter (\d+\.\d+\.\d+)"
    )
    assert services["redis"]["image"] == f"redis:{redis}-bookworm"
    assert services["redis-exporter"]["image"] == f"oliver006/redis_exporter:v{exporter}-alpine"


def test_production_limits_redis_memory_above_its_maxmemory() -> None:
    redis = compose_config(PROD)["services"]["redis"]
    limit = redis["deploy"]["resources"]["limits"]["memory"]
    assert int(limit) > int(MAX_MEMORY.removesuffix("mb")) * 1024 * 1024 * 1.5
