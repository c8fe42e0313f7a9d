"""Idempotent creates: claim the key with the write, replay the stored answer on a retry.

The key's row is inserted in the request's own transaction, before the work, and the answer is
written to it after: both commit with the write or neither does. So a request that died before
its commit left nothing and its retry does the work; one that committed left its answer, and a
retry (even one that raced the first) gets that answer back without doing the work again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings, SettingsDep
from app.db import SessionDep
from app.errors import IdempotencyKeyReusedError
from app.idempotency import repository
from app.validation import IDEMPOTENCY_KEY_MAX_LENGTH

REPLAYED_HEADER = "Idempotent-Replayed"

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=IDEMPOTENCY_KEY_MAX_LENGTH,
        pattern=r"^[\x21-\x7e]+$",
        description=(
            "A client-chosen unique string (a UUID) for this create. A retry with the same key "
            "and body within the retention window answers the first response again "
            f"(with `{REPLAYED_HEADER}: true`) instead of creating twice."
        ),
    ),
]


class IdempotentCreate:
    """One create request and the key it was sent with (or none)."""

    def __init__(
        self, session: AsyncSession, settings: Settings, request: Request, key: str | None
    ) -> None:
        self.session = session
        self.settings = settings
        self.request = request
        self.key = key
        self.scope = ""

    def _fingerprint(self, body: BaseModel) -> str:
        canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        message = f"{self.request.method} {self.request.url.path}\n{canonical}".encode()
        secret = self.settings.secret_key.get_secret_value().encode()
        # An HMAC, not a bare hash: the table must not let anyone test guesses of a password.
        return hmac.new(secret, message, hashlib.sha256).hexdigest()

    async def replay_or_claim(self, scope: str, body: BaseModel) -> JSONResponse | None:
        """The stored answer of an earlier request with this key, or None: do the work."""
        if self.key is None:
            return None
        self.scope = scope
        ttl = timedelta(seconds=self.settings.idempotency_key_ttl_seconds)
        fingerprint = self._fingerprint(body)
        if await repository.claim(self.session, scope, self.key, fingerprint, ttl):
            return None
        stored = await repository.get(self.session, scope, self.key)
        if stored is None or stored.status_code is None or stored.fingerprint != fingerprint:
            raise IdempotencyKeyReusedError
        return JSONResponse(
            stored.response_body,
            status_code=stored.status_code,
            headers={REPLAYED_HEADER: "true"},
        )

    async def record(self, user_id: uuid.UUID, status_code: int, body: BaseModel) -> None:
        """Store the answer beside the key, in the transaction of the write."""
        if self.key is None:
            return
        answer: Any = body.model_dump(mode="json")
        await repository.record_response(
            self.session,
            scope=self.scope,
            key=self.key,
            user_id=user_id,
            status_code=status_code,
            body=answer,
        )


async def _idempotent_create(
    session: SessionDep, settings: SettingsDep, request: Request, key: IdempotencyKeyHeader = None
) -> IdempotentCreate:
    return IdempotentCreate(session, settings, request, key)


IdempotentCreateDep = Annotated[IdempotentCreate, Depends(_idempotent_create)]


async def purge_expired(session: AsyncSession, settings: Settings) -> int:
    """Delete the keys past their retention; returns how many."""
    ttl = timedelta(seconds=settings.idempotency_key_ttl_seconds)
    return await repository.purge_expired(session, ttl)
