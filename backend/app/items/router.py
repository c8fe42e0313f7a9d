"""The signed-in user's items."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.responses import JSONResponse

from app.auth.dependencies import CurrentUser, TokenClaims
from app.config import API_PREFIX
from app.db import SessionDep
from app.errors import (
    AuthenticationError,
    IdempotencyKeyReusedError,
    NotFoundError,
    error_responses,
)
from app.idempotency.service import IdempotentCreateDep
from app.items import service
from app.items.models import Item
from app.items.schemas import ItemCreate, ItemPage, ItemPublic, ItemUpdate

MAX_PAGE_SIZE = 100

router = APIRouter(
    prefix=f"{API_PREFIX}/items", tags=["items"], responses=error_responses(AuthenticationError)
)


async def _owned_item(session: SessionDep, user: CurrentUser, item_id: uuid.UUID) -> Item:
    return await service.get_owned(session, user, item_id)


OwnedItem = Annotated[Item, Depends(_owned_item)]


@router.get("", response_model=ItemPage)
async def list_items(
    request: Request,
    claims: TokenClaims,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
) -> Response:
    """List my items, newest first."""
    # The hottest read: no session, one statement, the page validated and serialised once.
    state = request.app.state
    body = await service.list_page_json(state.engine, state.cache, claims, offset, limit)
    return Response(body, media_type="application/json")


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ItemPublic,
    responses=error_responses(IdempotencyKeyReusedError),
)
async def create_item(
    session: SessionDep, user: CurrentUser, data: ItemCreate, idempotency: IdempotentCreateDep
) -> ItemPublic | JSONResponse:
    """Create an item; a retry with the same Idempotency-Key answers the first response."""
    replay = await idempotency.replay_or_claim(f"user:{user.id}", data)
    if replay is not None:
        return replay
    item = ItemPublic.model_validate(await service.create(session, user, data))
    await idempotency.record(user.id, status.HTTP_201_CREATED, item)
    return item


@router.get("/{item_id}", responses=error_responses(NotFoundError))
async def read_item(item: OwnedItem) -> ItemPublic:
    """Read one of my items."""
    return ItemPublic.model_validate(item)


@router.patch("/{item_id}", responses=error_responses(NotFoundError))
async def update_item(session: SessionDep, item: OwnedItem, data: ItemUpdate) -> ItemPublic:
    """Change some fields of one of my items."""
    return ItemPublic.model_validate(await service.update(session, item, data))


@router.delete(
    "/{item_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(NotFoundError)
)
async def delete_item(session: SessionDep, item: OwnedItem) -> Response:
    """Delete one of my items."""
    await service.delete(session, item)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
