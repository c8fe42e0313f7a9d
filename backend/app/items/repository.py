"""Queries on the items table. Every query is scoped to one owner."""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, bindparam, func, select, true
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.util import greenlet_spawn

from app.items.models import Item
from app.observability import metrics
from app.users.models import User

# Built once, not per call: on the hottest read, constructing a statement costs more than
# running its cached compiled form.
_items = Item.__table__.c
_users = User.__table__.c
# The item list's one statement, in SQLAlchemy Core (columns, no ORM entities): the token's
# user with the version it carries, their total, and one page of their items, joined
# laterally so a user with no items (or a page past the end) still answers one row, with
# nulls for the item. No row at all: the account is gone or the token was revoked.
_OWNER_PAGE_ITEMS = (
    select(
        _items.id,
        _items.title,
        _items.description,
        _items.owner_id,
        _items.created_at,
        _items.updated_at,
    )
    .where(_items.owner_id == _users.id)
    .order_by(_items.created_at.desc(), _items.id.desc())
    .offset(bindparam("offset"))
    .limit(bindparam("limit"))
    .lateral("page")
)
_OWNER_TOTAL = (
    select(func.count().label("total"))
    .select_from(Item.__table__)
    .where(_items.owner_id == _users.id)
    .lateral("counted")
)
_OWNER_PAGE = (
    select(_OWNER_TOTAL.c.total, *_OWNER_PAGE_ITEMS.c)
    .select_from(User.__table__.join(_OWNER_TOTAL, true()).outerjoin(_OWNER_PAGE_ITEMS, true()))
    .where(_users.id == bindparam("owner_id"), _users.token_version == bindparam("version"))
)


# The names of the item columns that follow the total in each row of the page.
PAGE_ITEM_COLUMNS = tuple(column.name for column in _OWNER_PAGE_ITEMS.c)


def _owner_page(engine: Engine, params: dict[str, Any]) -> Sequence[Sequence[Any]]:
    started = time.perf_counter()
    with engine.connect() as connection:
        metrics.POOL_ACQUIRE_DURATION.observe(time.perf_counter() - started)
        return connection.execute(_OWNER_PAGE, params).all()


async def page_for_token(
    engine: AsyncEngine, owner_id: uuid.UUID, version: int, offset: int, limit: int
) -> Sequence[Sequence[Any]] | None:
    """Rows of (total, item columns) for one page of the owner's items, newest first, or None
    if no user has this id and token version. A page with no items is one row of nulls."""
    params = {"owner_id": owner_id, "version": version, "offset": offset, "limit": limit}
    # Check-out, statement and return in one hop to the greenlet that runs SQLAlchemy's sync
    # core, where an AsyncConnection takes three (a tenth of this request's CPU).
    rows = await greenlet_spawn(_owner_page, engine.sync_engine, params)
    return rows or None


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
