"""The live native stack seen through nginx: what is exposed, the headers, the request id,
the JSON errors nginx itself answers, the log-in rate limit."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from stack.runner import Stack

from .api_client import PASSWORD, client_from, new_email, sign_up_and_log_in

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}


@pytest.fixture(scope="module")
def client(base_url: str) -> httpx.Client:
    return client_from(base_url)


def log_lines(path: Path) -> list[dict[str, Any]]:
    lines = []
    for line in path.read_text().splitlines():
        if line.startswith("{"):
            try:
                lines.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return lines


def wait_for_line(paths: list[Path], request_id: str, timeout: float = 5.0) -> dict[str, Any]:
    """The access line carrying `request_id` in any of `paths` (logs are written async)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in paths:
            for line in log_lines(path):
                if line.get("request_id") == request_id and line.get("message") == "request":
                    return line
        time.sleep(0.1)
    raise AssertionError(f"no access line with request_id {request_id} in {paths}")


def asset_path(client: httpx.Client) -> str:
    index = client.get("/").text
    start = index.index("/assets/")
    return index[start : index.index('"', start)]


def test_metrics_are_never_public(client: httpx.Client, edge_stack: Stack) -> None:
    response = client.get("/metrics")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "detail": "Not found"}
    # ...while the backend does serve them, to Prometheus on the inside.
    assert httpx.get(edge_stack.backend.url() + "/metrics").status_code == 200


def test_stub_status_is_only_on_the_internal_listener(
    client: httpx.Client, edge_stack: Stack
) -> None:
    assert client.get("/stub_status").headers["Content-Type"].startswith("text/html")  # the SPA
    internal = httpx.get(edge_stack.nginx.internal_url + "/stub_status")
    assert "Active connections" in internal.text


@pytest.mark.parametrize(
    "path", ["/", "/items/123", "ASSET", "/health", "/health/ready", "/api/v1/items", "/metrics"]
)
def test_every_response_carries_the_security_headers(client: httpx.Client, path: str) -> None:
    response = client.get(asset_path(client) if path == "ASSET" else path)
    for header, value in SECURITY_HEADERS.items():
        assert response.headers.get(header) == value, f"{path}: {header}"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert response.headers["X-Request-ID"]
    assert "nginx/" not in response.headers.get("Server", "")


def test_index_is_never_cached_and_assets_are_immutable(client: httpx.Client) -> None:
    assert client.get("/").headers["Cache-Control"] == "no-cache"
    assert client.get("/items/some/deep/route").headers["Cache-Control"] == "no-cache"
    asset = client.get(asset_path(client), headers={"Accept-Encoding": "gzip"})
    assert asset.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert asset.headers["Content-Encoding"] == "gzip"


def test_spa_routes_fall_back_to_index_html(client: httpx.Client) -> None:
    response = client.get("/items/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 200
    assert '<div id="root">' in response.text


def test_one_request_id_in_nginx_and_backend_logs(client: httpx.Client, edge_stack: Stack) -> None:
    log_dir = edge_stack.config.log_dir
    backend_logs = sorted(log_dir.glob("backend-*.log"))

    sent = f"edge-{uuid.uuid4().hex}"
    response = client.get("/api/v1/items", headers={"X-Request-ID": sent})
    assert response.headers["X-Request-ID"] == sent
    nginx_line = wait_for_line([log_dir / "nginx.log"], sent)
    backend_line = wait_for_line(backend_logs, sent)
    assert nginx_line["status"] == backend_line["status"] == 401
    assert nginx_line["upstream_addr"].startswith("127.0.0.1:")
    assert float(nginx_line["upstream_response_time"]) >= 0

    # Without one, nginx makes the id and both log it.
    generated = client.get("/health/ready").headers["X-Request-ID"]
    assert wait_for_line([log_dir / "nginx.log"], generated)["uri"] == "/health/ready"
    assert wait_for_line(backend_logs, generated)["path"] == "/health/ready"


def test_a_malformed_request_id_is_replaced(client: httpx.Client) -> None:
    response = client.get("/health", headers={"X-Request-ID": 'bad id "with" quotes'})
    assert response.headers["X-Request-ID"] != 'bad id "with" quotes'
    assert len(response.headers["X-Request-ID"]) == 32


def test_oversized_body_is_a_json_413(client: httpx.Client) -> None:
    response = client.post(
        "/api/v1/items",
        content=b"x" * (2 * 1024 * 1024),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["error"] == "payload_too_large"


def test_login_rate_limit_answers_429_json(base_url: str) -> None:
    # An address of its own: the browser test's log-ins come from 127.0.0.1.
    with client_from(base_url, "127.0.0.2") as client:
        email = new_email()
        statuses = []
        for _ in range(15):
            response = client.post(
                "/api/v1/auth/login", data={"username": email, "password": PASSWORD}
            )
            statuses.append(response.status_code)
        assert statuses[:10] == [401] * 10  # the burst: wrong credentials reach the backend
        assert 429 in statuses[10:]
        limited = client.post("/api/v1/auth/login", data={"username": email, "password": "x"})
        assert limited.status_code == 429
        assert limited.headers["Content-Type"] == "application/json"
        assert limited.json()["error"] == "rate_limited"
        assert (
            limited.headers["Content-Security-Policy"]
            == SECURITY_HEADERS["Content-Security-Policy"]
        )
        # Other routes from the same address are not limited.
        assert client.get("/health").status_code == 200

    # Nor is another address.
    with client_from(base_url, "127.0.0.3") as other:
        assert sign_up_and_log_in(other)
