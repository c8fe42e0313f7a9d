"""Logs are JSON lines; every request leaves one access line carrying its request id."""

from __future__ import annotations

import json
import logging
import sys

import httpx
import pytest

from app.observability.logging import JsonFormatter, configure_logging, request_id_var


def access_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "app.access"]


async def test_request_id_from_the_proxy_is_echoed_and_logged(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        answer = await client.get("/health", headers={"X-Request-ID": "nginx-abc.123"})

    assert answer.headers["X-Request-ID"] == "nginx-abc.123"
    [line] = access_lines(caplog)
    entry = json.loads(JsonFormatter().format(line))
    assert entry["request_id"] == "nginx-abc.123"
    assert entry["message"] == "request"
    assert entry["method"] == "GET"
    assert entry["route"] == "/health"
    assert entry["path"] == "/health"
    assert entry["status"] == 200
    assert entry["duration_ms"] >= 0


async def test_a_request_without_an_id_gets_a_fresh_one(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        first = await client.get("/health")
        second = await client.get("/health")

    ids = [first.headers["X-Request-ID"], second.headers["X-Request-ID"]]
    assert len(set(ids)) == 2
    assert all(len(i) == 32 for i in ids)
    assert [line.request_id for line in access_lines(caplog)] == ids  # type: ignore[attr-defined]


@pytest.mark.parametrize("sent", ["", "has space", "x" * 129, 'quote"', "new\nline"])
async def test_unsafe_request_ids_are_replaced(client: httpx.AsyncClient, sent: str) -> None:
    answer = await client.get("/health", headers={b"X-Request-ID": sent.encode("latin-1")})

    assert answer.headers["X-Request-ID"] != sent
    assert len(answer.headers["X-Request-ID"]) == 32


def test_log_lines_are_single_json_objects_with_the_trace_inside() -> None:
    configure_logging("INFO")
    token = request_id_var.set("rid-1")
    try:
        record = logging.getLogger("app.test").makeRecord(
            "app.test", logging.ERROR, __file__, 1, "failed: %s", ("x",), None
        )
        try:
            raise ValueError("inner")
        except ValueError:
            record.exc_info = sys.exc_info()
    finally:
        request_id_var.reset(token)

    line = JsonFormatter().format(record)

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "failed: x"
    assert entry["level"] == "ERROR"
    assert entry["request_id"] == "rid-1"
    assert "ValueError: inner" in entry["exc_info"]
