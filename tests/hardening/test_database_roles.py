"""postgres/initdb/10-roles.sh on a real PostgreSQL: prestart migrates as the owner, the backend's
role reads and writes rows but changes no schema, the exporter's sees statistics, not data,
the backup's reads everything and writes nothing."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator

import httpx
import pytest

from stack.config import REPO_ROOT
from stack.runner import Stack
from stack.services.postgres import DATABASE, _bindir
from stack.services.postgres import ROLES as NATIVE_ROLES

SCRIPT = REPO_ROOT / "postgres" / "initdb" / "10-roles.sh"
ROLES = {
    "owner": "hardening_owner",
    "app": "hardening_app",
    "exporter": "hardening_exporter",
    "backup": "hardening_backup",
}


def _url(role: str, database: str, driver: str = "postgresql") -> str:
    return f"{driver}://{ROLES[role]}:{role}-pw@{database}"


def psql(url: str, sql: str) -> subprocess.CompletedProcess[str]:
    argv = [str(_bindir() / "psql"), "-X", "-tA", "-v", "ON_ERROR_STOP=1", url, "-c", sql]
    return subprocess.run(argv, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def database(hardening_stack: Stack) -> Iterator[str]:
    """`127.0.0.1:PORT/NAME`: a new database of the stack's cluster, with the roles created."""
    port = hardening_stack.config.ports.postgres
    superuser = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    name = f"roles_{uuid.uuid4().hex[:8]}"
    assert psql(superuser, f'CREATE DATABASE "{name}"').returncode == 0
    env = {
        **os.environ,
        "PATH": f"{_bindir()}:{os.environ['PATH']}",
        "PGHOST": "127.0.0.1",
        "PGPORT": str(port),
        "POSTGRES_USER": "postgres",
        "POSTGRES_DB": name,
        **{f"DB_{key.upper()}_USER": role for key, role in ROLES.items()},
        **{f"DB_{key.upper()}_PASSWORD": f"{key}-pw" for key in ROLES},
    }
    try:
        # Twice: on an existing cluster the script adds nothing twice and still succeeds.
        for _ in range(2):
            created = subprocess.run(
                ["/bin/sh", str(SCRIPT)], env=env, capture_output=True, text=True, check=False
            )
            assert created.returncode == 0, created.stderr
        yield f"127.0.0.1:{port}/{name}"
    finally:
        psql(superuser, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        for role in ROLES.values():
            psql(superuser, f'DROP ROLE IF EXISTS "{role}"')


def test_each_role_can_do_its_job_and_no_more(database: str) -> None:
    backend = REPO_ROOT / "backend"
    env = {
        **os.environ,
        "ENVIRONMENT": "test",
        "DATABASE_URL": _url("owner", database, "postgresql+psycopg"),
    }
    prestart = subprocess.run(
        [str(backend / ".venv" / "bin" / "python"), "-m", "app.prestart"],
        cwd=backend,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert prestart.returncode == 0, prestart.stderr[-3000:]

    app = _url("app", database)
    assert psql(app, "SELECT count(*) FROM users").stdout.strip() == "1"  # the first admin
    assert psql(app, "UPDATE users SET full_name = full_name").returncode == 0
    assert psql(app, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user").stdout == "f\n"
    for ddl in ("DROP TABLE items", "CREATE TABLE mine (id int)", "ALTER TABLE users ADD x int"):
        refused = psql(app, ddl)
        assert refused.returncode != 0, ddl
        assert "must be owner" in refused.stderr or "permission denied" in refused.stderr, ddl

    exporter = _url("exporter", database)
    assert psql(exporter, "SELECT count(*) FROM pg_stat_activity").returncode == 0
    # Not even the schema's names: the table does not exist as far as it can see.
    hidden = psql(exporter, "SELECT count(*) FROM users")
    assert hidden.returncode != 0
    assert "permission denied" in hidden.stderr or "does not exist" in hidden.stderr

    backup = _url("backup", database)
    assert psql(backup, "SELECT count(*) FROM users").stdout.strip() == "1"  # pg_dump reads all
    superuser = "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
    assert psql(backup, superuser).stdout == "f\n"
    for write in ("UPDATE users SET full_name = full_name", "DROP TABLE items"):
        refused = psql(backup, write)
        assert refused.returncode != 0, write
        assert "must be owner" in refused.stderr or "permission denied" in refused.stderr, write


def test_the_native_stack_migrates_as_the_owner_and_serves_as_the_app_role(
    hardening_stack: Stack, backend_url: str
) -> None:
    # A write through the backend's pool, whose connection stays open for the query below.
    email = f"roles-{uuid.uuid4().hex[:8]}@example.com"
    signup = {"email": email, "password": "a-long-enough-password", "full_name": "Roles"}
    created = httpx.post(f"{backend_url}/api/v1/auth/signup", json=signup, timeout=30)
    assert created.status_code == 201, created.text
    stack_db = f"postgresql://postgres@127.0.0.1:{hardening_stack.config.ports.postgres}/{DATABASE}"
    tables = "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'"
    assert psql(stack_db, tables).stdout.split() == [NATIVE_ROLES["owner"]]
    others = f"SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = '{DATABASE}'"
    others += " AND pid <> pg_backend_pid()"
    assert psql(stack_db, others).stdout.split() == [NATIVE_ROLES["app"]]
    assert f"//{NATIVE_ROLES['exporter']}@" in hardening_stack.postgres.exporter_url
