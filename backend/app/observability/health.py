"""Liveness (is the process answering?) and readiness (can it serve, database included?)."""

from __future__ import annotations

import asyncio
import logging
import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app import __version__
from app.config import Settings
from app.errors import RETRY_AFTER_SECONDS, ErrorResponse, error_response

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/health", tags=["health"])

# Readiness answers from a check at most this old: a flood of /health/ready costs the database
# one connection per worker per second, not one per request.
READINESS_CACHE_SECONDS = 1.0


class HealthStatus(BaseModel):
    status: str


class Liveness(HealthStatus):
    version: str
    commit: str


@router.get("")
async def liveness(request: Request) -> Liveness:
    """Alive, and which build answers (a deploy checks the commit); no I/O, so a slow database
    never gets the process killed."""
    return Liveness(status="ok", version=__version__, commit=request.app.state.settings.git_commit)


@router.get("/ready", response_model=HealthStatus, responses={503: {"model": ErrorResponse}})
async def readiness(request: Request) -> HealthStatus | JSONResponse:
    """Ready: the database answered a query within the readiness timeout (checked at most once
    a second per worker)."""
    state = request.app.state
    if not hasattr(state, "readiness_lock"):
        state.readiness_lock = asyncio.Lock()
        state.readiness_checked = (-READINESS_CACHE_SECONDS, "")
    async with state.readiness_lock:  # one check at a time; the others wait for its answer
        checked_at, reason = state.readiness_checked
        if time.monotonic() - checked_at >= READINESS_CACHE_SECONDS:
            reason = await _check_database(state.readiness_engine, state.settings)
            state.readiness_checked = (time.monotonic(), reason)
    if reason:
        return _not_ready(reason)
    return HealthStatus(status="ready")


async def _check_database(engine: AsyncEngine, settings: Settings) -> str:
    """Empty when the database answers, else why not (no exception names: this is public)."""
    # A connection of its own, outside the pool: a busy pool is not a reason to be taken
    # out of the load balancer, an unreachable database is.
    timeout = settings.readiness_timeout_seconds
    try:
        async with asyncio.timeout(timeout):
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    except TimeoutError:
        return f"database did not answer within {timeout:g}s"
    except Exception as exc:  # any failure to reach the database means "not ready"
        logger.warning("readiness check failed", extra={"error": type(exc).__name__})
        return "database unreachable"
    return ""


def _not_ready(reason: str) -> JSONResponse:
    logger.warning("not ready", extra={"reason": reason})
    return error_response(
        503, "not_ready", reason, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
    )
