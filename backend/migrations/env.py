"""Alembic environment: migrates the database named by the settings, or by the caller."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from app.config import get_settings
from app.db import Base
from app.idempotency import models as _idempotency  # noqa: F401 - registers the table
from app.items import models as _items  # noqa: F401 - registers the table
from app.users import models as _users  # noqa: F401 - registers the table

config = context.config
target_metadata = Base.metadata


def database_url() -> str:
    # Tests and `prestart` pass the URL explicitly; the alembic CLI uses DATABASE_URL.
    return config.get_main_option("sqlalchemy.url") or get_settings().database_url


def run_migrations_offline() -> None:
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine(database_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
