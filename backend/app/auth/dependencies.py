"""`CurrentUser`: the account a request's bearer token belongs to, or a 401.

`TokenClaims` is the lighter form for hot reads that check the token's version themselves
(the item list folds that check into its one query): the verified user id and version only.
`AccountThrottleDep`: the per-account password limit (app/auth/throttle.py).
"""

from __future__ import annotations

import uuid
from typing import Annotated, NamedTuple

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from app.auth.security import ExpiredTokenError, InvalidTokenError, TokenVerifier
from app.auth.throttle import AccountThrottle
from app.db import SessionDep
from app.errors import AuthenticationError
from app.users import repository
from app.users.models import User

_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/login", auto_error=False)


class Claims(NamedTuple):
    user_id: uuid.UUID
    token_version: int


def revoked() -> AuthenticationError:
    """A deleted account, or a token issued before the last password change."""
    return AuthenticationError("invalid_token", "Your session is no longer valid")


async def _token_claims(request: Request, token: Annotated[str | None, Depends(_bearer)]) -> Claims:
    if not token:
        raise AuthenticationError("not_authenticated", "Not authenticated")
    verifier: TokenVerifier = request.app.state.token_verifier
    try:
        user_id, token_version = verifier.claims(token)
    except ExpiredTokenError as exc:
        raise AuthenticationError("invalid_token", "Your session has expired") from exc
    except InvalidTokenError as exc:
        raise AuthenticationError("invalid_token", "Invalid access token") from exc
    # Whose writes these are: the request's session tells the cache after committing them.
    request.state.user_id = user_id
    return Claims(user_id, token_version)


TokenClaims = Annotated[Claims, Depends(_token_claims)]


async def _current_user(session: SessionDep, claims: TokenClaims) -> User:
    user = await repository.get_by_id(session, claims.user_id)
    if user is None or user.token_version != claims.token_version:
        raise revoked()
    return user


CurrentUser = Annotated[User, Depends(_current_user)]


async def _account_throttle(request: Request) -> AccountThrottle:
    throttle: AccountThrottle = request.app.state.account_throttle
    return throttle


# Password attempts per account, this worker's count (app/auth/throttle.py).
AccountThrottleDep = Annotated[AccountThrottle, Depends(_account_throttle)]
