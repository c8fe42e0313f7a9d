"""Liveness (is the process answering?) and readiness (can it serve, database included?)."""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.errors import RETRY_AFTER_SECONDS, ErrorResponse, error_response

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/health", tags=["health"])


class HealthStatus(BaseModel):
    status: str


@router.get("")
async def liveness() -> HealthStatus:
    """Alive: a constant answer, no I/O, so a slow database never gets the process killed."""
    return HealthStatus(status="ok")


@router.get("/ready", response_model=HealthStatus, responses={503: {"model": ErrorResponse}})
async def readiness(request: Request) -> HealthStatus | JSONResponse:
    """Ready: the database answers a query within the readiness timeout."""
    # A connection of its own, outside the pool: a busy pool is not a reason to be taken
    # out of the load balancer, an unreachable database is.
    engine: AsyncEngine = request.app.state.readiness_engine
    timeout = request.app.state.settings.readiness_timeout_seconds
    try:
        async with asyncio.timeout(timeout):
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    except TimeoutError:
        return _not_ready(f"database did not answer within {timeout:g}s")
    except Exception as exc:  # any failure to reach the database means "not ready"
        return _not_ready(f"database unreachable: {type(exc).__name__}")
    return HealthStatus(status="ready")


def _not_ready(reason: str) -> JSONResponse:
    logger.warning("not ready", extra={"reason": reason})
    return error_response(
        503, "not_ready", reason, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
    )
