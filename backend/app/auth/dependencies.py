"""`CurrentUser`: the account a request's bearer token belongs to, or a 401; the throttle."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from app.auth.security import ExpiredTokenError, InvalidTokenError, decode_access_token
from app.auth.throttle import AccountThrottle
from app.config import SettingsDep
from app.db import SessionDep
from app.errors import AuthenticationError
from app.users import repository
from app.users.models import User

_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/login", auto_error=False)


async def _current_user(
    session: SessionDep, settings: SettingsDep, token: Annotated[str | None, Depends(_bearer)]
) -> User:
    if not token:
        raise AuthenticationError("not_authenticated", "Not authenticated")
    try:
        user_id, token_version = decode_access_token(token, settings.secret_key.get_secret_value())
    except ExpiredTokenError as exc:
        raise AuthenticationError("invalid_token", "Your session has expired") from exc
    except InvalidTokenError as exc:
        raise AuthenticationError("invalid_token", "Invalid access token") from exc
    user = await repository.get_by_id(session, user_id)
    # A deleted account, or a token issued before the last password change.
    if user is None or user.token_version != token_version:
        raise AuthenticationError("invalid_token", "Your session is no longer valid")
    return user


CurrentUser = Annotated[User, Depends(_current_user)]


async def _account_throttle(request: Request) -> AccountThrottle:
    throttle: AccountThrottle = request.app.state.account_throttle
    return throttle


# Password attempts per account, this worker's count (app/auth/throttle.py).
AccountThrottleDep = Annotated[AccountThrottle, Depends(_account_throttle)]
