"""Sign-up and log-in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Response, status
from fastapi.responses import JSONResponse

from app.auth import service
from app.auth.dependencies import AccountThrottleDep, CurrentUser
from app.auth.schemas import Token
from app.config import API_PREFIX, SettingsDep
from app.db import SessionDep
from app.errors import (
    AuthenticationError,
    EmailTakenError,
    IdempotencyKeyReusedError,
    RateLimitedError,
    error_responses,
)
from app.idempotency.service import IdempotentCreateDep
from app.users import service as users_service
from app.users.schemas import UserCreate, UserPublic
from app.validation import EMAIL_MAX_LENGTH, PASSWORD_MAX_LENGTH

router = APIRouter(prefix=f"{API_PREFIX}/auth", tags=["auth"])


@router.post(
    "/signup",
    status_code=status.HTTP_201_CREATED,
    response_model=UserPublic,
    responses=error_responses(EmailTakenError, IdempotencyKeyReusedError),
)
async def signup(
    session: SessionDep, data: UserCreate, idempotency: IdempotentCreateDep
) -> UserPublic | JSONResponse:
    """Create an account; a retry with the same Idempotency-Key answers the first response."""
    # Keyed by the key alone (there is no account yet); the fingerprint covers the whole body.
    replay = await idempotency.replay_or_claim("signup", data)
    if replay is not None:
        return replay
    user = UserPublic.model_validate(await users_service.create_user(session, data))
    await idempotency.record(user.id, status.HTTP_201_CREATED, user)
    return user


@router.post("/login", responses=error_responses(AuthenticationError, RateLimitedError))
async def login(
    session: SessionDep,
    settings: SettingsDep,
    throttle: AccountThrottleDep,
    # The OAuth2 password form; bounded so nobody can make us hash a megabyte.
    username: Annotated[str, Form(min_length=1, max_length=EMAIL_MAX_LENGTH)],
    password: Annotated[str, Form(min_length=1, max_length=PASSWORD_MAX_LENGTH)],
) -> Token:
    """Exchange an email and password for an access token."""
    user = await service.authenticate(session, username, password, throttle)
    return service.issue_token(user, settings)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(AuthenticationError),
)
async def logout(session: SessionDep, user: CurrentUser) -> Response:
    """Log out: every token of this account stops working at once, on every device."""
    await service.log_out(session, user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
