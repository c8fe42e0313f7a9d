"""My account: read, rename, change email and password, delete."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import PASSWORD, ApiUser, MakeUser, log_in


async def test_read_my_profile(client: httpx.AsyncClient, user: ApiUser) -> None:
    answer = await client.get("/api/v1/users/me", headers=user.headers)

    assert answer.status_code == 200
    assert answer.json()["email"] == user.email
    assert answer.json()["id"] == user.id


async def test_update_my_name_and_email(client: httpx.AsyncClient, user: ApiUser) -> None:
    answer = await client.patch(
        "/api/v1/users/me",
        headers=user.headers,
        json={"full_name": "New Name", "email": "New.Address@Example.com"},
    )

    assert answer.status_code == 200
    assert answer.json()["full_name"] == "New Name"
    assert answer.json()["email"] == "new.address@example.com"
    # The new address logs in; the token in hand keeps working.
    await log_in(client, "new.address@example.com", PASSWORD)
    me = await client.get("/api/v1/users/me", headers=user.headers)
    assert me.json()["full_name"] == "New Name"


async def test_partial_update_keeps_what_was_not_sent(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    answer = await client.patch(
        "/api/v1/users/me", headers=user.headers, json={"full_name": "Only The Name"}
    )

    assert answer.json()["email"] == user.email


async def test_taking_someone_elses_email_is_a_conflict(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    first, second = await make_user(), await make_user()

    answer = await client.patch(
        "/api/v1/users/me", headers=second.headers, json={"email": first.email}
    )

    assert answer.status_code == 409
    assert answer.json()["error"] == "email_taken"
    me = await client.get("/api/v1/users/me", headers=second.headers)
    assert me.json()["email"] == second.email


async def test_keeping_my_own_email_is_not_a_conflict(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    answer = await client.patch(
        "/api/v1/users/me", headers=user.headers, json={"email": user.email}
    )

    assert answer.status_code == 200


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"full_name": None}, "full_name"), ({"email": None}, "email"), ({"email": "x"}, "email")],
)
async def test_invalid_profile_update_names_the_field(
    client: httpx.AsyncClient, user: ApiUser, payload: dict[str, object], field: str
) -> None:
    answer = await client.patch("/api/v1/users/me", headers=user.headers, json=payload)

    assert answer.status_code == 422
    assert [error["field"] for error in answer.json()["detail"]] == [field]


async def test_change_password_needs_the_current_one(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    answer = await client.post(
        "/api/v1/users/me/password",
        headers=user.headers,
        json={"current_password": "not it at all", "new_password": "a brand new password"},
    )

    assert answer.status_code == 400
    assert answer.json() == {
        "error": "incorrect_password",
        "detail": "The current password is incorrect",
    }
    await log_in(client, user.email, PASSWORD)


async def test_change_password_revokes_older_tokens_and_answers_a_fresh_one(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    answer = await client.post(
        "/api/v1/users/me/password",
        headers=user.headers,
        json={"current_password": PASSWORD, "new_password": "a brand new password"},
    )

    assert answer.status_code == 200
    fresh = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    assert (await client.get("/api/v1/users/me", headers=fresh)).status_code == 200
    old = await client.get("/api/v1/users/me", headers=user.headers)
    assert old.status_code == 401
    assert old.json()["error"] == "invalid_token"
    # Only the new password logs in now.
    refused = await client.post(
        "/api/v1/auth/login", data={"username": user.email, "password": PASSWORD}
    )
    assert refused.status_code == 401
    await log_in(client, user.email, "a brand new password")


async def test_new_password_must_be_strong_enough(client: httpx.AsyncClient, user: ApiUser) -> None:
    answer = await client.post(
        "/api/v1/users/me/password",
        headers=user.headers,
        json={"current_password": PASSWORD, "new_password": "short"},
    )

    assert answer.status_code == 422
    assert answer.json()["detail"][0]["field"] == "new_password"


async def test_delete_my_account_removes_me_and_my_items(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    user, other = await make_user(), await make_user()
    await client.post("/api/v1/items", headers=user.headers, json={"title": "mine"})
    kept = await client.post("/api/v1/items", headers=other.headers, json={"title": "theirs"})

    answer = await client.delete("/api/v1/users/me", headers=user.headers)

    assert answer.status_code == 204
    assert (await client.get("/api/v1/users/me", headers=user.headers)).status_code == 401
    login = await client.post(
        "/api/v1/auth/login", data={"username": user.email, "password": PASSWORD}
    )
    assert login.status_code == 401
    # The address is free again, and the new account starts empty.
    again = await make_user(email=user.email)
    listing = await client.get("/api/v1/items", headers=again.headers)
    assert listing.json()["total"] == 0
    # Nobody else lost anything.
    theirs = await client.get(f"/api/v1/items/{kept.json()['id']}", headers=other.headers)
    assert theirs.status_code == 200
