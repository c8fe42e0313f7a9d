"""What the items API reads and writes."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, field_validator

from app.validation import Description, Title, omit_null


class ItemCreate(BaseModel):
    title: Title
    description: Description | None = None


class ItemUpdate(BaseModel):
    """Only the fields sent are changed; `description: null` clears it."""

    model_config = ConfigDict(json_schema_extra=omit_null("title"))

    title: Title | None = None
    description: Description | None = None

    @field_validator("title")
    @classmethod
    def _title_not_null(cls, title: str | None) -> str:
        # Runs only when a title was sent: leaving it out keeps it, null is not allowed.
        if title is None:
            raise ValueError("title cannot be null")
        return title


class ItemPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    title: str
    description: str | None
    owner_id: uuid.UUID
    created_at: datetime
    updated_at: datetime


class ItemPage(BaseModel):
    items: list[ItemPublic]
    total: int
    offset: int
    limit: int
