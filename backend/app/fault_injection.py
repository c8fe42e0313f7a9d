"""Routes that misbehave on purpose, mounted only when ENVIRONMENT=test.

The monitoring tests need real 5xx answers to prove the error-ratio alert and panels work,
and the shutdown test needs a request that is still in flight when SIGTERM arrives.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query

from app.config import API_PREFIX

router = APIRouter(prefix=f"{API_PREFIX}/test", tags=["test"], include_in_schema=False)


class InjectedFaultError(RuntimeError):
    pass


@router.get("/error")
async def fail() -> None:
    """Raise an unhandled exception: a real 500, logged with its stack trace."""
    raise InjectedFaultError("failure injected by GET /api/v1/test/error")


@router.get("/slow")
async def slow(seconds: Annotated[float, Query(gt=0, le=10)]) -> dict[str, float]:
    """Answer after `seconds`: an in-flight request for the graceful-shutdown test."""
    await asyncio.sleep(seconds)
    return {"slept": seconds}
