"""The FastAPI application: `create_app(settings)` builds one; app/serve.py runs it as a factory."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.responses import Response
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from app import __version__, fault_injection
from app.auth import security
from app.auth.router import router as auth_router
from app.auth.security import TokenVerifier
from app.auth.throttle import AccountThrottle
from app.cache import ItemCache
from app.config import Settings, get_settings
from app.db import create_engine, create_sessionmaker, publish_pool_metrics
from app.errors import error_codes_markdown, register_error_handlers
from app.idempotency.service import purge_expired
from app.items.router import router as items_router
from app.limits import BodySizeLimitMiddleware, NoStoreApiMiddleware
from app.observability import metrics
from app.observability.health import router as health_router
from app.observability.logging import configure_logging
from app.observability.middleware import RequestObservabilityMiddleware
from app.users.router import router as users_router

logger = logging.getLogger(__name__)

WORKER_STATS_INTERVAL_SECONDS = 1
IDEMPOTENCY_PURGE_INTERVAL_SECONDS = 600
ROUTERS = (auth_router, users_router, items_router, health_router)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = create_engine(settings)
        app.state.sessionmaker = create_sessionmaker(app.state.engine)
        app.state.cache = ItemCache(settings) if settings.cache_enabled else None
        app.state.readiness_engine = create_async_engine(
            settings.database_url,
            poolclass=NullPool,
            connect_args={"connect_timeout": settings.db_connect_timeout_seconds},
        )
        metrics.worker_started(__version__, settings.git_commit)
        stats = asyncio.create_task(_publish_worker_stats_forever(app.state.engine))
        purge = asyncio.create_task(_purge_idempotency_keys_forever(app))
        try:
            yield
        finally:
            stats.cancel()
            purge.cancel()
            await app.state.engine.dispose()
            if app.state.cache is not None:
                await app.state.cache.close()
            await app.state.readiness_engine.dispose()
            metrics.worker_stopped()

    security.set_hashing_concurrency(settings.password_hash_concurrency)
    # The docs and schema tell an attacker every route: off in production unless asked for
    # (the front end's client is generated offline, by `python -m app.openapi`).
    docs = settings.environment != "production" or settings.api_docs_enabled
    app = FastAPI(
        title="Reference app API",
        description=(
            'Every error is `{"error": <code>, "detail": <sentence or field list>}`. '
            "Every 502, 503 and 504 carries `Retry-After`.\n\n" + error_codes_markdown()
        ),
        version=__version__,
        lifespan=lifespan,
        openapi_url="/api/v1/openapi.json" if docs else None,
        docs_url="/api/v1/docs" if docs else None,
        redoc_url=None,
        # Operation ids such as `items-list_items`: the generated client's function names.
        generate_unique_id_function=_operation_id,
    )
    app.state.settings = settings
    app.state.account_throttle = AccountThrottle(
        settings.account_password_attempts, settings.account_password_window_seconds
    )
    app.state.token_verifier = TokenVerifier(settings.secret_key.get_secret_value())
    register_error_handlers(app)
    app.add_middleware(BodySizeLimitMiddleware)
    app.add_middleware(NoStoreApiMiddleware)
    app.add_middleware(RequestObservabilityMiddleware, metrics_enabled=settings.metrics_enabled)

    # Routers carry their full path, so the route a request matched names its whole template.
    for router in ROUTERS:
        app.include_router(router)
    if settings.environment == "test":
        app.include_router(fault_injection.router)
    if settings.metrics_enabled:
        app.add_api_route("/metrics", _metrics, include_in_schema=False)
    return app


def _operation_id(route: APIRoute) -> str:
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


def _metrics() -> Response:
    # A plain def: FastAPI runs it in a thread, as reading the workers' files is blocking I/O.
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)


async def _publish_worker_stats_forever(engine: AsyncEngine) -> None:
    """Gauges only this worker can read (its pool, its memory), refreshed for any scrape."""
    while True:
        publish_pool_metrics(engine)
        metrics.publish_process_stats()
        await asyncio.sleep(WORKER_STATS_INTERVAL_SECONDS)


async def _purge_idempotency_keys_forever(app: FastAPI) -> None:
    """Delete expired idempotency keys now and then (each worker; deleting twice is harmless)."""
    while True:
        await asyncio.sleep(IDEMPOTENCY_PURGE_INTERVAL_SECONDS)
        try:
            async with app.state.sessionmaker.begin() as session:
                purged = await purge_expired(session, app.state.settings)
        except Exception as exc:  # the database may be down; try again next time
            logger.warning("idempotency key purge failed", extra={"error": str(exc)[:200]})
            continue
        if purged:
            logger.info("idempotency keys purged", extra={"count": purged})
