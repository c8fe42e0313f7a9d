"""Failures a client can cause get a clear 4xx; our own failures a 500 without internals."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import httpx
import pytest

from app.config import Settings
from app.errors import _HTTP_CODES, ERROR_CODES
from app.fault_injection import InjectedFaultError
from app.main import create_app
from tests.conftest import running


async def test_unhandled_error_is_a_500_without_internals_and_logged_with_its_trace(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        answer = await client.get("/api/v1/test/error", headers={"X-Request-ID": "boom-1"})

    assert answer.status_code == 500
    assert answer.json() == {
        "error": "internal_error",
        "detail": "Something went wrong on our side",
    }
    assert "InjectedFault" not in answer.text
    assert answer.headers["X-Request-ID"] == "boom-1"
    logged = [r for r in caplog.records if r.getMessage() == "unhandled error"]
    assert len(logged) == 1
    assert logged[0].exc_info is not None
    assert isinstance(logged[0].exc_info[1], InjectedFaultError)


async def test_fault_routes_exist_only_in_the_test_environment(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"environment": "development"}))
    async with running(app) as client:
        answer = await client.get("/api/v1/test/error")

    assert answer.status_code == 404
    assert answer.json() == {"error": "not_found", "detail": "Not found"}


async def test_wrong_method_is_a_405_in_the_error_shape(client: httpx.AsyncClient) -> None:
    answer = await client.put("/health")

    assert answer.status_code == 405
    assert answer.json()["error"] == "method_not_allowed"
    assert "GET" in answer.headers["Allow"]


async def test_wrong_content_type_is_a_422(client: httpx.AsyncClient) -> None:
    answer = await client.post(
        "/api/v1/auth/signup", content=b"email=a", headers={"Content-Type": "text/plain"}
    )

    assert answer.status_code == 422
    assert json.loads(answer.text)["error"] == "validation_error"


REPO = Path(__file__).resolve().parents[2]


def codes_used_in_the_code_base() -> set[str]:
    """Every error code the backend's code or nginx's JSON error pages can answer with."""
    used = set()
    for source in (REPO / "backend" / "app").rglob("*.py"):
        text = source.read_text()
        used |= set(re.findall(r'\bcode = "([a-z_]+)"', text))
        used |= set(re.findall(r'error_response\(\s*\d+,\s*"([a-z_]+)"', text))
        used |= set(re.findall(r'_refusal\(\s*\d+,\s*"([a-z_]+)"', text))
        used |= set(re.findall(r'AuthenticationError\(\s*"([a-z_]+)"', text))
    used |= set(_HTTP_CODES.values())
    nginx = (REPO / "nginx" / "snippets" / "json-errors.conf").read_text()
    used |= set(re.findall(r'"error":"([a-z_]+)"', nginx))
    return used


def test_every_error_code_is_in_the_registry() -> None:
    used = codes_used_in_the_code_base()

    assert len(used) > 15
    assert used <= set(ERROR_CODES), used - set(ERROR_CODES)


def test_every_error_code_is_documented() -> None:
    architecture = (REPO / "docs" / "architecture.md").read_text()
    schema = json.dumps(create_app(Settings(environment="development")).openapi())

    for code in ERROR_CODES:
        assert f"`{code}`" in architecture, code
        assert f"`{code}`" in schema, code
