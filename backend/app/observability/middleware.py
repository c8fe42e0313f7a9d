"""One ASGI middleware for what every request needs: its id, its metrics and its access line.

A plain ASGI middleware rather than BaseHTTPMiddleware: it runs on every request, so it must
cost next to nothing and must not buffer responses.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import internal_error_response
from app.observability import metrics
from app.observability.logging import request_id_var

access_logger = logging.getLogger("app.access")
error_logger = logging.getLogger("app.errors")

_REQUEST_ID_HEADER = b"x-request-id"
# What we accept from a proxy; anything else is replaced, so logs cannot be forged or flooded.
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
UNMATCHED_ROUTE = "unmatched"
# Any other method is counted as OTHER: a client must not be able to mint label values.
_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def incoming_request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == _REQUEST_ID_HEADER:
            candidate: str = value.decode("latin-1")
            if _VALID_REQUEST_ID.fullmatch(candidate):
                return candidate
            break
    return uuid.uuid4().hex


def route_template(scope: Scope) -> str:
    """The matched route's template, never the raw path, so label values stay few."""
    route = scope.get("route")
    if isinstance(route, BaseRoute):
        return str(getattr(route, "path_format", UNMATCHED_ROUTE))
    return UNMATCHED_ROUTE


class RequestObservabilityMiddleware:
    def __init__(self, app: ASGIApp, *, metrics_enabled: bool = True) -> None:
        self.app = app
        self.metrics_enabled = metrics_enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        request_id = incoming_request_id(scope)
        request_id_var.set(request_id)
        method = scope["method"] if scope["method"] in _KNOWN_METHODS else "OTHER"
        status = 500  # what the client gets if the app fails before answering
        response_started = False
        started = time.perf_counter()

        async def send_with_request_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                MutableHeaders(scope=message).append("X-Request-ID", request_id)
            await send(message)

        if self.metrics_enabled:
            metrics.request_started(method)
        try:
            await self.app(scope, receive, send_with_request_id)
        except Exception:
            # A bug of ours. Answered here, where the request id is known, and logged once
            # with its stack trace; the server then has nothing left to report.
            error_logger.exception("unhandled error")
            if response_started:
                raise
            await internal_error_response(request_id)(scope, receive, send)
        finally:
            duration = time.perf_counter() - started
            route = route_template(scope)
            if self.metrics_enabled:
                metrics.request_finished(method, route, status, duration)
            client = scope.get("client")
            access_logger.info(
                "request",
                extra={
                    "method": method,
                    "route": route,
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round(duration * 1000, 2),
                    "client": client[0] if client else None,
                },
            )
