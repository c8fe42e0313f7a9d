"""Queries on the idempotency_keys table."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.idempotency.models import IdempotencyKey


async def claim(
    session: AsyncSession, scope: str, key: str, fingerprint: str, ttl: timedelta
) -> bool:
    """Insert the key in the request's transaction; False when another request holds it.

    A row older than `ttl` is taken over. A concurrent request with the same key waits
    here until the first transaction ends: it then claims the key (the first rolled back) or
    finds the first answer (it committed).
    """
    statement = (
        insert(IdempotencyKey)
        .values(id=uuid.uuid4(), scope=scope, key=key, fingerprint=fingerprint)
        .on_conflict_do_update(
            index_elements=[IdempotencyKey.scope, IdempotencyKey.key],
            set_={
                "fingerprint": fingerprint,
                "created_at": func.now(),
                "status_code": None,
                "response_body": None,
                "user_id": None,
            },
            where=IdempotencyKey.created_at < func.now() - ttl,
        )
        .returning(IdempotencyKey.id)
    )
    return (await session.execute(statement)).first() is not None


async def get(session: AsyncSession, scope: str, key: str) -> IdempotencyKey | None:
    query = select(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
    return await session.scalar(query)


async def record_response(
    session: AsyncSession,
    *,
    scope: str,
    key: str,
    user_id: uuid.UUID,
    status_code: int,
    body: Any,
) -> None:
    await session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
        .values(user_id=user_id, status_code=status_code, response_body=body)
    )


async def purge_expired(session: AsyncSession, ttl: timedelta) -> int:
    result = await session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.created_at < func.now() - ttl)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
