"""A private PostgreSQL cluster under the state folder, or nothing when DATABASE_URL is given.

The cluster runs with postgres/postgresql.conf, the file the database image carries, and archives
its WAL with pgBackRest (postgres/pgbackrest.conf) into a local encrypted repository under the
state folder unless `StackConfig.backup_env` points it elsewhere. It makes sure the stanza
exists at every start, and takes a full backup when the cluster is new, as the compose stack's
backup service does. With the database it creates the roles of postgres/initdb/10-roles.sh, the
script the database image runs: prestart migrates as the owner, the backend and the exporter use
their own roles (`owner_url`, `url`, `exporter_url`).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

from stack.config import REPO_ROOT, StackConfig
from stack.process import ManagedProcess, StartupError, port_open, run

DATABASE = "app"
CONFIG_FILE = "postgres/postgresql.conf"
PGBACKREST_CONFIG = "postgres/pgbackrest.conf"
# The local repository's passphrase: development only, like every default of `make stack`.
DEVELOPMENT_CIPHER_PASS = "development-only-backup-passphrase"  # noqa: S105
ROLES_SCRIPT = "postgres/initdb/10-roles.sh"
# The roles' names of .env.example; the cluster trusts loopback, so the passwords go unused.
ROLES = {
    "owner": "app_owner",
    "app": "app_user",
    "exporter": "app_exporter",
    "backup": "app_backup",
}


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
    """The cluster of `config` (its port, state folder, backup settings)."""

    name = "postgres"

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.process: ManagedProcess | None = None
        # Known before the cluster starts: the backend's (rows only), prestart's (the schema's
        # owner) and the exporter's, or the one given database for all three.
        self.url, self.owner_url, self.exporter_url = (
            config.database_url
            or f"postgresql+psycopg://{ROLES[role]}@127.0.0.1:{config.ports.postgres}/{DATABASE}"
            for role in ("app", "owner", "exporter")
        )
        self.env: dict[str, str] = {}

    @property
    def data_dir(self) -> Path:
        return self.config.state_dir / "postgres"

    def start(self) -> None:
        config = self.config
        if config.database_url:
            return
        port = config.ports.postgres
        if port_open(port):
            # Another server there would answer the readiness checks in this one's place.
            raise StartupError(f"postgres: port {port} is already in use")
        data = self.data_dir
        bindir = _bindir()
        fresh = not (data / "PG_VERSION").exists()
        if fresh:
            data.mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(data, "postgres", "postgres")
            initdb = [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-E", "UTF8"]
            run(_as_postgres([*initdb, "--auth=trust"]), "initdb")
        self.env = backup_env(config)
        owned = ["PGBACKREST_PG1_SOCKET_PATH", "PGBACKREST_LOCK_PATH"]
        if self.env["PGBACKREST_REPO1_TYPE"] == "posix":
            owned.append("PGBACKREST_REPO1_PATH")
        for variable in owned:
            path = Path(self.env[variable])
            path.mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(path, "postgres", "postgres")
        server = [
            str(bindir / "postgres"),
            "-D",
            str(data),
            "-c",
            f"config_file={config.repo_root / CONFIG_FILE}",
            # The shared file listens everywhere on 5432, as a container does.
            "-c",
            "listen_addresses=127.0.0.1",
            "-p",
            str(port),
            "-k",
            self.env["PGBACKREST_PG1_SOCKET_PATH"],
        ]
        self.process = ManagedProcess(
            "postgres", _as_postgres(server), config.log_dir / "postgres.log", env=self.env
        ).start()
        try:
            self.process.wait_until(
                lambda: _accepts_connections(bindir, port), timeout=30, what="accepting connections"
            )
            client = ["-h", "127.0.0.1", "-p", str(port), "-U", "postgres"]
            # A restored cluster answers while it replays WAL: wait until it has been promoted.
            in_recovery = [str(bindir / "psql"), *client, "-tAc", "SELECT pg_is_in_recovery()"]
            self.process.wait_until(
                lambda: run(in_recovery, "psql").stdout.strip() == "f",
                timeout=300,
                what="out of recovery",
            )
            exists_query = f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"
            exists = run(
                [str(bindir / "psql"), *client, "-tAc", exists_query], "psql"
            ).stdout.strip()
            if not exists:
                run([str(bindir / "createdb"), *client, DATABASE], "createdb")
                _create_roles(bindir, port)
            elif not _has_roles(bindir, client):
                raise StartupError(
                    f"postgres: the cluster in {data} has no {ROLES['owner']} role (made before"
                    f" the database's roles): remove {config.state_dir} to start afresh"
                )
            if config.backups:
                # Idempotent: also gives a cluster from before backups existed its stanza.
                self.backup_tool("stanza-create")
                if fresh:
                    self.backup_tool("backup", "full")
        except BaseException:
            # Not started as far as the runner knows: stop the server here.
            self.process.stop()
            raise

    def backup_tool(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`python -m backup ARGS` against this cluster; fails with its output if it fails."""
        return run(
            [sys.executable, "-m", "backup", *args],
            f"python -m backup {' '.join(args)}",
            cwd=self.config.repo_root,
            env={**os.environ, **self.env},
        )

    def stop(self) -> None:
        if self.process:
            self.process.stop()


