"""A small native stack (PostgreSQL, one backend with two workers, nginx) for the hardening
tests: fuzzing, bursts, slow clients."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from stack.runner import Stack
from tests.stackfixtures import native_stack

# One Argon2 hash at a time per worker: test_password_burst measures that bound. The
# per-account limit is raised so the burst reaches the hashing and not the throttle.
BACKEND_ENV = {"PASSWORD_HASH_CONCURRENCY": "1", "ACCOUNT_PASSWORD_ATTEMPTS": "1000"}


@pytest.fixture(scope="session")
def hardening_stack() -> Iterator[Stack]:
    with native_stack("hardening", home=[38000], site_only=True, backend_env=BACKEND_ENV) as stack:
        yield stack


@pytest.fixture(scope="session")
def backend_url(hardening_stack: Stack) -> str:
    return hardening_stack.backend.url()


@pytest.fixture(scope="session")
def site(hardening_stack: Stack) -> str:
    return hardening_stack.nginx.url
