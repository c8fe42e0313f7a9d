"""Item rules: an item belongs to exactly one user, who alone can see or change it."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import NotFoundError
from app.items import repository
from app.items.models import Item
from app.items.schemas import ItemCreate, ItemPage, ItemPublic, ItemUpdate
from app.observability import metrics
from app.users.models import User


async def list_page(session: AsyncSession, owner: User, offset: int, limit: int) -> ItemPage:
    items, total = await repository.page_for_owner(session, owner.id, offset, limit)
    return ItemPage(
        items=[ItemPublic.model_validate(item) for item in items],
        total=total,
        offset=offset,
        limit=limit,
    )


async def get_owned(session: AsyncSession, owner: User, item_id: uuid.UUID) -> Item:
    item = await repository.get_for_owner(session, item_id, owner.id)
    if item is None:
        # The same answer for someone else's item as for a missing one: ids reveal nothing.
        raise NotFoundError("Item not found")
    return item


async def create(session: AsyncSession, owner: User, data: ItemCreate) -> Item:
    item = await repository.add(session, Item(owner_id=owner.id, **data.model_dump()))
    metrics.ITEMS_CREATED.inc()
    return item


async def update(session: AsyncSession, item: Item, data: ItemUpdate) -> Item:
    for field, value in data.model_dump(exclude_unset=True).items():
        setattr(item, field, value)
    await session.flush()
    return item


async def delete(session: AsyncSession, item: Item) -> None:
    await repository.delete(session, item)
