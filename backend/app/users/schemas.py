"""What the accounts API reads and writes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, field_validator

from app.validation import CurrentPassword, FullName, Password, omit_null

# One account per address, whatever the case it is typed in.
Email = Annotated[EmailStr, AfterValidator(str.lower)]


class UserCreate(BaseModel):
    email: Email
    password: Password
    full_name: FullName


class UserUpdate(BaseModel):
    model_config = ConfigDict(json_schema_extra=omit_null("email", "full_name"))

    email: Email | None = None
    full_name: FullName | None = None

    @field_validator("email", "full_name")
    @classmethod
    def _not_null(cls, value: str | None) -> str:
        # Runs only for fields that were sent: leaving one out keeps it, null is not allowed.
        if value is None:
            raise ValueError("cannot be null")
        return value


class PasswordChange(BaseModel):
    current_password: CurrentPassword
    new_password: Password


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    full_name: str
    is_admin: bool
    created_at: datetime
