"""The OpenAPI schema the front end's client is generated from."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx

from app.config import Settings
from app.main import create_app
from tests.conftest import ApiUser, running
from tests.server import BACKEND_DIR


def test_schema_lists_every_route_with_stable_operation_ids() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app.openapi"],
        cwd=BACKEND_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    schema = json.loads(result.stdout)
    operations = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {"auth-login", "auth-signup", "items-list_items", "users-read_me"} <= operations
    assert not any(path.startswith("/api/v1/test") for path in schema["paths"])
    error = schema["components"]["schemas"]["ErrorResponse"]
    assert set(error["required"]) == {"error", "detail"}


async def test_docs_and_schema_are_off_in_production_unless_enabled(settings: Settings) -> None:
    production = settings.model_copy(update={"environment": "production"})
    async with running(create_app(production)) as client:
        hidden = [
            (await client.get(p)).status_code for p in ("/api/v1/openapi.json", "/api/v1/docs")
        ]
    enabled = production.model_copy(update={"api_docs_enabled": True})
    async with running(create_app(enabled)) as client:
        shown = (await client.get("/api/v1/openapi.json")).status_code

    assert hidden == [404, 404]
    assert shown == 200


async def test_api_answers_are_never_stored(client: httpx.AsyncClient, user: ApiUser) -> None:
    for answer in (
        await client.get("/api/v1/users/me", headers=user.headers),
        await client.get("/api/v1/items", headers=user.headers),
        await client.get("/api/v1/nowhere"),
    ):
        assert answer.headers["Cache-Control"] == "no-store"


def test_schema_states_the_text_rules_the_api_enforces() -> None:
    schemas = create_app(Settings(environment="development")).openapi()["components"]["schemas"]

    # Updates may leave a field out; null is refused, so the schema does not offer it.
    assert schemas["UserUpdate"]["properties"]["full_name"]["type"] == "string"
    assert schemas["ItemUpdate"]["properties"]["title"]["type"] == "string"
    # No NUL (PostgreSQL cannot store it), at least one visible character.
    assert "pattern" in schemas["ItemCreate"]["properties"]["title"]
    assert schemas["PasswordChange"]["properties"]["current_password"]["maxLength"] == 128
