"""docker-compose.prod.yml, as compose resolves it: least privilege for every service, networks
split by role, each service only its own variables, no default secret accepted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.edge.repo_files import (
    DEV_COMPOSE,
    ENV_EXAMPLE,
    PROD_COMPOSE,
    PROD_SECRETS,
    compose,
    compose_config,
    env_example,
    prod_env_file,
)

# What a service may add back after `cap_drop: [ALL]`, and why.
CAPABILITIES = {
    # The official entrypoint owns the data folder as root, then becomes `postgres`.
    "db": {"CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"},
}
# Services allowed a writable root, and why.
WRITABLE_ROOT = {
    "nginx": "the image renders conf.d and keeps its pid and temp files under /etc/nginx",
    "db": "pgBackRest keeps its locks, logs and spool on the root file system",
}
# Only the database itself; the backups run as their own role (postgres/initdb/10-roles.sh).
SUPERUSER_CLIENTS = {"db"}
SECRETS = [
    "SECRET_KEY",
    "FIRST_ADMIN_PASSWORD",
    "POSTGRES_PASSWORD",
    "GRAFANA_ADMIN_PASSWORD",
    "DB_OWNER_PASSWORD",
    "DB_APP_PASSWORD",
    "DB_EXPORTER_PASSWORD",
    "DB_BACKUP_PASSWORD",
]


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    found: dict[str, Any] = compose_config(PROD_COMPOSE)["services"]
    return found


def test_every_service_runs_with_least_privilege(services: dict[str, Any]) -> None:
    for name, service in services.items():
        assert service.get("cap_drop") == ["ALL"], name
        assert set(service.get("cap_add", [])) <= CAPABILITIES.get(name, set()), name
        assert "no-new-privileges:true" in service.get("security_opt", []), name
        assert service.get("read_only") is True or name in WRITABLE_ROOT, name
        assert not service.get("privileged"), name
        limits = service["deploy"]["resources"]["limits"]
        assert 0 < limits["pids"] <= 1024, name
        assert limits["memory"], name
        assert 0 < float(limits["cpus"]) <= 2, name


def test_networks_are_split_by_role(services: dict[str, Any]) -> None:
    def networks(name: str) -> set[str]:
        return set(services[name]["networks"])

    # nginx is the public edge: it reaches the backend, nothing else.
    assert networks("nginx") == {"edge"}
    assert networks("db") == {"data"}
    for private in ("db", "prometheus", "alertmanager", "grafana"):
        assert not networks(private) & networks("nginx"), private
    assert not {"edge"} & (networks("prometheus") | networks("alertmanager"))
    config = compose_config(PROD_COMPOSE)
    assert config["networks"]["data"].get("internal") is True
    assert "app-network" not in config["networks"]


def test_each_service_gets_only_its_own_variables(services: dict[str, Any]) -> None:
    for name, service in services.items():
        assert "env_file" not in service, name
    for name in ("backend", "prestart"):
        env = services[name]["environment"]
        assert "GRAFANA_ADMIN_PASSWORD" not in env
        assert "POSTGRES_PASSWORD" not in env  # only inside DATABASE_URL
        assert not any(key.startswith("GF_") for key in env)
    # The bucket's job gets the storage's address and keys: not the encryption key, no database.
    bucket = services["backup-bucket"]["environment"]
    assert set(bucket) == {k for k in services["backup"]["environment"] if "_REPO1_S3_" in k} | {
        "PGBACKREST_REPO1_STORAGE_PORT",
        "PGBACKREST_REPO1_STORAGE_CA_FILE",
    }
    for name, service in services.items():
        values = " ".join(str(v) for v in (service.get("environment") or {}).values())
        if name != "grafana":
            assert PROD_SECRETS["GRAFANA_ADMIN_PASSWORD"] not in values, name
        if name not in {"backend", "prestart"}:
            assert PROD_SECRETS["SECRET_KEY"] not in values, name


def test_env_example_leaves_production_secrets_empty_so_compose_stops() -> None:
    example = env_example()
    assert all(example[secret] == "" for secret in SECRETS)
    result = compose(PROD_COMPOSE, "config", "-q", env_file=ENV_EXAMPLE, check=False)
    assert result.returncode != 0
    assert "set " in result.stderr


@pytest.mark.parametrize("password", ["changethis", "admin"])
def test_grafana_refuses_a_default_admin_password(password: str, tmp_path: Path) -> None:
    # The entrypoint's check, run as the container would run it (sh, the same arguments).
    import subprocess

    grafana = compose_config(PROD_COMPOSE)["services"]["grafana"]
    fake_run = tmp_path / "run.sh"
    fake_run.write_text("#!/bin/sh\necho started\n")
    fake_run.chmod(0o755)
    # compose hands the container `$` for each `$$`.
    script = grafana["entrypoint"][2].replace("$$", "$").replace("/run.sh", str(fake_run))
    for value, started in [(password, False), (PROD_SECRETS["GRAFANA_ADMIN_PASSWORD"], True)]:
        result = subprocess.run(
            ["/bin/sh", "-c", script, "grafana"],
            env={"GF_SECURITY_ADMIN_PASSWORD": value, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=False,
        )
        assert (result.returncode == 0) is started, result.stderr
        assert ("started" in result.stdout) is started


@pytest.mark.parametrize("file", [DEV_COMPOSE, PROD_COMPOSE], ids=lambda f: f.name)
def test_nothing_but_the_database_logs_in_as_the_superuser(file: Path) -> None:
    # The production secrets as every password, so that each one can be told apart.
    services = compose_config(file, env_file=prod_env_file())["services"]
    superuser = env_example()["POSTGRES_USER"]
    owner, app = env_example()["DB_OWNER_USER"], env_example()["DB_APP_USER"]
    assert services["prestart"]["environment"]["DATABASE_URL"].startswith(
        f"postgresql+psycopg://{owner}:"
    )
    assert services["backend"]["environment"]["DATABASE_URL"].startswith(
        f"postgresql+psycopg://{app}:"
    )
    exporter = services["postgres-exporter"]["environment"]
    assert exporter["DATA_SOURCE_USER"] == env_example()["DB_EXPORTER_USER"]
    backup = services["backup"]["environment"]
    assert backup["PGUSER"] == backup["PGBACKREST_PG1_USER"] == env_example()["DB_BACKUP_USER"]
    for name, service in services.items():
        if name in SUPERUSER_CLIENTS:
            continue
        env = service.get("environment") or {}
        assert f"//{superuser}:" not in str(env.get("DATABASE_URL", "")), name
        assert env.get("DATA_SOURCE_USER") != superuser, name
        assert superuser not in (env.get("PGUSER"), env.get("PGBACKREST_PG1_USER")), name
        assert PROD_SECRETS["POSTGRES_PASSWORD"] not in " ".join(map(str, env.values())), name
    # The database creates the roles on its first start: postgres/initdb/, mounted or in the image.
    db = services["db"]
    assert {"DB_OWNER_USER", "DB_APP_USER", "DB_EXPORTER_USER"} <= set(db["environment"])
    mounts = {v["target"]: v["source"] for v in db.get("volumes", [])}
    dockerfile = Path(db["build"]["context"]) / db["build"]["dockerfile"]
    assert mounts.get("/docker-entrypoint-initdb.d", "").endswith("postgres/initdb") or (
        "COPY postgres/initdb/ /docker-entrypoint-initdb.d/" in dockerfile.read_text()
    )
