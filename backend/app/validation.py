"""Constrained text types shared by the request schemas."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, StringConstraints


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL in text: refuse it here with a 422, not later with a 500.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


FullName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=255),
    AfterValidator(_no_nul),
]
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_no_nul),
]
Description = Annotated[str, StringConstraints(max_length=10_000), AfterValidator(_no_nul)]
Password = Annotated[str, StringConstraints(min_length=8, max_length=128)]
