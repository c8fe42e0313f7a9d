"""The drills' servers: S3 behind TLS for the whole module, a state folder per test run.

Ports are in 31000-31999, away from `make stack` and the other test areas.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from .s3 import S3Server
from .site import Site, free_port, run_tool

# First candidates; each server takes the next free port.
S3_PORT = 31900
S3_TLS_PORT = 31443


# The budgets the restore drill enforces, in seconds (docs/backup-and-recovery.md).
# RTO: from the start of the restore to the backend answering /health/ready on it.
RTO_BUDGET_SECONDS = float(os.environ.get("BACKUP_DRILL_RTO_BUDGET_SECONDS", "300"))
# RPO: how long a committed write waits before it is in the repository (archive_timeout = 60s
# in postgres/postgresql.conf, plus the upload).
RPO_BUDGET_SECONDS = float(os.environ.get("BACKUP_DRILL_RPO_BUDGET_SECONDS", "90"))


@pytest.fixture(scope="session")
def drill_dir() -> Iterator[Path]:
    directory = Path(tempfile.mkdtemp(prefix="backups-drill-"))
    directory.chmod(0o755)
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def s3_server(drill_dir: Path) -> Iterator[S3Server]:
    server_dir = drill_dir / "s3"
    server_dir.mkdir()
    server = S3Server(server_dir, free_port(S3_PORT), free_port(S3_TLS_PORT))
    try:
        yield server.start()
    finally:
        server.stop()


SITE_BUCKET = "failures"
SITE_PORTS = (31450, 31830)  # first candidates (site.free_port)


@pytest.fixture(scope="session")
def site(s3_server: S3Server, drill_dir: Path) -> Iterator[Site]:
    """A cluster with its stanza and first full backup in S3 (no backend needed), for the
    failure drills and the dumps."""
    env = s3_server.pgbackrest_env(SITE_BUCKET)
    created = run_tool(env, "bucket-create")
    assert created.returncode == 0, created.stdout + created.stderr
    started = Site.start(drill_dir / "site", *SITE_PORTS, backup_env=env, with_backend=False)
    try:
        yield started
    finally:
        started.stop()
