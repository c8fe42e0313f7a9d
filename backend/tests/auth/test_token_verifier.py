"""Verified tokens are remembered, but never past their expiry nor beyond a fixed number."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest

from app.auth.security import (
    ExpiredTokenError,
    InvalidTokenError,
    TokenVerifier,
    create_access_token,
    decode_access_token,
)

SECRET = "a-secret-long-enough-for-hs256-0123456789"


def token(lifetime: timedelta = timedelta(minutes=5), version: int = 0) -> tuple[uuid.UUID, str]:
    user_id = uuid.uuid4()
    return user_id, create_access_token(user_id, version, SECRET, lifetime)


def test_a_remembered_token_still_expires() -> None:
    verifier = TokenVerifier(SECRET)
    user_id, short = token(timedelta(seconds=1))

    assert verifier.claims(short) == (user_id, 0)
    assert verifier.claims(short) == (user_id, 0)  # from memory
    time.sleep(1.1)

    with pytest.raises(ExpiredTokenError):
        verifier.claims(short)


def test_memory_is_bounded_and_forgets_the_oldest() -> None:
    verifier = TokenVerifier(SECRET, capacity=2)
    tokens = [token(version=n) for n in range(3)]
    for user_id, signed in tokens:
        assert verifier.claims(signed)[0] == user_id

    assert len(verifier._verified) == 2
    assert tokens[0][1] not in verifier._verified


def test_another_secret_or_a_forgery_is_refused() -> None:
    _, signed = token()
    TokenVerifier(SECRET).claims(signed)

    with pytest.raises(InvalidTokenError):
        TokenVerifier("another-secret-long-enough-for-hs256-012345").claims(signed)
    with pytest.raises(InvalidTokenError):
        TokenVerifier(SECRET).claims(signed[:-2] + "xx")
    assert decode_access_token(signed, SECRET)[1] == 0
