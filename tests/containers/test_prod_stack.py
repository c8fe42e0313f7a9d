"""docker-compose.prod.yml on a real engine: production settings, a self-signed certificate.

The backend and front-end images are the ones the Dockerfiles build (tagged as CI would push
them), on the stand-in bases; the overrides only swap the official images and move the
published ports to loopback ports of the test's range.
"""

from __future__ import annotations

import os
import secrets
import signal
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.edge.api_client import sign_up_and_log_in

from .engine import Engine, docker_client
from .stacks import (
    DEV,
    PROD,
    REPO,
    Stack,
    build_services,
    compose_config,
    left_out,
    shared_host_root,
    start_stack,
)
from .test_dev_stack import (
    assert_postgres_processes_measured,
    expected_jobs,
    wait_for_targets_up,
)

FIRST_PORT = 33100
PROJECT = "containers-prod"
REPOSITORY = "registry.test/app"
TAG = "0123456789abcdef0123456789abcdef01234567"
ADMIN_EMAIL = "ops@example.com"
ADMIN_PASSWORD = secrets.token_urlsafe(18)


def site(stack: Stack, port: int, scheme: str = "http") -> str:
    """nginx by the site's name (DOMAIN=localhost): it answers no other Host or TLS name."""
    return stack.url("nginx", port, scheme).replace("127.0.0.1", "localhost")


def self_signed_certificate(directory: Path) -> Path:
    """fullchain.pem and privkey.pem for localhost and 127.0.0.1, readable by nginx (uid 101)."""
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", str(directory / "privkey.pem"),
            "-out", str(directory / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    directory.chmod(0o755)
    for name in ("privkey.pem", "fullchain.pem"):
        (directory / name).chmod(0o644)
    return directory / "fullchain.pem"


def production_env(work: Path, host_root: Path) -> dict[str, str]:
    tls, acme = work / "tls", work / "acme"
    tls.mkdir()
    acme.mkdir()
    self_signed_certificate(tls)
    acme.chmod(0o755)
    return {
        "COMPOSE_PROFILES": "",
        "IMAGE_REPOSITORY": REPOSITORY,
        "IMAGE_TAG": TAG,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "FIRST_ADMIN_EMAIL": ADMIN_EMAIL,
        "FIRST_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "POSTGRES_USER": "app",
        "POSTGRES_PASSWORD": secrets.token_urlsafe(18),
        "POSTGRES_DB": "app",
        # The database's roles (postgres/initdb/10-roles.sh).
        "DB_OWNER_USER": "app_owner",
        "DB_OWNER_PASSWORD": secrets.token_urlsafe(18),
        "DB_APP_USER": "app_user",
        "DB_APP_PASSWORD": secrets.token_urlsafe(18),
        "DB_EXPORTER_USER": "app_exporter",
        "DB_EXPORTER_PASSWORD": secrets.token_urlsafe(18),
        "DOMAIN": "localhost",
        "TLS_CERTIFICATES_DIR": str(tls),
        "ACME_WEBROOT": str(acme),
        # Nothing listens there: deliveries fail, as in any test without a pager.
        "ALERT_WEBHOOK_URL": "http://127.0.0.1:9/pager",
        "WATCHDOG_WEBHOOK_URL": "http://127.0.0.1:9/deadman",
        "GRAFANA_ADMIN_PASSWORD": secrets.token_urlsafe(18),
        # The backup repository as .env.example sets it (MinIO on the server). MinIO is left out
        # here (no stand-in), so the database starts with its stanza not yet created.
        "BACKUP_ENCRYPTION_KEY": secrets.token_urlsafe(32),
        "BACKUP_S3_ENDPOINT": "minio",
        "BACKUP_S3_PORT": "9000",
        "BACKUP_S3_BUCKET": "backups",
        "BACKUP_S3_REGION": "us-east-1",
        "BACKUP_S3_CA_FILE": "/etc/backup-ca/ca.pem",
        "BACKUP_S3_ACCESS_KEY": "backup",
        "BACKUP_S3_SECRET_KEY": secrets.token_urlsafe(18),
        "HOST_ROOT": str(host_root),
        "BACKEND_REPLICAS": "2",
    }


def tag_release_images(engine: Engine) -> set[str]:
    """The backend and front-end images as CI pushes them: built from the Dockerfiles."""
    config = compose_config(engine, REPO, [DEV], {})
    build_services(engine, config)
    tags = set()
    for service, name in (("backend", "backend"), ("nginx", "frontend")):
        tag = f"{REPOSITORY}/{name}:{TAG}"
        engine.docker("tag", config["services"][service]["image"], tag)
        tags.add(tag)
    return tags


@pytest.fixture(scope="module")
def work_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="containers-prod-") as work:
        yield Path(work)


