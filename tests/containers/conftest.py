"""Fixtures of the container tests: one private Docker engine for the whole session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .engine import IP_FORWARD, Engine, firewall_state, private_engine


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    """A private dockerd (engine.py); when the session ends, the host's firewall must be as it
    was before the engine started, IP forwarding too."""
    before = firewall_state()
    forwarding = [path.read_text() for path in IP_FORWARD]
    with private_engine() as running:
        yield running
    assert firewall_state() == before, "the private dockerd left changes in the host's firewall"
    assert [path.read_text() for path in IP_FORWARD] == forwarding, "IP forwarding left changed"
