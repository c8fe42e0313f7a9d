"""The signed-in user's own account."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from app.auth.dependencies import AccountThrottleDep, CurrentUser
from app.auth.schemas import Token
from app.auth.service import issue_token
from app.config import API_PREFIX, SettingsDep
from app.db import SessionDep
from app.errors import (
    AuthenticationError,
    EmailTakenError,
    IncorrectPasswordError,
    RateLimitedError,
    error_responses,
)
from app.users import service
from app.users.schemas import PasswordChange, UserPublic, UserUpdate

router = APIRouter(
    prefix=f"{API_PREFIX}/users/me", tags=["users"], responses=error_responses(AuthenticationError)
)


@router.get("")
async def read_me(user: CurrentUser) -> UserPublic:
    """Read my profile."""
    return UserPublic.model_validate(user)


@router.patch("", responses=error_responses(EmailTakenError))
async def update_me(session: SessionDep, user: CurrentUser, data: UserUpdate) -> UserPublic:
    """Change my name or email."""
    return UserPublic.model_validate(await service.update_profile(session, user, data))


@router.post("/password", responses=error_responses(IncorrectPasswordError, RateLimitedError))
async def change_password(
    session: SessionDep,
    settings: SettingsDep,
    throttle: AccountThrottleDep,
    user: CurrentUser,
    data: PasswordChange,
) -> Token:
    """Change my password; answers a fresh token, as every earlier one stops working."""
    user = await service.change_password(session, user, data, throttle)
    return issue_token(user, settings)


@router.delete("", status_code=status.HTTP_204_NO_CONTENT)
async def delete_me(session: SessionDep, user: CurrentUser) -> Response:
    """Delete my account and all my items."""
    await service.delete_account(session, user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
