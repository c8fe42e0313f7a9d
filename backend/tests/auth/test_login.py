"""Log-in: the OAuth2 password form, tokens, and what an attacker can learn from failures."""

from __future__ import annotations

import statistics
import time
import uuid
from datetime import timedelta

import httpx
import jwt
import pytest

from app.auth.security import create_access_token
from app.config import Settings
from app.main import create_app
from tests.conftest import PASSWORD, ApiUser, running


async def test_log_in_answers_a_bearer_token_that_opens_the_api(
    client: httpx.AsyncClient, user: ApiUser, settings: Settings
) -> None:
    answer = await client.post(
        "/api/v1/auth/login", data={"username": user.email.upper(), "password": PASSWORD}
    )

    assert answer.status_code == 200
    token = answer.json()
    assert token["token_type"] == "bearer"
    assert token["expires_in"] == settings.access_token_expire_minutes * 60
    me = await client.get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {token['access_token']}"}
    )
    assert me.json()["email"] == user.email


async def test_unknown_email_and_wrong_password_get_the_same_answer(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    wrong_password = await client.post(
        "/api/v1/auth/login", data={"username": user.email, "password": "not the password"}
    )
    unknown_email = await client.post(
        "/api/v1/auth/login", data={"username": "nobody@example.com", "password": PASSWORD}
    )

    for answer in (wrong_password, unknown_email):
        assert answer.status_code == 401
        assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert wrong_password.json() == unknown_email.json()
    assert wrong_password.json() == {
        "error": "invalid_credentials",
        "detail": "Incorrect email or password",
    }


async def test_unknown_email_takes_as_long_as_a_wrong_password(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    # Without the dummy verification an unknown email answers ~10x faster; the bounds are
    # wide so only that difference, not a noisy machine, can fail the test.
    async def median_seconds(email: str) -> float:
        samples = []
        for _ in range(5):
            started = time.perf_counter()
            await client.post("/api/v1/auth/login", data={"username": email, "password": "wrong!"})
            samples.append(time.perf_counter() - started)
        return statistics.median(samples)

    known = await median_seconds(user.email)
    unknown = await median_seconds("nobody@example.com")

    assert 0.4 < unknown / known < 2.5, (known, unknown)


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"password": PASSWORD}, "username"),
        ({"username": "a@example.com"}, "password"),
        ({"username": "a@example.com", "password": "x" * 129}, "password"),
    ],
)
async def test_incomplete_login_form_names_the_field(
    client: httpx.AsyncClient, form: dict[str, str], field: str
) -> None:
    answer = await client.post("/api/v1/auth/login", data=form)

    assert answer.status_code == 422
    assert [error["field"] for error in answer.json()["detail"]] == [field]


async def test_requests_without_a_token_are_refused(client: httpx.AsyncClient) -> None:
    answer = await client.get("/api/v1/items")

    assert answer.status_code == 401
    assert answer.json() == {"error": "not_authenticated", "detail": "Not authenticated"}


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        # Signed with another key.
        create_access_token(uuid.uuid4(), 0, "some-other-secret-key-0123456789", timedelta(1)),
    ],
)
async def test_invalid_tokens_are_refused(client: httpx.AsyncClient, token: str) -> None:
    answer = await client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})

    assert answer.status_code == 401
    assert answer.json() == {"error": "invalid_token", "detail": "Invalid access token"}


async def test_expired_token_says_the_session_expired(
    client: httpx.AsyncClient, user: ApiUser, settings: Settings
) -> None:
    expired = create_access_token(
        uuid.UUID(user.id), 0, settings.secret_key.get_secret_value(), timedelta(seconds=-1)
    )

    answer = await client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {expired}"})

    assert answer.status_code == 401
    assert answer.json() == {"error": "invalid_token", "detail": "Your session has expired"}


async def test_token_lifetime_follows_the_setting(settings: Settings, user: ApiUser) -> None:
    short_lived = create_app(settings.model_copy(update={"access_token_expire_minutes": 1}))
    async with running(short_lived) as client:
        answer = await client.post(
            "/api/v1/auth/login", data={"username": user.email, "password": PASSWORD}
        )

    token = answer.json()
    assert token["expires_in"] == 60
    claims = jwt.decode(token["access_token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 60
