"""The idempotency_keys table: one row per key a client sent with a create that succeeded."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, String, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.validation import IDEMPOTENCY_KEY_MAX_LENGTH


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"
    # The unique pair is what makes two concurrent requests with one key do the work once: the
    # second INSERT waits for the first transaction and then finds its row.
    __table_args__ = (
        UniqueConstraint("scope", "key"),
        Index("ix_idempotency_keys_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # "user:<id>" for a signed-in user's keys, "signup" for sign-up (no account yet).
    scope: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(IDEMPOTENCY_KEY_MAX_LENGTH))
    # HMAC of the method, path and body: the same key with another request is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    # The account the answer belongs to; its keys go with it.
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status_code: Mapped[int | None]
    response_body: Mapped[Any | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
