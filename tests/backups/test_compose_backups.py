"""The backup services in both compose files, checked with the real Compose parser."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.edge.repo_files import (
    COMPOSE_FILES,
    PROD_COMPOSE,
    REPO,
    compose,
    compose_config,
    env_example,
)


def _mounts(service: dict[str, Any]) -> dict[str, str]:
    return {v["target"]: v["source"] for v in service.get("volumes", [])}


@pytest.mark.parametrize("file", COMPOSE_FILES, ids=lambda f: f.name)
def test_database_and_schedule_share_the_image_settings_and_repository(file: Path) -> None:
    services = compose_config(file)["services"]
    db, backup = services["db"], services["backup"]
    assert db["build"]["dockerfile"] == "postgres/Dockerfile"
    assert backup["image"] == db["image"]
    assert backup["command"] == ["python3", "-m", "backup", "schedule"]
    assert services["backup-bucket"]["command"] == ["python3", "-m", "backup", "bucket-create"]
    for name in ("PGBACKREST_REPO1_CIPHER_PASS", "PGBACKREST_REPO1_S3_BUCKET"):
        assert db["environment"][name] == backup["environment"][name], name
    assert backup["environment"]["PGBACKREST_REPO1_STORAGE_CA_FILE"] == "/etc/backup-ca/ca.pem"
    assert _mounts(backup)["/var/lib/postgresql/data"] == _mounts(db)["/var/lib/postgresql/data"]


@pytest.mark.parametrize("file", COMPOSE_FILES, ids=lambda f: f.name)
def test_node_exporter_reads_the_metrics_the_schedule_writes(file: Path) -> None:
    services = compose_config(file)["services"]
    directory = services["backup"]["environment"]["BACKUP_METRICS_DIR"]
    node = services["node-exporter"]
    assert f"--collector.textfile.directory={directory}" in node["command"]
    assert _mounts(node)[directory] == _mounts(services["backup"])[directory]


@pytest.mark.parametrize("file", COMPOSE_FILES, ids=lambda f: f.name)
def test_minio_serves_tls_with_the_generated_certificate(file: Path) -> None:
    services = compose_config(file)["services"]
    minio = services["minio"]
    assert re.fullmatch(r"minio/minio:RELEASE\.[0-9TZ-]+", minio["image"])
    assert minio["command"][minio["command"].index("--certs-dir") + 1] == "/certs"
    assert _mounts(minio)["/certs"] == _mounts(services["backup-ca"])["/certs"]
    assert "https://" in " ".join(minio["healthcheck"]["test"])


def test_nothing_skips_tls_verification() -> None:
    files = [*COMPOSE_FILES, *(REPO / "postgres").iterdir(), *(REPO / "backup").glob("*.py")]
    for path in files:
        if path.is_file():
            text = path.read_text()
            assert not re.search(r"verify-tls=n|--insecure|verify=False|-k\b", text), path


def test_production_refuses_to_start_without_the_encryption_key(tmp_path: Path) -> None:
    env = {k: v for k, v in env_example().items() if k != "BACKUP_ENCRYPTION_KEY"}
    env_file = tmp_path / "prod.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items()))
    result = compose(PROD_COMPOSE, "config", "-q", env_file=env_file, check=False)
    assert result.returncode != 0
    assert "set BACKUP_ENCRYPTION_KEY" in result.stderr


def test_the_image_builds_from_the_pinned_official_postgres_offline() -> None:
    dockerfile = (REPO / "postgres" / "Dockerfile").read_text()
    assert not dockerfile.startswith("# syntax")
    assert "ARG POSTGRES_IMAGE=postgres:15.13-bookworm\nFROM ${POSTGRES_IMAGE}\n" in dockerfile
    assert "pgbackrest=" in dockerfile
