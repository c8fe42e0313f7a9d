"""The backend's own limits, on its own port: a bypassed nginx exposes nothing (app/limits.py)."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from app.config import Settings
from app.limits import MAX_BODY_BYTES, MAX_HEAD_BYTES
from tests.server import Server, running_server

HEAD_TIMEOUT = 1.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Iterator[Server]:
    env = {
        "ENVIRONMENT": "test",
        "DATABASE_URL": settings.database_url,
        "SECRET_KEY": settings.secret_key.get_secret_value(),
        "WEB_WORKERS": "1",
        "WEB_CONCURRENCY_LIMIT": "4",
        "REQUEST_HEAD_TIMEOUT_SECONDS": str(HEAD_TIMEOUT),
    }
    with running_server(tmp_path_factory.mktemp("limits"), **env) as running:
        yield running


def address(server: Server) -> tuple[str, int]:
    host, port = server.url.removeprefix("http://").split(":")
    return host, int(port)


def exchange(server: Server, data: bytes, timeout: float = 5) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes, read until the server closes; the status, headers and body."""
    with socket.create_connection(address(server), timeout=timeout) as sock:
        sock.sendall(data)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines)
    return int(status_line.split()[1]), {k.lower(): v for k, v in headers.items()}, body


def error_of(body: bytes) -> str:
    parsed = json.loads(body)
    assert set(parsed) == {"error", "detail"}
    code: str = parsed["error"]
    return code


def test_a_head_over_the_limit_is_a_431(server: Server) -> None:
    big = b"x" * (MAX_HEAD_BYTES + 1024)
    status, headers, body = exchange(server, b"GET /health HTTP/1.1\r\nX-Big: " + big + b"\r\n\r\n")

    assert status == 431
    assert headers["content-type"] == "application/json"
    assert error_of(body) == "request_header_too_large"


def test_a_head_nginx_would_pass_is_served(server: Server) -> None:
    # nginx accepts up to 4 x 8 KiB of head; the backend must not be stricter.
    answer = httpx.get(server.url + "/health", headers={f"X-H{n}": "y" * 7000 for n in range(4)})

    assert answer.status_code == 200


def test_a_body_over_the_limit_is_a_413(server: Server) -> None:
    announced = httpx.post(server.url + "/api/v1/auth/signup", content=b"{" * (MAX_BODY_BYTES + 1))
    assert announced.status_code == 413
    assert announced.json()["error"] == "payload_too_large"

    def chunks() -> Iterator[bytes]:
        for _ in range(3):
            yield b" " * (MAX_BODY_BYTES // 2)

    streamed = httpx.post(
        server.url + "/api/v1/auth/signup",
        content=chunks(),
        headers={"Content-Type": "application/json"},
    )
    assert streamed.status_code == 413
    assert streamed.json()["error"] == "payload_too_large"


def test_a_client_slow_to_send_its_head_is_disconnected(server: Server) -> None:
    for opening in (b"", b"GET /health HTTP/1.1\r\nHost: x\r\n"):
        with socket.create_connection(address(server), timeout=HEAD_TIMEOUT + 5) as sock:
            started = time.monotonic()
            sock.sendall(opening)
            assert sock.recv(1024) == b""  # closed by the server
            assert time.monotonic() - started < HEAD_TIMEOUT + 2


async def test_past_the_concurrency_limit_the_answer_is_a_503_with_retry_after(
    server: Server,
) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        slow = [
            asyncio.create_task(client.get("/api/v1/test/slow", params={"seconds": 2}))
            for _ in range(4)
        ]
        await asyncio.sleep(0.5)
        async with httpx.AsyncClient(base_url=server.url) as other:
            busy = await other.get("/health")
        await asyncio.gather(*slow)

    assert busy.status_code == 503
    assert busy.headers["Retry-After"] == "1"
    assert busy.json()["error"] == "service_unavailable"


async def test_malformed_utf8_in_a_json_body_is_a_400_malformed_body(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.post(
        "/api/v1/auth/signup",
        content=b'{"email": "\xff\xfe"}',
        headers={"Content-Type": "application/json"},
    )

    assert answer.status_code == 400
    assert answer.json() == {
        "error": "malformed_body",
        "detail": "The request body is not valid UTF-8 JSON",
    }
