"""Sign-up: who can create an account, and what they get back."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import PASSWORD, MakeUser


async def test_sign_up_creates_an_account_without_exposing_the_password(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.post(
        "/api/v1/auth/signup",
        json={"email": "Ada@Example.com", "password": PASSWORD, "full_name": "  Ada Lovelace "},
    )

    assert answer.status_code == 201
    body = answer.json()
    assert body["email"] == "ada@example.com"
    assert body["full_name"] == "Ada Lovelace"
    assert body["is_admin"] is False
    assert set(body) == {"id", "email", "full_name", "is_admin", "created_at"}


async def test_duplicate_email_is_a_conflict_whatever_its_case(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    existing = await make_user(email="grace@example.com")

    answer = await client.post(
        "/api/v1/auth/signup",
        json={"email": "GRACE@example.com", "password": "another password", "full_name": "G"},
    )

    assert answer.status_code == 409
    assert answer.json() == {
        "error": "email_taken",
        "detail": "An account with this email already exists",
    }
    # The original account still logs in with its own password.
    login = await client.post(
        "/api/v1/auth/login", data={"username": existing.email, "password": PASSWORD}
    )
    assert login.status_code == 200


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "not-an-email", "password": PASSWORD, "full_name": "A"}, "email"),
        ({"email": "a@example.com", "password": "short", "full_name": "A"}, "password"),
        ({"email": "a@example.com", "password": "x" * 129, "full_name": "A"}, "password"),
        ({"email": "a@example.com", "password": PASSWORD, "full_name": "   "}, "full_name"),
        ({"email": "a@example.com", "password": PASSWORD, "full_name": "a\x00b"}, "full_name"),
        # Longer than the schema's maxLength as sent, even if not once stripped.
        (
            {"email": "a@example.com", "password": PASSWORD, "full_name": " " + "a" * 255},
            "full_name",
        ),
        ({"email": "a@example.com", "password": PASSWORD}, "full_name"),
        ({"email": "a@example.com", "password": 12345678, "full_name": "A"}, "password"),
    ],
)
async def test_invalid_sign_up_names_the_field(
    client: httpx.AsyncClient, payload: dict[str, object], field: str
) -> None:
    answer = await client.post("/api/v1/auth/signup", json=payload)

    assert answer.status_code == 422
    body = answer.json()
    assert body["error"] == "validation_error"
    assert [error["field"] for error in body["detail"]] == [field]
    assert body["detail"][0]["location"] == "body"
    assert body["detail"][0]["message"]


async def test_malformed_json_is_a_422_not_a_500(client: httpx.AsyncClient) -> None:
    answer = await client.post(
        "/api/v1/auth/signup", content=b'{"email": ', headers={"Content-Type": "application/json"}
    )

    assert answer.status_code == 422
    assert answer.json()["error"] == "validation_error"
