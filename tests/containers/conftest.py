"""Fixtures of the container tests: one private Docker engine for the whole session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .engine import Engine, private_engine


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    """A private dockerd (engine.py): locked, its firewall changes undone when the session ends."""
    with private_engine() as running:
        yield running
