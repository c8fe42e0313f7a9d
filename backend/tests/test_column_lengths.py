"""The migrated database's columns agree with the field limits in `app/validation.py`.

The migrations write their lengths out (a migration is history and imports no app code), so
this is what keeps them, the models and the limits the API states in step.
"""

from __future__ import annotations

from typing import Any

import psycopg
from sqlalchemy import String

from app.config import Settings
from app.db import Base
from app.main import create_app
from tests.conftest import libpq_url

# (table, column) -> where the OpenAPI schema states the column's limit: a property of a
# component schema, or a parameter of an operation.
LIMITED_COLUMNS = {
    ("users", "email"): ("Body_auth-login", "username"),
    ("users", "full_name"): ("UserCreate", "full_name"),
    ("items", "title"): ("ItemCreate", "title"),
    ("items", "description"): ("ItemCreate", "description"),
    ("idempotency_keys", "key"): ("post /api/v1/items", "Idempotency-Key"),
}


def _stated(api: dict[str, Any], where: str, name: str) -> dict[str, Any]:
    method, _, path = where.partition(" ")
    if not path:
        prop: dict[str, Any] = api["components"]["schemas"][where]["properties"][name]
        return prop
    parameters = api["paths"][path][method]["parameters"]
    schema: dict[str, Any] = next(p["schema"] for p in parameters if p["name"] == name)
    return schema


def _column_lengths(database_url: str) -> dict[tuple[str, str], int | None]:
    with psycopg.connect(libpq_url(database_url)) as connection:
        rows = connection.execute(
            "SELECT table_name, column_name, character_maximum_length"
            " FROM information_schema.columns WHERE table_schema = 'public'"
        ).fetchall()
    return {(table, column): length for table, column, length in rows}


def _max_length(prop: dict[str, Any]) -> int:
    """A property's maxLength, also when it is one branch of an optional (`anyOf`)."""
    found = [b["maxLength"] for b in [prop, *prop.get("anyOf", [])] if "maxLength" in b]
    assert len(found) == 1, prop
    length: int = found[0]
    return length


def test_limited_columns_are_as_long_as_the_api_allows(database_url: str) -> None:
    api = create_app(Settings(environment="development")).openapi()
    stated = {
        column: _max_length(_stated(api, where, name))
        for column, (where, name) in LIMITED_COLUMNS.items()
    }

    in_database = _column_lengths(database_url)

    assert {column: in_database[column] for column in LIMITED_COLUMNS} == stated


def test_every_text_column_of_the_models_has_the_migrated_length(database_url: str) -> None:
    modelled = {
        (table.name, column.name): column.type.length
        for table in Base.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, String)
    }

    in_database = _column_lengths(database_url)

    assert modelled
    assert {column: in_database.get(column) for column in modelled} == modelled