@pytest.fixture(scope="module")
def prod_env(work_dir: Path) -> Iterator[dict[str, str]]:
    with shared_host_root() as host_root:
        yield production_env(work_dir, host_root)


@pytest.fixture(scope="module")
def release_images(engine: Engine) -> set[str]:
    return tag_release_images(engine)


@pytest.fixture(scope="module")
def prod_stack(
    engine: Engine, prod_env: dict[str, str], release_images: set[str], work_dir: Path
) -> Iterator[Stack]:
    stack = start_stack(
        engine,
        project=PROJECT,
        project_dir=REPO,
        compose_file=PROD,
        env=prod_env,
        first_port=FIRST_PORT,
        work_dir=work_dir,
        local_images=release_images,
    )
    try:
        stack.wait_until_healthy(
            set(compose_config(engine, REPO, stack.files, prod_env)["services"])
        )
        yield stack
    finally:
        stack.down()


@pytest.fixture(scope="module")
def tls_context(prod_env: dict[str, str]) -> ssl.SSLContext:
    return ssl.create_default_context(
        cafile=str(Path(prod_env["TLS_CERTIFICATES_DIR"]) / "fullchain.pem")
    )


@pytest.mark.parametrize("secret", ["SECRET_KEY", "POSTGRES_PASSWORD", "FIRST_ADMIN_PASSWORD"])
def test_refuses_to_start_without_a_secret(
    engine: Engine, prod_env: dict[str, str], release_images: set[str], secret: str
) -> None:
    env = {**prod_env}
    env.pop(secret)
    project = "containers-prod-refuses"
    result = engine.run(
        [
            docker_client(),
            "compose",
            "-p",
            project,
            "-f",
            PROD,
            "up",
            "-d",
            "--no-build",
            "--pull",
            "never",
        ],
        cwd=REPO,
        env={**env, secret: ""},
        check=False,
    )
    assert result.returncode != 0
    assert f"set {secret}" in result.stderr
    listed = engine.docker("ps", "-aq", "--filter", f"label=com.docker.compose.project={project}")
    assert listed.stdout.strip() == ""


def test_the_backend_refuses_the_development_secret(
    engine: Engine, prod_env: dict[str, str], prod_stack: Stack, work_dir: Path
) -> None:
    """A secret set, but to the .env.example default: prestart exits non-zero, nothing serves."""
    env = {**prod_env, "SECRET_KEY": "changethis"}
    result = engine.run(
        [
            docker_client(), "compose", "-p", "containers-prod-default", "-f", PROD,
            "-f", str(work_dir / "standins.override.yml"),
            "run", "--rm", "--no-deps", "prestart",
        ],
        cwd=REPO,
        env=env,
        check=False,
        timeout=120,
    )  # fmt: skip
    try:
        assert result.returncode != 0
        assert "SECRET_KEY is the development default" in result.stdout + result.stderr
    finally:
        engine.run(
            [docker_client(), "compose", "-p", "containers-prod-default", "-f", PROD, "down", "-v"],
            cwd=REPO,
            env=env,
            check=False,
        )


def test_serves_https_with_the_security_headers(
    prod_stack: Stack, tls_context: ssl.SSLContext
) -> None:
    response = httpx.get(site(prod_stack, 8443, "https") + "/", verify=tls_context, timeout=10)
    assert response.status_code == 200
    assert '<div id="root">' in response.text
    headers = response.headers
    assert headers["strict-transport-security"].startswith("max-age=")
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert "server" not in headers or "/" not in headers["server"]


def test_plain_http_redirects_to_https(prod_stack: Stack) -> None:
    response = httpx.get(site(prod_stack, 8080) + "/items?x=1", timeout=10)
    assert response.status_code == 301
    assert response.headers["location"] == "https://localhost/items?x=1"


