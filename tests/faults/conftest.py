"""A small native stack (PostgreSQL, one backend with two workers, nginx) for fault injection:
the tests kill its processes. Ports 36000-36999, away from every other test area's stack."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from stack.config import Ports, StackConfig
from stack.process import port_open
from stack.runner import Stack

PORTS = Ports(
    postgres=36433,
    backend=36000,
    nginx=36080,
    nginx_internal=36081,
    prometheus=36090,
    alertmanager=36093,
    node_exporter=36100,
    nginx_exporter=36113,
    postgres_exporter=36187,
    alert_webhook=36095,
    redis=36379,
    redis_exporter=36121,
)


@pytest.fixture(scope="session")
def faults_stack() -> Iterator[Stack]:
    # A stack stopped a moment ago may still be letting go of its sockets.
    deadline = time.monotonic() + 20
    while busy := [p for p in (PORTS.postgres, PORTS.backend, PORTS.nginx) if port_open(p)]:
        if time.monotonic() > deadline:
            raise RuntimeError(f"ports {busy} are taken: another faults test run on this machine?")
        time.sleep(0.5)
    # Readable by the `postgres` user, which runs the private cluster inside it.
    state_dir = Path(tempfile.mkdtemp(prefix="faults-stack-"))
    state_dir.chmod(0o755)
    config = StackConfig(
        state_dir=state_dir,
        ports=PORTS,
        database_url=None,
        environment="test",
        backend_workers=2,
        backend_replicas=1,
    )
    stack = Stack(config)
    # Only what serves the site: the monitoring services play no part in these faults.
    stack.services = [stack.postgres, stack.backend, stack.nginx]
    try:
        with stack:
            yield stack
    finally:
        shutil.rmtree(state_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def site(faults_stack: Stack) -> str:
    return faults_stack.nginx.url
