"""A private PostgreSQL cluster under the state folder, or nothing when DATABASE_URL is given."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from stack.process import ManagedProcess, StartupError, run

if TYPE_CHECKING:
    from stack.runner import Stack

DATABASE = "app"


def _bindir() -> Path:
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(os.path.realpath(on_path)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    if not candidates:
        raise StartupError("PostgreSQL server binaries not found: install postgresql")
    return Path(candidates[-1])


def _as_postgres(argv: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root; on a laptop the developer's own user is fine.
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


class Postgres:
    name = "postgres"

    def __init__(self) -> None:
        self.process: ManagedProcess | None = None
        self.url = ""

    def start(self, stack: Stack) -> None:
        config = stack.config
        if config.database_url:
            self.url = config.database_url
            return
        port = config.ports.postgres
        data = config.state_dir / "postgres"
        bindir = _bindir()
        if not (data / "PG_VERSION").exists():
            data.mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(data, "postgres", "postgres")
            run(
                _as_postgres(
                    [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]
                ),
                "initdb",
            )
        server = [str(bindir / "postgres"), "-D", str(data), "-p", str(port), "-k", str(data)]
        settings = {
            "listen_addresses": "127.0.0.1",
            "max_connections": "200",
            "shared_preload_libraries": "pg_stat_statements",
        }
        for name, value in settings.items():
            server += ["-c", f"{name}={value}"]
        self.process = ManagedProcess(
            "postgres", _as_postgres(server), config.log_dir / "postgres.log"
        ).start()
        self.process.wait_until(
            lambda: _accepts_connections(bindir, port), timeout=30, what="accepting connections"
        )
        client = ["-h", "127.0.0.1", "-p", str(port), "-U", "postgres"]
        exists_query = f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"
        exists = run([str(bindir / "psql"), *client, "-tAc", exists_query], "psql").stdout.strip()
        if not exists:
            run([str(bindir / "createdb"), *client, DATABASE], "createdb")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/{DATABASE}"

    def stop(self) -> None:
        if self.process:
            self.process.stop()


def _accepts_connections(bindir: Path, port: int) -> bool:
    ready = [str(bindir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port)]
    return subprocess.run(ready, check=False).returncode == 0
