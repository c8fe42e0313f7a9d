"""Where each part of the native stack listens and keeps its state."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Ports:
    """Loopback ports; the defaults are the ones docs/architecture.md lists."""

    postgres: int = 5433
    backend: int = 8000  # replica n listens on backend + n
    nginx: int = 8080
    nginx_internal: int = 8081
    prometheus: int = 9090
    alertmanager: int = 9093
    node_exporter: int = 9100
    nginx_exporter: int = 9113
    postgres_exporter: int = 9187
    alert_webhook: int = 9095
    redis: int = 6380  # not 6379: a Redis the machine may run already
    redis_exporter: int = 9121
    process_exporter: int = 9256

    def shifted(self, offset: int) -> Ports:
        """The same layout moved by `offset`, so a test stack can run beside `make stack`."""
        return Ports(**{f.name: getattr(self, f.name) + offset for f in dataclasses.fields(self)})


@dataclass(frozen=True)
class StackConfig:
    """Everything a service needs to know to start."""

    state_dir: Path = REPO_ROOT / ".stack"
    ports: Ports = field(default_factory=Ports)
    # An external database to use instead of starting a private cluster.
    database_url: str | None = field(default_factory=lambda: os.environ.get("DATABASE_URL"))
    environment: str = "development"
    backend_workers: int = 2
    backend_replicas: int = 1
    # The item list's cache in the stack's own Redis (CACHE_ENABLED).
    cache_enabled: bool = True
    # Extra environment for the backend processes (settings of app/config.py).
    backend_env: dict[str, str] = field(default_factory=dict)
    # The stanza at start, a full backup of a new cluster; pgBackRest settings over the defaults
    # of stack/services/postgres.py (a local repository), e.g. an S3 repository.
    backups: bool = True
    backup_env: dict[str, str] = field(default_factory=dict)

    @property
    def repo_root(self) -> Path:
        return REPO_ROOT

    @property
    def log_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def textfile_dir(self) -> Path:
        """Where node_exporter's textfile collector reads the backup metrics."""
        return self.state_dir / "textfile"

    def backend_ports(self) -> list[int]:
        return [self.ports.backend + n for n in range(self.backend_replicas)]
