"""Item rules: an item belongs to exactly one user, who alone can see or change it."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.auth.dependencies import Claims, revoked
from app.cache import ItemCache
from app.errors import NotFoundError
from app.items import repository
from app.items.models import Item
from app.items.schemas import ItemCreate, ItemPage, ItemUpdate
from app.observability import metrics
from app.users.models import User


async def list_page_json(
    engine: AsyncEngine, cache: ItemCache | None, claims: Claims, offset: int, limit: int
) -> bytes:
    """The owner's page as the JSON the API answers: from the cache, or from the database
    (and then cached), where one statement checks the token's version and reads the page."""
    if cache is None:
        return await _read_page_json(engine, claims, offset, limit)
    lookup = await cache.lookup(claims.user_id, claims.token_version, offset, limit)
    if lookup is not None and lookup.body is not None:
        return lookup.body
    body = await _read_page_json(engine, claims, offset, limit)
    if lookup is not None:
        await cache.store(lookup, body)
    return body


async def _read_page_json(engine: AsyncEngine, claims: Claims, offset: int, limit: int) -> bytes:
    # The token's version is checked in the same statement: a revoked token reads nothing.
    rows = await repository.page_for_token(
        engine, claims.user_id, claims.token_version, offset, limit
    )
    if rows is None:
        raise revoked()
    # One validation of the whole page from plain dicts: half the cost of a model per row.
    # A page with no items is one row whose item columns are all null.
    page = ItemPage.model_validate(
        {
            "items": [
                dict(zip(repository.PAGE_ITEM_COLUMNS, row[1:], strict=True))
                for row in rows
                if row[1] is not None
            ],
            "total": rows[0][0],
            "offset": offset,
            "limit": limit,
        }
    )
    return _PAGE_JSON.to_json(page)


_PAGE_JSON = ItemPage.__pydantic_serializer__


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
