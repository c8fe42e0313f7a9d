"""The item list's lean read path: one cached Core statement, the token checked inside it,
the answer matching the published schema."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import jsonschema  # type: ignore[import-untyped]
import psycopg
import pytest
from fastapi import FastAPI

from tests.conftest import ApiUser, libpq_url


def _schema_of_list(app: FastAPI) -> dict[str, Any]:
    schema = app.openapi()
    answer = schema["paths"]["/api/v1/items"]["get"]["responses"]["200"]
    return {**answer["content"]["application/json"]["schema"], **schema}


async def test_the_list_matches_its_openapi_schema(
    app: FastAPI, client: httpx.AsyncClient, user: ApiUser
) -> None:
    await client.post("/api/v1/items", headers=user.headers, json={"title": "with"})
    await client.post(
        "/api/v1/items", headers=user.headers, json={"title": "without", "description": "d"}
    )
    schema = _schema_of_list(app)

    for params in ({}, {"offset": 1, "limit": 1}, {"offset": 5}):
        answer = await client.get("/api/v1/items", headers=user.headers, params=params)

        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/json"
        jsonschema.validate(answer.json(), schema)
    # The published schema is strict enough to catch a wrong shape.
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"items": [{"id": 1}], "total": 1, "offset": 0, "limit": 20}, schema)


async def test_a_revoked_token_lists_nothing(client: httpx.AsyncClient, user: ApiUser) -> None:
    await client.post("/api/v1/items", headers=user.headers, json={"title": "mine"})
    changed = await client.post(
        "/api/v1/users/me/password",
        headers=user.headers,
        json={"current_password": user.password, "new_password": "a brand new password"},
    )
    assert changed.status_code == 200

    old = await client.get("/api/v1/items", headers=user.headers)
    new = await client.get(
        "/api/v1/items", headers={"Authorization": f"Bearer {changed.json()['access_token']}"}
    )

    assert old.status_code == 401
    assert old.json() == {"error": "invalid_token", "detail": "Your session is no longer valid"}
    assert [item["title"] for item in new.json()["items"]] == ["mine"]


async def test_a_deleted_account_lists_nothing(
    client: httpx.AsyncClient, user: ApiUser, database_url: str
) -> None:
    async with await psycopg.AsyncConnection.connect(libpq_url(database_url)) as connection:
        await connection.execute("DELETE FROM users WHERE id = %s", (user.id,))
        await connection.commit()

    assert (await client.get("/api/v1/items", headers=user.headers)).status_code == 401


async def test_the_list_is_one_cached_statement_without_a_transaction(
    client: httpx.AsyncClient, user: ApiUser, caplog: pytest.LogCaptureFixture
) -> None:
    await client.get("/api/v1/items", headers=user.headers)  # compiled and cached here
    engine_log = logging.getLogger("sqlalchemy.engine.Engine")
    engine_log.setLevel(logging.INFO)
    try:
        with caplog.at_level(logging.INFO, logger="sqlalchemy.engine.Engine"):
            caplog.clear()
            assert (await client.get("/api/v1/items", headers=user.headers)).status_code == 200
    finally:
        engine_log.setLevel(logging.NOTSET)

    statements = [r.getMessage() for r in caplog.records if r.name.startswith("sqlalchemy")]
    selects = [s for s in statements if s.lstrip().startswith("SELECT")]
    assert len(selects) == 1, statements
    assert any("[cached since" in s for s in statements), statements
    assert not any("[no key" in s or "COMMIT" in s for s in statements), statements
    # Autocommit: SQLAlchemy notes its implicit BEGIN but sends none, and skips the ROLLBACK.
    assert all("should not BEGIN" in s for s in statements if "BEGIN" in s), statements
    assert any("ROLLBACK will be skipped" in s for s in statements), statements


def test_psycopg_runs_its_c_implementation() -> None:
    assert psycopg.pq.__impl__ in {"c", "binary"}
