"""Constrained text types shared by the request schemas.

Every rule is stated in the OpenAPI schema (length, pattern), so the generated client and the
fuzzer see what the API enforces.
"""

from __future__ import annotations

from typing import Annotated, Any

import email_validator
from pydantic import AfterValidator, StringConstraints

# Addresses are checked for their syntax only (OpenAPI's `format: email`); refusing special-use
# domains (.arpa, .local...) is a rule the schema cannot state.
email_validator.SPECIAL_USE_DOMAIN_NAMES.clear()

# PostgreSQL cannot store NUL in text: refused with a 422, not later with a 500. A name or title
# also needs one visible character, as surrounding whitespace is stripped.
_NO_NUL = r"^[^\x00]*$"
_SOME_TEXT = r"^[^\x00]*[^\s\x00][^\x00]*$"

# The field limits: the one place they are written. The models size their columns by them, the
# OpenAPI schema states them, and the front end reads them from the client generated from it
# (docs/architecture.md, "Field limits"). A changed limit needs a migration for its column;
# tests/test_column_lengths.py fails until the database agrees.
FULL_NAME_MAX_LENGTH = 255
TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 10_000
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128
# The longest address RFC 3696 allows (64 + 1 + 255): the log-in form's bound and the column's.
EMAIL_MAX_LENGTH = 320
# The `Idempotency-Key` header of the creates (a UUID fits many times over).
IDEMPOTENCY_KEY_MAX_LENGTH = 255

# Lengths are checked on the text as sent, as the schema states them; surrounding whitespace is
# stripped afterwards, so what is stored is never longer than the schema allows.
FullName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=FULL_NAME_MAX_LENGTH, pattern=_SOME_TEXT),
    AfterValidator(str.strip),
]
Title = Annotated[
    str,
    StringConstraints(min_length=1, max_length=TITLE_MAX_LENGTH, pattern=_SOME_TEXT),
    AfterValidator(str.strip),
]
Description = Annotated[str, StringConstraints(max_length=DESCRIPTION_MAX_LENGTH, pattern=_NO_NUL)]
Password = Annotated[
    str, StringConstraints(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH)
]
# A password already set: checked against the hash, only bounded so nobody makes us hash a megabyte.
CurrentPassword = Annotated[str, StringConstraints(min_length=1, max_length=PASSWORD_MAX_LENGTH)]


def omit_null(*fields: str) -> Any:
    """A `json_schema_extra` for an update model whose `fields` may be left out, never null."""

    def drop_null(schema: dict[str, Any]) -> None:
        for name in fields:
            prop = schema["properties"][name]
            branches = [b for b in prop.pop("anyOf", []) if b.get("type") != "null"]
            if len(branches) == 1:
                prop.update(branches[0])
            prop.pop("default", None)

    return drop_null
