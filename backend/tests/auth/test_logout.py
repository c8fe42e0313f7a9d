"""Logging out ends the token on the server, not only in the browser."""

from __future__ import annotations

import httpx

from tests.conftest import ApiUser, log_in


async def test_logout_ends_every_token_of_the_account(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    # Read once first, so a cached page or remembered claims exist to be refused afterwards.
    assert (await client.get("/api/v1/items", headers=user.headers)).status_code == 200
    other_device = await log_in(client, user.email, user.password)

    answer = await client.post("/api/v1/auth/logout", headers=user.headers)

    assert answer.status_code == 204
    for token in (user.token, other_device):
        auth = {"Authorization": f"Bearer {token}"}
        me = await client.get("/api/v1/users/me", headers=auth)
        assert me.status_code == 401
        assert me.json()["error"] == "invalid_token"
        # The item list's own, lighter token check (claims and version in its one query).
        assert (await client.get("/api/v1/items", headers=auth)).status_code == 401
    # Logging in again works.
    fresh = await log_in(client, user.email, user.password)
    me = await client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {fresh}"})
    assert me.status_code == 200


async def test_logout_needs_a_valid_token(client: httpx.AsyncClient) -> None:
    answer = await client.post("/api/v1/auth/logout")

    assert answer.status_code == 401
