"""Password hashing (argon2) and access tokens (JWT), kept off the event loop."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from functools import cache

import anyio
import jwt
from pwdlib import PasswordHash

ALGORITHM = "HS256"

_hasher = PasswordHash.recommended()
# Each argon2 hash takes tens of milliseconds and 64 MiB: a few at a time per worker keeps a
# burst of log-ins from exhausting memory or starving every other request of threads. The
# number is PASSWORD_HASH_CONCURRENCY (set_hashing_concurrency), sized against the memory
# limit, never os.cpu_count(), which counts the host's CPUs inside a container.
_hashing_slots = anyio.CapacityLimiter(2)


def set_hashing_concurrency(slots: int) -> None:
    _hashing_slots.total_tokens = slots


def hashing_concurrency() -> int:
    return int(_hashing_slots.total_tokens)


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(_hasher.hash, password, limiter=_hashing_slots)


async def verify_password(password: str, hashed: str) -> bool:
    return await anyio.to_thread.run_sync(_hasher.verify, password, hashed, limiter=_hashing_slots)


@cache
def _dummy_hash() -> str:
    return _hasher.hash(uuid.uuid4().hex)


async def burn_verification_time(password: str) -> None:
    """Spend what a real verification costs, so an unknown email answers as slowly."""
    await verify_password(password, _dummy_hash())


def create_access_token(
    user_id: uuid.UUID, token_version: int, secret: str, expires_in: timedelta
) -> str:
    now = datetime.now(UTC)
    claims = {"sub": str(user_id), "ver": token_version, "iat": now, "exp": now + expires_in}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


class InvalidTokenError(Exception):
    pass


class ExpiredTokenError(InvalidTokenError):
    pass


def decode_access_token(token: str, secret: str) -> tuple[uuid.UUID, int]:
    """The user id and token version a valid token carries."""
    user_id, version, _ = _verify(token, secret)
    return user_id, version


def _verify(token: str, secret: str) -> tuple[uuid.UUID, int, float]:
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "exp", "ver"]}
        )
        return uuid.UUID(claims["sub"]), int(claims["ver"]), float(claims["exp"])
    except jwt.ExpiredSignatureError as exc:
        raise ExpiredTokenError from exc
    except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
        raise InvalidTokenError from exc


class TokenVerifier:
    """Verifies access tokens, remembering the claims of recent valid ones until they expire.

    A client sends the same token with every request; checking its signature each time was a
    tenth of the item list's CPU. Only tokens that verified are kept, each until its own `exp`
    (checked on every hit, exactly as the JWT library checks it), and at most `capacity` of
    them, the oldest dropped first. Revocation is not this map's business: the token's version
    is still compared with the database (or the cache keyed by it) on every request.
    """

    def __init__(self, secret: str, capacity: int = 1024) -> None:
        self._secret = secret
        self._capacity = capacity
        self._verified: dict[str, tuple[uuid.UUID, int, float]] = {}

    def claims(self, token: str) -> tuple[uuid.UUID, int]:
        """The user id and token version of a valid token; raises InvalidTokenError if not."""
        known = self._verified.get(token)
        if known is not None:
            if time.time() < known[2]:
                return known[0], known[1]
            del self._verified[token]
        user_id, version, expires = _verify(token, self._secret)
        if len(self._verified) >= self._capacity:
            del self._verified[next(iter(self._verified))]
        self._verified[token] = (user_id, version, expires)
        return user_id, version
