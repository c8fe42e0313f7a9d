"""Sign-up and log-in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, status

from app.auth import service
from app.auth.schemas import Token
from app.config import API_PREFIX, SettingsDep
from app.db import SessionDep
from app.errors import AuthenticationError, EmailTakenError, error_responses
from app.users import service as users_service
from app.users.schemas import UserCreate, UserPublic

router = APIRouter(prefix=f"{API_PREFIX}/auth", tags=["auth"])


@router.post(
    "/signup",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(EmailTakenError),
)
async def signup(session: SessionDep, data: UserCreate) -> UserPublic:
    """Create an account."""
    user = await users_service.create_user(session, data)
    return UserPublic.model_validate(user)


@router.post("/login", responses=error_responses(AuthenticationError))
async def login(
    session: SessionDep,
    settings: SettingsDep,
    # The OAuth2 password form; bounded so nobody can make us hash a megabyte.
    username: Annotated[str, Form(min_length=1, max_length=320)],
    password: Annotated[str, Form(min_length=1, max_length=128)],
) -> Token:
    """Exchange an email and password for an access token."""
    user = await service.authenticate(session, username, password)
    return service.issue_token(user, settings)
