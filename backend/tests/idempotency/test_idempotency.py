"""Idempotency-Key on the creates: a retry answers the first response, never a second item."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import psycopg
from fastapi import FastAPI

from app.idempotency.service import purge_expired
from tests.conftest import PASSWORD, ApiUser, MakeUser, libpq_url

ITEMS = "/api/v1/items"
SIGNUP = "/api/v1/auth/signup"


def keyed(user: ApiUser, key: str) -> dict[str, str]:
    return {**user.headers, "Idempotency-Key": key}


async def item_titles(client: httpx.AsyncClient, user: ApiUser) -> list[str]:
    answer = await client.get(ITEMS, params={"limit": 100}, headers=user.headers)
    return [item["title"] for item in answer.json()["items"]]


async def test_a_retry_with_the_same_key_answers_the_first_response(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    key = str(uuid.uuid4())
    first = await client.post(ITEMS, json={"title": "Once"}, headers=keyed(user, key))
    again = await client.post(ITEMS, json={"title": "Once"}, headers=keyed(user, key))

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert await item_titles(client, user) == ["Once"]


async def test_the_same_key_with_another_body_is_a_409(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    key = str(uuid.uuid4())
    await client.post(ITEMS, json={"title": "First"}, headers=keyed(user, key))
    other = await client.post(ITEMS, json={"title": "Second"}, headers=keyed(user, key))

    assert other.status_code == 409
    assert other.json()["error"] == "idempotency_key_reused"
    assert await item_titles(client, user) == ["First"]


async def test_keys_belong_to_one_user(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    alice, bob = await make_user(), await make_user()
    key = str(uuid.uuid4())
    mine = await client.post(ITEMS, json={"title": "Same"}, headers=keyed(alice, key))
    theirs = await client.post(ITEMS, json={"title": "Same"}, headers=keyed(bob, key))

    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert theirs.json()["owner_id"] == bob.id


async def test_without_a_key_every_request_creates(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    for _ in range(2):
        assert (await client.post(ITEMS, json={"title": "Twice"}, headers=user.headers)).is_success

    assert await item_titles(client, user) == ["Twice", "Twice"]


async def test_concurrent_requests_with_one_key_create_once(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    key = str(uuid.uuid4())
    answers = await asyncio.gather(
        *(client.post(ITEMS, json={"title": "Racing"}, headers=keyed(user, key)) for _ in range(6))
    )

    assert {answer.status_code for answer in answers} == {201}
    assert len({answer.json()["id"] for answer in answers}) == 1
    assert sum("Idempotent-Replayed" in answer.headers for answer in answers) == 5
    assert await item_titles(client, user) == ["Racing"]


async def test_an_expired_key_creates_again_and_is_purged(
    client: httpx.AsyncClient, user: ApiUser, app: FastAPI, database_url: str
) -> None:
    key = str(uuid.uuid4())
    first = await client.post(ITEMS, json={"title": "Old"}, headers=keyed(user, key))
    async with await psycopg.AsyncConnection.connect(libpq_url(database_url)) as connection:
        await connection.execute(
            "UPDATE idempotency_keys SET created_at = now() - interval '25 hours'"
        )
    later = await client.post(ITEMS, json={"title": "Old"}, headers=keyed(user, key))

    assert later.status_code == 201
    assert later.json()["id"] != first.json()["id"]
    async with await psycopg.AsyncConnection.connect(libpq_url(database_url)) as connection:
        await connection.execute(
            "UPDATE idempotency_keys SET created_at = now() - interval '25 hours'"
        )
    async with app.state.sessionmaker.begin() as session:
        assert await purge_expired(session, app.state.settings) == 1
    replayed = await client.post(ITEMS, json={"title": "Old"}, headers=keyed(user, key))
    assert "Idempotent-Replayed" not in replayed.headers


async def test_a_malformed_key_is_a_422(client: httpx.AsyncClient, user: ApiUser) -> None:
    for bad in ("x" * 256, "has space"):
        answer = await client.post(ITEMS, json={"title": "T"}, headers=keyed(user, bad))
        assert answer.status_code == 422
        assert answer.json()["detail"][0]["field"] == "Idempotency-Key"


def signup_body(email: str) -> dict[str, str]:
    return {"email": email, "password": PASSWORD, "full_name": "Retried"}


async def test_a_retried_signup_answers_the_same_account(client: httpx.AsyncClient) -> None:
    key = str(uuid.uuid4())
    email = f"retry-{uuid.uuid4().hex[:8]}@example.com"
    headers = {"Idempotency-Key": key}
    first = await client.post(SIGNUP, json=signup_body(email), headers=headers)
    again = await client.post(SIGNUP, json=signup_body(email), headers=headers)
    other = await client.post(SIGNUP, json=signup_body("x" + email), headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert other.status_code == 409
    assert other.json()["error"] == "idempotency_key_reused"


async def test_a_failed_signup_does_not_use_up_its_key(client: httpx.AsyncClient) -> None:
    taken = f"taken-{uuid.uuid4().hex[:8]}@example.com"
    assert (await client.post(SIGNUP, json=signup_body(taken))).status_code == 201
    key = {"Idempotency-Key": str(uuid.uuid4())}

    assert (await client.post(SIGNUP, json=signup_body(taken), headers=key)).status_code == 409
    assert (await client.post(SIGNUP, json=signup_body(taken), headers=key)).json()[
        "error"
    ] == "email_taken"
