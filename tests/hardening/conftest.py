"""A small native stack (PostgreSQL, one backend with two workers, nginx) for the hardening
tests: fuzzing, bursts, slow clients. Ports 38000-38999, away from every other test area."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from stack.config import Ports, StackConfig
from stack.process import StartupError, port_open
from stack.runner import Stack

PORTS = Ports(
    postgres=38433,
    backend=38000,
    nginx=38080,
    nginx_internal=38081,
    prometheus=38090,
    alertmanager=38093,
    node_exporter=38100,
    nginx_exporter=38113,
    postgres_exporter=38187,
    alert_webhook=38095,
    redis=38379,
    redis_exporter=38121,
)


@pytest.fixture(scope="session")
def hardening_stack() -> Iterator[Stack]:
    deadline = time.monotonic() + 20
    while busy := [p for p in (PORTS.postgres, PORTS.backend, PORTS.nginx) if port_open(p)]:
        if time.monotonic() > deadline:
            raise RuntimeError(f"ports {busy} are taken: another hardening test run here?")
        time.sleep(0.5)
    state_dir = Path(tempfile.mkdtemp(prefix="hardening-stack-"))
    state_dir.chmod(0o755)  # the `postgres` user runs the private cluster inside it
    config = StackConfig(
        state_dir=state_dir,
        ports=PORTS,
        database_url=None,
        environment="test",
        backend_workers=2,
        backend_replicas=1,
        # One Argon2 hash at a time per worker: test_password_burst measures that bound. The
        # per-account limit is raised so the burst reaches the hashing and not the throttle.
        backend_env={"PASSWORD_HASH_CONCURRENCY": "1", "ACCOUNT_PASSWORD_ATTEMPTS": "1000"},
    )
    try:
        # Our ports lie in the kernel's ephemeral range: an outgoing connection of some other
        # process can hold one for a moment (EADDRINUSE). Start again once it has let go.
        for attempt in range(3):
            stack = Stack(config)
            stack.services = [stack.postgres, stack.backend, stack.nginx]
            try:
                stack.start()
                break
            except StartupError as exc:  # start() has stopped what it started
                if "Address already in use" not in str(exc) or attempt == 2:
                    raise
                time.sleep(3)
        try:
            yield stack
        finally:
            stack.stop()
    finally:
        shutil.rmtree(state_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def backend_url(hardening_stack: Stack) -> str:
    return hardening_stack.backend.url()


@pytest.fixture(scope="session")
def site(hardening_stack: Stack) -> str:
    return hardening_stack.nginx.url
