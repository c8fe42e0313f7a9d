"""The item list's cache in Redis, built so that it cannot answer a page the database disagrees
with, and so that Redis failing costs speed, never answers.

Keys (docs/scalability.md explains the design):
- `items:v:<user id>`: the user's cache version. Every committed write by the user (an item
  created, changed or deleted, a profile or password change, the account deleted) bumps it
  after the commit and before the response is sent.
- `items:p:<user id>:<token version>:<cache version>:<offset>:<limit>`: one page, the exact
  JSON the API answers. It can only be found through the current cache version, so a bump
  makes every page stored before it unreachable; the token's version in the key means a token
  revoked by a password change never finds a page a newer token stored. A TTL removes what a
  failed bump could leave behind.

A version key that is missing (never set, evicted, Redis restarted empty, deleted by a bump
that could not increment) starts again at a random 62-bit number, never at a number it may
have had before. Every Redis call is bounded by a short timeout; after a failure the cache is
skipped for a second, except for bumps, which are always tried.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
import uuid
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from app.config import Settings
from app.observability import metrics

logger = logging.getLogger(__name__)

# After a failed call, answer from PostgreSQL alone for this long before trying Redis again.
PAUSE_AFTER_ERROR_SECONDS = 1.0
# The version key outlives any page by far; losing it only costs one miss per page.
VERSION_TTL_SECONDS = 24 * 3600

# GET the user's version (starting it at ARGV[1] if it is missing), then the page under it:
# one round trip. The page key is built here because it contains the version just read.
_LOOKUP = """
local version = redis.call('GET', KEYS[1])
if not version then
  version = ARGV[1]
  redis.call('SET', KEYS[1], version, 'EX', ARGV[4])
end
return {version, redis.call('GET', ARGV[2] .. version .. ARGV[3])}
"""
# INCR the version, or start it at a random number: an INCR of a missing key would start at 1,
# a version that may already name pages stored before the key was lost.
_BUMP = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('INCR', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[1])
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
"""


def _random_version() -> str:
    return str(secrets.randbits(62))


def version_key(user_id: uuid.UUID) -> str:
    return f"items:v:{user_id}"


@dataclass(frozen=True)
class Lookup:
    """What a lookup found: the page's JSON on a hit, and the key to store it under on a miss."""

    body: bytes | None
    key: str


class ItemCache:
    """One worker's connection to Redis for the item list."""

    def __init__(self, settings: Settings) -> None:
        self._timeout = settings.cache_timeout_seconds
        self._ttl = settings.cache_ttl_seconds
        # Each call is also bounded as a whole (asyncio.timeout below). Without the socket
        # timeout too, a busy worker measured many more timeouts: every cancelled call drops
        # its connection, and the reconnections pile up behind the next ones.
        self._redis = Redis.from_url(
            settings.redis_url,
            socket_timeout=self._timeout,
            socket_connect_timeout=self._timeout,
            retry=Retry(NoBackoff(), 0),
        )
        self._lookup = self._redis.register_script(_LOOKUP)
        self._bump = self._redis.register_script(_BUMP)
        self._paused_until = 0.0

    async def close(self) -> None:
        await self._redis.aclose()

    def _failed(self, operation: str, exc: BaseException) -> None:
        metrics.CACHE_ERRORS.labels(operation=operation).inc()
        if time.monotonic() >= self._paused_until:  # one log line per pause, not per request
            logger.warning("cache %s failed, answering from the database: %r", operation, exc)
        self._paused_until = time.monotonic() + PAUSE_AFTER_ERROR_SECONDS

    async def lookup(
        self, user_id: uuid.UUID, token_version: int, offset: int, limit: int
    ) -> Lookup | None:
        """The cached page, or where to store it; None when Redis cannot be asked now."""
        if time.monotonic() < self._paused_until:
            metrics.CACHE_LOOKUPS.labels(result="skipped").inc()
            return None
        prefix = f"items:p:{user_id}:{token_version}:"
        suffix = f":{offset}:{limit}"
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self._timeout):
                version, body = await self._lookup(
                    keys=[version_key(user_id)],
                    args=[_random_version(), prefix, suffix, VERSION_TTL_SECONDS],
                )
        except (RedisError, OSError, TimeoutError) as exc:
            self._failed("lookup", exc)
            return None
        metrics.CACHE_DURATION.labels(operation="lookup").observe(time.perf_counter() - started)
        metrics.CACHE_LOOKUPS.labels(result="miss" if body is None else "hit").inc()
        return Lookup(body, f"{prefix}{version.decode()}{suffix}")

    async def store(self, lookup: Lookup, body: bytes) -> None:
        """Keep a page read from the database under the version it was looked up with."""
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self._timeout):
                await self._redis.set(lookup.key, body, ex=self._ttl)
        except (RedisError, OSError, TimeoutError) as exc:
            self._failed("store", exc)
            return
        metrics.CACHE_DURATION.labels(operation="store").observe(time.perf_counter() - started)

    async def bump(self, user_id: uuid.UUID) -> None:
        """Make every page cached for this user unreachable; called after each committed write.

        Tried even while lookups are paused. If the bump fails, deleting the version key does
        the same (DEL works even when Redis is out of memory); if that fails too, what is left
        lives at most the pages' TTL.
        """
        started = time.perf_counter()
        key = version_key(user_id)
        try:
            async with asyncio.timeout(self._timeout):
                await self._bump(keys=[key], args=[_random_version(), VERSION_TTL_SECONDS])
        except (RedisError, OSError, TimeoutError) as exc:
            self._failed("bump", exc)
            try:
                async with asyncio.timeout(self._timeout):
                    await self._redis.delete(key)
            except (RedisError, OSError, TimeoutError) as again:
                self._failed("bump", again)
            return
        metrics.CACHE_DURATION.labels(operation="bump").observe(time.perf_counter() - started)
