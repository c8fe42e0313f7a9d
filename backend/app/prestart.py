"""`python -m app.prestart`: make the database ready before the server starts.

Waits (bounded) for PostgreSQL, applies the migrations, creates the first admin if missing.
Compose runs it once as a job; the API containers start when it has succeeded.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from pydantic import ValidationError
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from app.config import Settings, get_settings
from app.db import create_engine as create_app_engine
from app.db import create_sessionmaker
from app.observability.logging import configure_logging
from app.users import repository
from app.users import service as users_service
from app.users.schemas import UserCreate

logger = logging.getLogger("app.prestart")

ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"


class DatabaseNotReadyError(RuntimeError):
    pass


def wait_for_database(url: str, timeout: float, interval: float = 1.0) -> None:
    engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 3})
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                with engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
                return
            except OperationalError as exc:
                if time.monotonic() >= deadline:
                    raise DatabaseNotReadyError(
                        f"database not reachable after {timeout:g}s: {str(exc).splitlines()[0]}"
                    ) from exc
                logger.info("waiting for the database")
                time.sleep(interval)
    finally:
        engine.dispose()


def migrate(url: str) -> None:
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "head")


async def ensure_first_admin(settings: Settings) -> bool:
    """Create the admin account from the settings unless it exists; True if created."""
    engine = create_app_engine(settings)
    try:
        async with create_sessionmaker(engine)() as session:
            email = str(settings.first_admin_email).lower()
            if await repository.get_by_email(session, email):
                return False
            admin = UserCreate(
                email=email,
                password=settings.first_admin_password.get_secret_value(),
                full_name="Administrator",
            )
            await users_service.create_user(session, admin, is_admin=True)
            await session.commit()
            return True
    finally:
        await engine.dispose()


def main() -> int:
    try:
        settings = get_settings()
    except ValidationError as exc:
        print(f"invalid settings: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    try:
        wait_for_database(settings.database_url, settings.prestart_db_wait_seconds)
    except DatabaseNotReadyError as exc:
        logger.error(str(exc))
        return 1
    migrate(settings.database_url)
    logger.info("migrations applied")
    if asyncio.run(ensure_first_admin(settings)):
        logger.info("first admin created", extra={"email": str(settings.first_admin_email)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
