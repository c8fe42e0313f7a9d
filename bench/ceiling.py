"""The ceiling: the real app plus one route that serves the item list without SQLAlchemy.

`GET /bench/items` does the work of `GET /api/v1/items` for the benchmark's request (the bearer
token's user and version, the version checked against the database, one page of items with
its total, the same JSON) through psycopg directly, on a plain queue of connections. The
middleware, logging and metrics are the app's own. Loaded beside the real routes, it shows how
much of the item list's cost is SQLAlchemy's, and what the web stack alone allows.

Bench-only: run by `make bench` (bench/__main__.py) as `python -m bench.ceiling` from
backend/, with the repository root on PYTHONPATH and the same settings as `python -m app.serve`.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from typing import Annotated, Any

import psycopg
from fastapi import FastAPI, Header, Query
from psycopg.rows import dict_row
from sqlalchemy.engine import make_url

from app import serve
from app.auth.security import decode_access_token
from app.config import get_settings
from app.items.schemas import ItemPage, ItemPublic
from app.main import create_app as create_real_app

PATH = "/bench/items"
CONNECTIONS = 4
# The version check rides in the page query: a revoked token reads nothing.
PAGE = """
SELECT id, title, description, owner_id, created_at, updated_at, count(*) OVER () AS total
FROM items
WHERE owner_id = %(owner)s
  AND EXISTS (SELECT FROM users WHERE id = %(owner)s AND token_version = %(version)s)
ORDER BY created_at DESC, id DESC OFFSET %(offset)s LIMIT %(limit)s
"""


def create_app() -> FastAPI:
    app = create_real_app()
    settings = get_settings()
    secret = settings.secret_key.get_secret_value()
    libpq_url = (
        make_url(settings.database_url)
        .set(drivername="postgresql")
        .render_as_string(hide_password=False)
    )
    idle: asyncio.Queue[psycopg.AsyncConnection[dict[str, Any]]] = asyncio.Queue()
    real_lifespan = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with real_lifespan(app):
            for _ in range(CONNECTIONS):
                idle.put_nowait(
                    await psycopg.AsyncConnection.connect(
                        libpq_url, autocommit=True, row_factory=dict_row
                    )
                )
            yield
            while not idle.empty():
                await idle.get_nowait().close()

    app.router.lifespan_context = lifespan

    @app.get(PATH, include_in_schema=False)
    async def items_without_sqlalchemy(
        authorization: Annotated[str, Header()],
        offset: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
    ) -> ItemPage:
        owner, version = decode_access_token(authorization.removeprefix("Bearer "), secret)
        connection = await idle.get()
        try:
            cursor = await connection.execute(
                PAGE, {"owner": owner, "version": version, "offset": offset, "limit": limit}
            )
            rows = await cursor.fetchall()
        finally:
            idle.put_nowait(connection)
        return ItemPage(
            items=[ItemPublic.model_validate(row) for row in rows],
            total=rows[0]["total"] if rows else 0,
            offset=offset,
            limit=limit,
        )

    return app


if __name__ == "__main__":
    # Served exactly as app/serve.py serves the real app, with its settings and options.
    sys.exit(serve.main([], factory="bench.ceiling:create_app"))
