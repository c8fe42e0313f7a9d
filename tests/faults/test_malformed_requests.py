"""Every kind of malformed request, sent through nginx, answers the JSON error shape with a
documented code (docs/architecture.md); nothing answers an HTML error page."""

from __future__ import annotations

import json
import socket
import time

import httpx
import pytest

from stack.runner import Stack

from .helpers import new_user

HOST = b"Host: localhost\r\n"


def json_post(path: bytes, body: bytes) -> bytes:
    return (
        b"POST " + path + b" HTTP/1.1\r\n" + HOST + b"Content-Type: application/json\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )


# (what, raw request, status, error code)
MALFORMED = [
    ("no request line", b"GARBAGE\r\n\r\n", 400, "bad_request"),
    ("bad Host", b"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400, "bad_request"),
    (
        "URL too long",
        b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n" + HOST + b"\r\n",
        414,
        "uri_too_long",
    ),
    (
        "one header too large",
        b"GET / HTTP/1.1\r\n" + HOST + b"X-Big: " + b"a" * 9000 + b"\r\n\r\n",
        431,
        "request_header_too_large",
    ),
    (
        "headers too large together",
        b"GET / HTTP/1.1\r\n"
        + HOST
        + b"".join(b"X-H%d: %s\r\n" % (n, b"a" * 7000) for n in range(6))
        + b"\r\n",
        431,
        "request_header_too_large",
    ),
    (
        "body too large",
        b"POST /api/v1/items HTTP/1.1\r\n" + HOST + b"Content-Length: 2000000\r\n\r\n",
        413,
        "payload_too_large",
    ),
    (
        "unknown transfer encoding",
        b"POST /api/v1/items HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: gzip\r\n\r\n",
        501,
        "not_implemented",
    ),
    (
        "HTTP/2 request line",
        b"GET / HTTP/2.0\r\n" + HOST + b"\r\n",
        505,
        "http_version_not_supported",
    ),
    (
        "body not UTF-8",
        json_post(b"/api/v1/auth/signup", b'{"email":"\xff\xfe"}'),
        400,
        "malformed_body",
    ),
    (
        "body not JSON",
        json_post(b"/api/v1/auth/signup", b'{"email":'),
        422,
        "validation_error",
    ),
    ("unknown API path", b"GET /api/v1/nothing HTTP/1.1\r\n" + HOST + b"\r\n", 404, "not_found"),
    (
        "wrong method",
        b"PUT /api/v1/items HTTP/1.1\r\n" + HOST + b"Content-Length: 0\r\n\r\n",
        405,
        "method_not_allowed",
    ),
]


def exchange(port: int, data: bytes, timeout: float = 10) -> bytes:
    """Send raw bytes on a new connection; the answer, read until complete or closed."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
                if _complete(received):
                    break
        except ConnectionResetError:
            pass
        return received


def _complete(received: bytes) -> bool:
    head, separator, body = received.partition(b"\r\n\r\n")
    if not separator:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return False


def parse(received: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v for k, v in (line.split(": ", 1) for line in lines)}
    return int(status_line.split()[1]), headers, body


@pytest.mark.parametrize(
    ("what", "request_bytes", "status", "code"), MALFORMED, ids=[m[0] for m in MALFORMED]
)
def test_a_malformed_request_answers_the_json_shape(
    faults_stack: Stack, what: str, request_bytes: bytes, status: int, code: str
) -> None:
    received = exchange(faults_stack.config.ports.nginx, request_bytes)
    answered_status, headers, body = parse(received)

    assert answered_status == status, received[:300]
    assert headers["content-type"].startswith("application/json")
    parsed = json.loads(body)
    assert set(parsed) == {"error", "detail"}
    assert parsed["error"] == code
    assert "x-request-id" in headers


def test_too_many_signups_are_a_json_429(site: str) -> None:
    transport = httpx.HTTPTransport(local_address="127.0.0.36")
    with httpx.Client(base_url=site, transport=transport, timeout=10) as client:
        answers = [client.post("/api/v1/auth/signup", json={}) for _ in range(8)]
    limited = [a for a in answers if a.status_code == 429]

    assert limited
    assert limited[0].json() == {
        "error": "rate_limited",
        "detail": "Too many attempts, try again in a minute",
    }


def test_a_client_that_stops_sending_is_disconnected_without_an_html_page(
    faults_stack: Stack, site: str
) -> None:
    headers = new_user(site)
    started = time.monotonic()
    received = exchange(
        faults_stack.config.ports.nginx,
        b"POST /api/v1/items HTTP/1.1\r\n"
        + HOST
        + f"Authorization: {headers['Authorization']}\r\n".encode()
        + b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
        timeout=30,
    )

    # nginx's client_body_timeout (10 s): it logs a 408 and closes, with no one left to answer.
    assert 9 < time.monotonic() - started < 20
    assert b"<html" not in received
