"""Typed errors and the handlers that turn every failure into one JSON shape.

`{"error": <stable code>, "detail": <sentence, or for 422 the list of offending fields>}`
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.observability import metrics

logger = logging.getLogger(__name__)

# Seconds a client should wait before retrying when the service is momentarily overloaded.
RETRY_AFTER_SECONDS = 1


# Every `error` code a client can receive, from the backend or from nginx, with its status and
# meaning. The OpenAPI description and docs/architecture.md list them all; tests check that the
# code base and nginx/snippets/json-errors.conf use no other.
ERROR_CODES: dict[str, tuple[int, str]] = {
    "malformed_body": (400, "the body is not valid UTF-8 (backend)"),
    "bad_request": (400, "nginx could not parse the request"),
    "incorrect_password": (400, "the current password is wrong"),
    "not_authenticated": (401, "no bearer token"),
    "invalid_token": (401, "the token is invalid, expired or revoked"),
    "invalid_credentials": (401, "wrong email or password"),
    "not_found": (404, "no such route or item"),
    "method_not_allowed": (405, "the route exists, not with this method"),
    "request_timeout": (408, "the client sent its request too slowly (nginx)"),
    "email_taken": (409, "an account with this email exists"),
    "idempotency_key_reused": (409, "the Idempotency-Key was used with another request"),
    "payload_too_large": (413, "the body is over 1 MiB (nginx) or 2 MiB (backend)"),
    "uri_too_long": (414, "the URL is too long (nginx)"),
    "validation_error": (422, "fields failed validation; `detail` lists them"),
    "rate_limited": (429, "too many attempts: per address (nginx) or per account; Retry-After"),
    "request_header_too_large": (431, "the request line or headers are too large"),
    "internal_error": (500, "a bug of ours; the X-Request-ID finds it in the logs"),
    "not_implemented": (501, "a transfer encoding or method nginx does not support"),
    "bad_gateway": (502, "no backend answered (nginx); Retry-After"),
    "service_unavailable": (503, "overloaded, or the database is unreachable; Retry-After"),
    "not_ready": (503, "readiness: the database is unreachable; Retry-After"),
    "gateway_timeout": (504, "the backend did not answer in time (nginx); Retry-After"),
    "http_version_not_supported": (505, "not HTTP/1.x (nginx)"),
}


def error_codes_markdown() -> str:
    """The table of ERROR_CODES, for the OpenAPI description."""
    rows = [
        f"| `{code}` | {status} | {meaning} |" for code, (status, meaning) in ERROR_CODES.items()
    ]
    return "\n".join(["| error | status | meaning |", "|---|---|---|", *rows])


class FieldError(BaseModel):
    field: str
    location: str
    message: str


class ErrorResponse(BaseModel):
    """The body of every error answer."""

    error: str
    detail: str | list[FieldError]


class AppError(Exception):
    status_code = 500
    code = "internal_error"
    # The codes this class answers with, when it is not only `code` (for the OpenAPI schema).
    documented_codes: tuple[str, ...] = ()

    def __init__(self, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers


class NotFoundError(AppError):
    status_code = 404
    code = "not_found"


class EmailTakenError(AppError):
    status_code = 409
    code = "email_taken"

    def __init__(self) -> None:
        super().__init__("An account with this email already exists")


class IdempotencyKeyReusedError(AppError):
    status_code = 409
    code = "idempotency_key_reused"

    def __init__(self) -> None:
        super().__init__("This Idempotency-Key was already used with a different request")


class IncorrectPasswordError(AppError):
    status_code = 400
    code = "incorrect_password"

    def __init__(self) -> None:
        super().__init__("The current password is incorrect")


class AuthenticationError(AppError):
    status_code = 401
    documented_codes = ("not_authenticated", "invalid_token", "invalid_credentials")

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, headers={"WWW-Authenticate": "Bearer"})
        self.code = code


class RateLimitedError(AppError):
    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, headers={"Retry-After": str(retry_after)})


class ServiceUnavailableError(AppError):
    status_code = 503
    code = "service_unavailable"

    def __init__(self, message: str) -> None:
        super().__init__(message, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def error_response(
    status_code: int,
    code: str,
    detail: str | list[FieldError],
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = ErrorResponse(error=code, detail=detail).model_dump()
    return JSONResponse(body, status_code=status_code, headers=headers)


def error_responses(*errors: type[AppError]) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: its errors in OpenAPI, in the one shape, with their codes.

    Every API route may also answer 400 (a body that is not UTF-8), 422 (a malformed request)
    and 503 (database unavailable or pool exhausted, with Retry-After).
    """
    codes: dict[int, list[str]] = {400: ["malformed_body"], 422: ["validation_error"]}
    documented: tuple[type[AppError], ...] = (*errors, ServiceUnavailableError)
    for error in documented:
        for code in error.documented_codes or (error.code,):
            codes.setdefault(error.status_code, [])
            if code not in codes[error.status_code]:
                codes[error.status_code].append(code)
    return {
        status: {
            "model": ErrorResponse,
            "description": "Error codes: " + ", ".join(f"`{code}`" for code in names),
        }
        for status, names in codes.items()
    }


def _field_errors(exc: RequestValidationError) -> list[FieldError]:
    fields = []
    for error in exc.errors():
        location, *path = error["loc"] or ("body",)
        fields.append(
            FieldError(
                field=".".join(str(part) for part in path) or str(location),
                location=str(location),
                message=error["msg"],
            )
        )
    return fields


async def _app_error(_: Request, exc: AppError) -> JSONResponse:
    return error_response(exc.status_code, exc.code, exc.message, exc.headers)


async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
    return error_response(422, "validation_error", _field_errors(exc))


# FastAPI's own HTTP errors. Its only 400 is a body it cannot decode (bytes that are not UTF-8);
# a body that decodes but is not JSON is a 422 validation_error.
_HTTP_CODES = {400: "malformed_body", 404: "not_found", 405: "method_not_allowed"}
_HTTP_DETAILS = {400: "The request body is not valid UTF-8 JSON", 404: "Not found"}


async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    detail = _HTTP_DETAILS.get(exc.status_code, str(exc.detail))
    return error_response(exc.status_code, code, detail, exc.headers)


async def _pool_timeout(_: Request, exc: Exception) -> JSONResponse:
    metrics.POOL_TIMEOUTS.inc()
    logger.warning("database pool exhausted", extra={"error": str(exc).splitlines()[0]})
    error = ServiceUnavailableError("The service is busy, retry shortly")
    return await _app_error(_, error)


async def _database_unreachable(_: Request, exc: Exception) -> JSONResponse:
    logger.error("database unreachable", extra={"error": str(exc).splitlines()[0]})
    error = ServiceUnavailableError("The database is unavailable, retry shortly")
    return await _app_error(_, error)


def internal_error_response(request_id: str) -> JSONResponse:
    """The answer to a bug of ours: nothing about the failure, only the id to find it in logs."""
    return error_response(
        500,
        "internal_error",
        "Something went wrong on our side",
        headers={"X-Request-ID": request_id},
    )


def register_error_handlers(app: FastAPI) -> None:
    handlers: dict[type[Exception], Callable[[Request, Any], Awaitable[JSONResponse]]] = {
        AppError: _app_error,
        RequestValidationError: _validation_error,
        StarletteHTTPException: _http_error,
        sa_exc.TimeoutError: _pool_timeout,
        sa_exc.OperationalError: _database_unreachable,
        sa_exc.InterfaceError: _database_unreachable,
    }
    for exception, handler in handlers.items():
        app.exception_handler(exception)(handler)