def _create_roles(bindir: Path, port: int) -> None:
    """postgres/initdb/10-roles.sh on the new database, as the image's entrypoint runs it."""
    env = {
        **os.environ,
        "PATH": f"{bindir}:{os.environ['PATH']}",
        "PGHOST": "127.0.0.1",
        "PGPORT": str(port),
        "POSTGRES_USER": "postgres",
        "POSTGRES_DB": DATABASE,
        **{f"DB_{key.upper()}_USER": role for key, role in ROLES.items()},
        **{f"DB_{key.upper()}_PASSWORD": "unused-trusted-on-loopback" for key in ROLES},
    }
    run(["/bin/sh", str(REPO_ROOT / ROLES_SCRIPT)], ROLES_SCRIPT, env=env)


def _has_roles(bindir: Path, client: list[str]) -> bool:
    query = f"SELECT 1 FROM pg_roles WHERE rolname = '{ROLES['owner']}'"
    return run([str(bindir / "psql"), *client, "-tAc", query], "psql").stdout.strip() == "1"


def _accepts_connections(bindir: Path, port: int) -> bool:
    ready = [str(bindir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port)]
    return subprocess.run(ready, check=False).returncode == 0


def backup_env(config: StackConfig) -> dict[str, str]:
    """pgBackRest's settings for this cluster, in the environment of the server (for
    archive_command) and of the backup tool: a local encrypted repository by default."""
    return {
        "PGBACKREST_CONFIG": str(config.repo_root / PGBACKREST_CONFIG),
        "PGBACKREST_REPO1_TYPE": "posix",
        "PGBACKREST_REPO1_PATH": str(config.state_dir / "backups"),
        "PGBACKREST_REPO1_CIPHER_PASS": DEVELOPMENT_CIPHER_PASS,
        "PGBACKREST_PG1_PATH": str(config.state_dir / "postgres"),
        "PGBACKREST_PG1_PORT": str(config.ports.postgres),
        "PGBACKREST_PG1_SOCKET_PATH": str(config.state_dir / "postgres-socket"),
        "PGBACKREST_LOCK_PATH": str(config.state_dir / "pgbackrest-lock"),
        "BACKUP_METRICS_DIR": str(config.textfile_dir),
        "BACKUP_DATABASE": DATABASE,
        "PGHOST": "127.0.0.1",
        "PGPORT": str(config.ports.postgres),
        # Backups and dumps as the backup role, as in compose: not a superuser.
        "PGUSER": ROLES["backup"],
        "PGBACKREST_PG1_USER": ROLES["backup"],
        "PGBACKREST_PG1_DATABASE": DATABASE,
        **config.backup_env,
    }
