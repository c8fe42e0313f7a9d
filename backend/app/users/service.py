"""Account rules: unique emails, passwords checked before they change, clean deletion."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import security
from app.auth.throttle import AccountThrottle
from app.errors import EmailTakenError, IncorrectPasswordError
from app.observability import metrics
from app.users import repository
from app.users.models import User
from app.users.schemas import PasswordChange, UserCreate, UserUpdate


async def create_user(session: AsyncSession, data: UserCreate, *, is_admin: bool = False) -> User:
    if await repository.get_by_email(session, data.email):
        raise EmailTakenError
    user = User(
        email=data.email,
        full_name=data.full_name,
        hashed_password=await security.hash_password(data.password),
        is_admin=is_admin,
    )
    try:
        await repository.add(session, user)
    except IntegrityError as exc:  # a concurrent sign-up with the same email won the race
        raise EmailTakenError from exc
    metrics.SIGNUPS.inc()
    return user


async def update_profile(session: AsyncSession, user: User, data: UserUpdate) -> User:
    changes = data.model_dump(exclude_unset=True)
    new_email = changes.get("email")
    if new_email and new_email != user.email and await repository.get_by_email(session, new_email):
        raise EmailTakenError
    for field, value in changes.items():
        setattr(user, field, value)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise EmailTakenError from exc
    return user


async def change_password(
    session: AsyncSession, user: User, data: PasswordChange, throttle: AccountThrottle
) -> User:
    throttle.attempt(f"password:{user.id}")
    if not await security.verify_password(data.current_password, user.hashed_password):
        raise IncorrectPasswordError
    throttle.succeeded(f"password:{user.id}")
    user.hashed_password = await security.hash_password(data.new_password)
    user.token_version += 1  # every token issued before this one stops working
    await session.flush()
    return user


async def delete_account(session: AsyncSession, user: User) -> None:
    await repository.delete(session, user)
