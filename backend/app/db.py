"""The database: the declarative base, the engine and its pool, one session per request."""

from __future__ import annotations

import select
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import MetaData, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool

from app.cache import ItemCache
from app.config import Settings
from app.observability import metrics

# Explicit constraint names, so migrations can name what they drop.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def create_engine(settings: Settings) -> AsyncEngine:
    """The worker's one pool. Its connections are in autocommit unless a session says otherwise.

    Hot reads run a single SELECT straight on `engine.connect()`: in autocommit that is one
    round trip, with no BEGIN, and `skip_autocommit_rollback` drops the ROLLBACK the pool would
    send when the connection comes back. Sessions get transactions (`create_sessionmaker`).
    """
    engine = create_async_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
        connect_args={"connect_timeout": settings.db_connect_timeout_seconds},
        isolation_level="AUTOCOMMIT",
        skip_autocommit_rollback=True,
    )
    event.listen(engine.sync_engine.pool, "checkout", _replace_if_closed_by_server)
    metrics.POOL_SIZE.set(settings.db_pool_size)
    metrics.POOL_MAX.set(settings.db_pool_size + settings.db_max_overflow)
    return engine


def _replace_if_closed_by_server(
    dbapi_connection: Any, record: ConnectionPoolEntry, proxy: Any
) -> None:
    """Refuse a pooled connection the server has closed; the pool then opens a fresh one.

    An idle connection has nothing to read unless the server has hung up on it (a restart, an
    idle timeout, `pg_terminate_backend`): PostgreSQL then sends its last words and closes the
    socket. Looking for that costs one `poll`, where `pool_pre_ping` spends a round trip to the
    database on every checkout.
    """
    connection = record.driver_connection
    if connection is None or connection.closed or _has_input(connection.fileno()):
        raise DisconnectionError("the database server closed this connection")


def _has_input(fd: int) -> bool:
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


def publish_pool_metrics(engine: AsyncEngine) -> None:
    """Record how this worker's pool is used right now (called every second)."""
    pool = engine.sync_engine.pool
    if not isinstance(pool, QueuePool):  # only a queue pool has these figures
        return
    metrics.POOL_IN_USE.set(pool.checkedout())
    metrics.POOL_IDLE.set(pool.checkedin())
    # overflow() counts down from -pool_size until the pool is full.
    metrics.POOL_OVERFLOW.set(max(pool.overflow(), 0))


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # Sessions share the engine's pool but run in transactions (PostgreSQL's default level).
    transactional = engine.execution_options(isolation_level="READ COMMITTED")
    # Objects stay readable after commit: the response is built after the session closes.
    return async_sessionmaker(transactional, expire_on_commit=False)


# Requests that only read need no transaction: each statement commits on its own, which saves
# the BEGIN and COMMIT round trips on the most frequent requests.
_READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's session: committed when the route returns, rolled back if it raises."""
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with sessionmaker() as session:
        # Take the connection now, so the wait for a free one is measured, and an exhausted
        # pool fails the request before any work is done.
        started = time.perf_counter()
        read_only = request.method in _READ_ONLY_METHODS
        await session.connection(execution_options=_AUTOCOMMIT if read_only else None)
        metrics.POOL_ACQUIRE_DURATION.observe(time.perf_counter() - started)
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        await session.commit()
        # Pages cached for the user who wrote are now stale: make them unreachable before the
        # response is sent, so the next request anywhere reads what was just committed.
        cache: ItemCache | None = request.app.state.cache
        user_id = getattr(request.state, "user_id", None)
        if cache is not None and user_id is not None and not read_only:
            await cache.bump(user_id)


# scope="function": commit before the response is sent, so a 2xx means the data is stored.
SessionDep = Annotated[AsyncSession, Depends(_request_session, scope="function")]