def test_the_app_works_over_https(prod_stack: Stack, tls_context: ssl.SSLContext) -> None:
    with httpx.Client(
        base_url=site(prod_stack, 8443, "https"), verify=tls_context, timeout=10
    ) as client:
        token = sign_up_and_log_in(client)
        headers = {"Authorization": f"Bearer {token}"}
        assert client.post("/api/v1/items", json={"title": "x"}, headers=headers).status_code == 201
        admin = client.post(
            "/api/v1/auth/login", data={"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
        )
        assert admin.status_code == 200, "prestart did not create the first admin"
        assert client.get("/metrics").status_code == 404


def test_only_nginx_and_the_loopback_uis_are_published(
    engine: Engine, prod_stack: Stack, prod_env: dict[str, str]
) -> None:
    published = {
        c["Service"]
        for c in prod_stack.containers()
        if any(p.get("PublishedPort") for p in c.get("Publishers") or [])
    }
    assert published == {"nginx", "prometheus", "alertmanager"}
    # In the file itself (before the test moves the ports): the UIs on the server's loopback.
    services = compose_config(engine, REPO, [PROD], prod_env)["services"]
    for name in ("prometheus", "alertmanager", "grafana"):
        assert {p["host_ip"] for p in services[name]["ports"]} == {"127.0.0.1"}, name
    assert all(not p.get("host_ip") for p in services["nginx"]["ports"])


def test_prometheus_scrapes_both_backend_replicas(
    engine: Engine, prod_stack: Stack, prod_env: dict[str, str]
) -> None:
    every = compose_config(engine, REPO, [PROD], prod_env)["services"]
    skipped = set(left_out(every))
    targets = wait_for_targets_up(prod_stack, backends=2, left_out=skipped)
    assert {t["labels"]["job"] for t in targets} == expected_jobs(skipped)
    assert len({t["labels"]["instance"] for t in targets if t["labels"]["job"] == "backend"}) == 2
    # Hardened (no capability, read-only root), process-exporter still reads the database's.
    assert_postgres_processes_measured(prod_stack)


def backend_containers(stack: Stack) -> list[dict[str, Any]]:
    return sorted(
        (c for c in stack.containers() if c["Service"] == "backend"), key=lambda c: c["Name"]
    )


def test_survives_a_killed_backend_container(
    engine: Engine, prod_stack: Stack, tls_context: ssl.SSLContext
) -> None:
    """The backend's process dies (a crash, the OOM killer): nginx answers from the other
    replica meanwhile, and the restart policy brings the container back. (`docker kill` would
    count as a manual stop, which restart policies respect.)"""
    victim = backend_containers(prod_stack)[0]["Name"]
    pid = int(engine.docker("inspect", "-f", "{{.State.Pid}}", victim).stdout)
    os.kill(pid, signal.SIGKILL)
    with httpx.Client(
        base_url=site(prod_stack, 8443, "https"), verify=tls_context, timeout=10
    ) as client:
        statuses = [client.get("/health/ready").status_code for _ in range(20)]
    assert statuses == [200] * 20, "nginx did not fail over to the other replica"
    # `restart: unless-stopped` brings it back.
    deadline = time.monotonic() + 90
    while True:
        state = engine.docker(
            "inspect", "-f", "{{.RestartCount}} {{.State.Health.Status}}", victim
        ).stdout.split()
        if int(state[0]) >= 1 and state[1] == "healthy":
            break
        assert time.monotonic() < deadline, f"{victim} not back: {state}"
        time.sleep(2)


def test_survives_compose_restart_backend(prod_stack: Stack, tls_context: ssl.SSLContext) -> None:
    prod_stack.compose("restart", "backend", timeout=300)
    prod_stack.wait_until_healthy({"backend", "nginx"}, timeout=180)
    with httpx.Client(
        base_url=site(prod_stack, 8443, "https"), verify=tls_context, timeout=10
    ) as client:
        statuses = [client.get("/health/ready").status_code for _ in range(10)]
        assert statuses == [200] * 10
        login = client.post(
            "/api/v1/auth/login", data={"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
        )
        assert login.status_code == 200
