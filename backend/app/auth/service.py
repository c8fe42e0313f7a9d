"""Log-in: check the credentials, count the attempt, issue a token."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import security
from app.auth.schemas import Token
from app.auth.throttle import AccountThrottle
from app.config import Settings
from app.errors import AuthenticationError
from app.observability import metrics
from app.users import repository
from app.users.models import User


def invalid_credentials() -> AuthenticationError:
    # One answer for an unknown email and a wrong password: nothing tells which accounts exist.
    return AuthenticationError("invalid_credentials", "Incorrect email or password")


async def authenticate(
    session: AsyncSession, email: str, password: str, throttle: AccountThrottle
) -> User:
    email = email.strip().lower()
    # Counted per email, known or not, so the answer tells nothing about which accounts exist.
    throttle.attempt(f"login:{email}")
    user = await repository.get_by_email(session, email)
    if user is None:
        await security.burn_verification_time(password)
        verified = False
    else:
        verified = await security.verify_password(password, user.hashed_password)
    metrics.LOGINS.labels(result="success" if verified else "failure").inc()
    if user is None or not verified:
        raise invalid_credentials()
    throttle.succeeded(f"login:{email}")
    return user


async def log_out(session: AsyncSession, user: User) -> None:
    """End every token of the account: the version they carry no longer matches."""
    user.token_version += 1
    await session.flush()


def issue_token(user: User, settings: Settings) -> Token:
    lifetime = timedelta(minutes=settings.access_token_expire_minutes)
    token = security.create_access_token(
        user.id, user.token_version, settings.secret_key.get_secret_value(), lifetime
    )
    return Token(access_token=token, expires_in=int(lifetime.total_seconds()))
