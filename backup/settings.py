"""The backup tool's settings, all from the environment.

pgBackRest's own options stay in pgBackRest's names (PGBACKREST_REPO1_S3_BUCKET and so on, read
by pgBackRest itself, and postgres/pgbackrest.conf); the logical dumps reuse repo1's location,
credentials, CA and passphrase, so one set of variables describes the storage.
"""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass, field
from pathlib import Path


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def _default_run_as() -> str:
    """pgBackRest must run as the user that owns the data directory, never as root."""
    if os.geteuid() != 0:
        return ""
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return ""
    return "postgres"


@dataclass(frozen=True)
class Settings:
    stanza: str = field(default_factory=lambda: _env("BACKUP_STANZA", "app"))
    # node_exporter's textfile collector directory; empty: no metrics written.
    metrics_dir: str = field(default_factory=lambda: _env("BACKUP_METRICS_DIR"))
    run_as: str = field(default_factory=lambda: _env("BACKUP_RUN_AS", _default_run_as()))
    # Logical dumps: which database, and how many days of them to keep.
    database: str = field(default_factory=lambda: _env("BACKUP_DATABASE", "app"))
    dump_retention_days: int = field(
        default_factory=lambda: int(_env("BACKUP_DUMP_RETENTION_DAYS", "14"))
    )
    # The schedule (`python -m backup schedule`): the UTC hours of the daily full and dump;
    # every other hour takes an incremental backup.
    full_hour: int = field(default_factory=lambda: int(_env("BACKUP_FULL_HOUR", "1")))
    dump_hour: int = field(default_factory=lambda: int(_env("BACKUP_DUMP_HOUR", "2")))

    # repo1, as pgBackRest reads it.
    @property
    def repo_type(self) -> str:
        return _env("PGBACKREST_REPO1_TYPE", "s3")

    @property
    def repo_path(self) -> str:
        return _env("PGBACKREST_REPO1_PATH", "/pgbackrest")

    @property
    def cipher_pass_variable(self) -> str:
        return "PGBACKREST_REPO1_CIPHER_PASS"

    @property
    def cipher_pass(self) -> str:
        return _env(self.cipher_pass_variable)

    @property
    def s3_endpoint_url(self) -> str:
        host = _env("PGBACKREST_REPO1_S3_ENDPOINT")
        port = _env("PGBACKREST_REPO1_STORAGE_PORT", "443")
        return f"https://{host}:{port}"

    @property
    def s3_bucket(self) -> str:
        return _env("PGBACKREST_REPO1_S3_BUCKET")

    @property
    def s3_region(self) -> str:
        return _env("PGBACKREST_REPO1_S3_REGION", "us-east-1")

    @property
    def s3_key(self) -> str:
        return _env("PGBACKREST_REPO1_S3_KEY")

    @property
    def s3_key_secret(self) -> str:
        return _env("PGBACKREST_REPO1_S3_KEY_SECRET")

    @property
    def s3_ca_file(self) -> str | None:
        return _env("PGBACKREST_REPO1_STORAGE_CA_FILE") or None

    @property
    def dump_prefix(self) -> str:
        """Dumps sit beside pgBackRest's files: <repo1-path>/dumps/<stanza>/."""
        return f"{self.repo_path.strip('/')}/dumps/{self.stanza}/"

    @property
    def local_dump_dir(self) -> Path:
        return Path(self.repo_path) / "dumps" / self.stanza

    # The database, for pg_dump: libpq's variables win, else pgBackRest's pg1 settings.
    def pg_dump_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.setdefault("PGHOST", _env("PGBACKREST_PG1_SOCKET_PATH", "/var/run/postgresql"))
        env.setdefault("PGPORT", _env("PGBACKREST_PG1_PORT", "5432"))
        env.setdefault("PGUSER", _env("PGBACKREST_PG1_USER", "postgres"))
        env.setdefault("PGDATABASE", self.database)
        return env
