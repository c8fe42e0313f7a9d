"""A small native stack (PostgreSQL, one backend with two workers, nginx) for fault injection:
the tests kill its processes. The monitoring services play no part in these faults."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from stack.runner import Stack
from tests.stackfixtures import native_stack


@pytest.fixture(scope="session")
def faults_stack() -> Iterator[Stack]:
    with native_stack("faults", home=[36000], site_only=True) as stack:
        yield stack


@pytest.fixture(scope="session")
def site(faults_stack: Stack) -> str:
    return faults_stack.nginx.url
