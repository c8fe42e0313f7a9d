"""Queries on the items table. Every query is scoped to one owner."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.items.models import Item

# Built once, not per call: on the hottest read, constructing the statement cost more than
# running its cached compiled form. The total rides along with each row (one query instead of
# two); only a page past the end, which has no rows to carry it, needs a count of its own.
_PAGE = (
    select(Item, func.count().over().label("total"))
    .where(Item.owner_id == bindparam("owner_id"))
    .order_by(Item.created_at.desc(), Item.id.desc())
    .offset(bindparam("offset"))
    .limit(bindparam("limit"))
)
_COUNT = select(func.count()).select_from(Item).where(Item.owner_id == bindparam("owner_id"))


async def page_for_owner(
    session: AsyncSession, owner_id: uuid.UUID, offset: int, limit: int
) -> tuple[Sequence[Item], int]:
    """One page of the owner's items, newest first, and how many they have in all."""
    rows = (
        await session.execute(_PAGE, {"owner_id": owner_id, "offset": offset, "limit": limit})
    ).all()
    if rows:
        return [row.Item for row in rows], rows[0].total
    return [], (await session.scalar(_COUNT, {"owner_id": owner_id})) or 0


async def get_for_owner(
    session: AsyncSession, item_id: uuid.UUID, owner_id: uuid.UUID
) -> Item | None:
    query = select(Item).where(Item.id == item_id, Item.owner_id == owner_id)
    return await session.scalar(query)


async def add(session: AsyncSession, item: Item) -> Item:
    session.add(item)
    await session.flush()
    return item


async def delete(session: AsyncSession, item: Item) -> None:
    await session.delete(item)
    await session.flush()
