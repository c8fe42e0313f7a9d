"""Wrong passwords are limited per account, whatever address they come from."""

from __future__ import annotations

import asyncio

import httpx

from app.config import Settings
from app.main import create_app
from tests.conftest import PASSWORD, ApiUser, log_in, running, sign_up_and_log_in


async def test_log_in_failures_are_limited_per_account(
    settings: Settings, database_url: str
) -> None:
    app = create_app(settings.model_copy(update={"account_password_attempts": 3}))
    async with running(app) as client:
        user = await sign_up_and_log_in(client)
        wrong = {"username": user.email, "password": "not the password"}
        statuses = [
            (await client.post("/api/v1/auth/login", data=wrong)).status_code for _ in range(3)
        ]
        refused = await client.post("/api/v1/auth/login", data=wrong)
        # Even the right password waits: the attacker must not learn it was right.
        right = await client.post(
            "/api/v1/auth/login", data={"username": user.email, "password": PASSWORD}
        )

    assert statuses == [401, 401, 401]
    assert refused.status_code == 429
    assert refused.json()["error"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) > 0
    assert right.status_code == 429


async def test_a_parallel_burst_of_wrong_password_changes_is_cut_off(
    settings: Settings, database_url: str
) -> None:
    app = create_app(settings.model_copy(update={"account_password_attempts": 5}))
    async with running(app) as client:
        user = await sign_up_and_log_in(client)
        body = {"current_password": "not the password", "new_password": "another-password-1"}
        answers = await asyncio.gather(
            *(
                client.post("/api/v1/users/me/password", headers=user.headers, json=body)
                for _ in range(20)
            )
        )

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [400] * 5 + [429] * 15


async def test_a_success_forgets_the_failures(client: httpx.AsyncClient, user: ApiUser) -> None:
    wrong = {"username": user.email, "password": "not the password"}
    for _ in range(5):
        assert (await client.post("/api/v1/auth/login", data=wrong)).status_code == 401
        await log_in(client, user.email, user.password)
