"""The backend's own limits, a little above nginx's, so a bypassed edge exposes nothing.

| limit | nginx (nginx/nginx.conf) | backend |
|---|---|---|
| request line + headers | 4 x 8 KiB (`large_client_header_buffers` default) | 64 KiB, then 431 |
| body | 1 MiB (`client_max_body_size`) | 2 MiB, then 413 |
| time to send the head | 10 s (`client_header_timeout`) | 20 s (REQUEST_HEAD_TIMEOUT_SECONDS) |
| idle keep-alive | 60 s (upstream `keepalive_timeout`) | 75 s (app/serve.py) |
| requests in progress per worker | - | WEB_CONCURRENCY_LIMIT, then 503 with Retry-After |

Every refusal is the JSON error shape. The limits on the request head and on concurrency live in
the HTTP protocol (`GuardedHttpToolsProtocol`, before the app sees a request); the body limit in
an ASGI middleware, as only the app reads the body.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.config import get_settings
from app.errors import RETRY_AFTER_SECONDS

MAX_HEAD_BYTES = 64 * 1024
MAX_BODY_BYTES = 2 * 1024 * 1024


def _error_body(code: str, detail: str) -> bytes:
    return json.dumps({"error": code, "detail": detail}).encode()


def _refusal(status: int, code: str, detail: str, *extra: tuple[bytes, bytes]) -> ASGIApp:
    """An ASGI app answering one JSON error and closing the connection."""
    body = _error_body(code, detail)

    async def refuse(scope: Scope, receive: Receive, send: Send) -> None:
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
            *extra,
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return refuse


_HEAD_TOO_LARGE = _refusal(
    431, "request_header_too_large", "The request line or headers are too large"
)
_BUSY = _refusal(
    503,
    "service_unavailable",
    "The service is busy, retry shortly",
    (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
)
_BODY_TOO_LARGE = _refusal(413, "payload_too_large", "Request body is too large")


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a bound on the request head's size and read time,
    and its concurrency limit answered in the JSON shape with Retry-After."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Checked here instead of by uvicorn, whose 503 is plain text without Retry-After.
        self.guarded_concurrency = self.limit_concurrency
        self.limit_concurrency = None
        self.head_bytes = 0
        self.head_timer: asyncio.TimerHandle | None = None
        self.head_timeout = get_settings().request_head_timeout_seconds

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._expect_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_done()
        super().connection_lost(exc)

    def _expect_head(self) -> None:
        self.head_bytes = 0
        if self.head_timer is None:
            self.head_timer = self.loop.call_later(self.head_timeout, self._head_timeout)

    def _head_done(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def _head_timeout(self) -> None:
        # A slow client (or none at all) must not hold a connection: close it, as nginx does.
        self.head_timer = None
        self.logger.warning("closing a connection that sent no complete request head in time")
        self.transport.close()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.head_timer is not None and self.head_bytes > MAX_HEAD_BYTES:
            # The head is still incomplete and already too large: refuse before reading more.
            self._head_done()
            body = _error_body("request_header_too_large", "The request headers are too large")
            self.transport.write(
                b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
                b"content-type: application/json\r\nconnection: close\r\n"
                b"content-length: " + str(len(body)).encode() + b"\r\n\r\n" + body
            )
            self.transport.close()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._expect_head()

    def on_url(self, url: bytes) -> None:
        self.head_bytes += len(url)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self.head_bytes += len(name) + len(value) + 4
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._head_done()
        refusal = None
        if self.head_bytes > MAX_HEAD_BYTES:
            refusal = _HEAD_TOO_LARGE
        elif self.guarded_concurrency is not None and (
            len(self.connections) > self.guarded_concurrency
            or len(self.tasks) >= self.guarded_concurrency
        ):
            refusal = _BUSY
        if refusal is None:
            super().on_headers_complete()
            return
        app = self.app
        self.app = refusal
        try:
            super().on_headers_complete()
        finally:
            self.app = app


class BodySizeLimitMiddleware:
    """413 for a body over MAX_BODY_BYTES.

    With a Content-Length, at once: the server never delivers more than it announced. Without
    one (chunked), the body is read first, up to the limit, then handed to the app; refusing
    midway through the app's own read would surface as a parse error instead.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        if length is not None:
            if length.isdigit() and int(length) > MAX_BODY_BYTES:
                await _BODY_TOO_LARGE(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        if b"transfer-encoding" not in headers:
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            size += len(message.get("body", b""))
            if size > MAX_BODY_BYTES:
                await _BODY_TOO_LARGE(scope, receive, send)
                return
            if message["type"] != "http.request" or not message.get("more_body", False):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


class NoStoreApiMiddleware:
    """`Cache-Control: no-store` on every API answer: profiles and items are private, and no
    shared cache or browser history may keep them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0] != b"cache-control"]
                message = {**message, "headers": [*headers, (b"cache-control", b"no-store")]}
            await send(message)

        await self.app(scope, receive, send_no_store)
