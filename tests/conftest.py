"""Fixtures shared by the system test areas: one private Docker engine for the whole session.

tests/containers and tests/cicd both use it. One engine holds the machine-wide lock from its
first use to the end of the session, so no area waits for another's engine to let go."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.containers.engine import Engine, private_engine


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    """A private dockerd (engine.py); when the session ends, the host's firewall and IP
    forwarding must be as they were when the engine took the machine-wide lock (compared
    before the lock is released: another branch's engine may run before or after it)."""
    with private_engine() as running:
        yield running
    assert not running.left_changed, f"the private dockerd left changed: {running.left_changed}"
