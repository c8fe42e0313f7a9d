"""docker-compose.prod.yml on a real engine: production settings, a self-signed certificate.

The backend and front-end images are the ones the Dockerfiles build (tagged as CI would push
them), on the stand-in bases; the overrides only swap the official images and move the
published ports to loopback ports of the test's range.
"""

from __future__ import annotations

import json
import os
import re
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
        "DB_BACKUP_USER": "app_backup",
        "DB_BACKUP_PASSWORD": secrets.token_urlsafe(18),
        "DOMAIN": "localhost",
        "TLS_CERTIFICATES_DIR": str(tls),
        "ACME_WEBROOT": str(acme),
        # Nothing listens there: deliveries fail, as in any test without a pager.
        "ALERT_WEBHOOK_URL": "http://127.0.0.1:9/pager",
        "WATCHDOG_WEBHOOK_URL": "http://127.0.0.1:9/deadman",
        "GRAFANA_ADMIN_PASSWORD": secrets.token_urlsafe(18),
        # The backup repository as .env.example sets it (MinIO on the server, its stand-in here).
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


def status_sections(report: str) -> dict[str, list[str]]:
    """scripts/status.py's report: each section's title -> its `ok` and `FAIL` lines."""
    sections: dict[str, list[str]] = {}
    title = ""
    for line in report.splitlines():
        if line and not line.startswith(" "):
            title = line
            sections[title] = []
        elif line.strip().startswith(("ok ", "FAIL ")):
            sections.setdefault(title, []).append(line.strip())
    return sections


def section(sections: dict[str, list[str]], title: str) -> list[str]:
    [lines] = [lines for name, lines in sections.items() if name.startswith(title)]
    assert lines, f"section {title!r} is empty: {sections}"
    return lines


def test_the_daily_status_check_sees_every_service_healthy_and_every_target_up(
    engine: Engine, prod_stack: Stack, prod_env: dict[str, str]
) -> None:
    """docs/runbook.md's daily check, run as on the server: in the compose file's folder, with
    the project's COMPOSE_* settings (.env's there) and the loopback UIs (moved by the test)."""
    every = compose_config(engine, REPO, [PROD], prod_env)["services"]
    skipped = set(left_out(every))
    targets = wait_for_targets_up(prod_stack, backends=2, left_out=skipped)
    env = {
        **prod_stack.env,
        "COMPOSE_PROJECT_NAME": prod_stack.project,
        "COMPOSE_FILE": os.pathsep.join(prod_stack.files),
        "PROMETHEUS_URL": prod_stack.url("prometheus", 9090),
        "ALERTMANAGER_URL": prod_stack.url("alertmanager", 9093),
    }
    argv = ["python3", "scripts/status.py", "--compose"]
    result = engine.run(argv, cwd=REPO, env=env, check=False, timeout=120)
    report = result.stdout + result.stderr
    sections = status_sections(result.stdout)

    containers = section(sections, "containers")
    assert {line.split()[1] for line in containers} == {
        c["Name"] for c in prod_stack.containers()
    }, report
    assert all(line.startswith("ok ") for line in containers), report
    assert any("prestart" in line and "exited" in line for line in containers), report

    exporters = section(sections, "services")
    assert all(line.startswith("ok ") for line in exporters), report
    assert {line.split(":")[0].split(None, 1)[1] for line in exporters} == {
        "backend replicas up",
        "PostgreSQL accepting connections",
        "nginx answering stub_status",
    }, report

    scraped = section(sections, "scrape targets")
    assert all(line.startswith("ok ") for line in scraped), report
    assert len(scraped) == len(targets), report
    assert {line.split()[1] for line in scraped} == expected_jobs(skipped), report


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


# --- Backups: MinIO (its stand-in, a real S3 server with TLS), the bucket, the schedule -------


def backup_tool(stack: Stack, *args: str) -> dict[str, Any]:
    """`python3 -m backup ARGS` in the running `backup` container, as an operator runs it; its
    JSON line."""
    result = stack.compose(
        "exec", "-T", "backup", "python3", "-m", "backup", *args, check=False, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    line: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return line


def backup_metrics(stack: Stack) -> dict[tuple[str, str], float]:
    """node-exporter's textfile, as the schedule left it: (metric, type) -> value."""
    text = stack.compose(
        "exec", "-T", "backup", "cat", "/var/lib/backup-metrics/backup.prom"
    ).stdout
    found = re.findall(r'^(\w+)\{stanza="app",type="(\w+)"\} (\S+)$', text, re.MULTILINE)
    return {(name, kind): float(value) for name, kind, value in found}


def test_the_schedule_backs_up_and_the_backups_restore(
    engine: Engine, prod_stack: Stack, prod_env: dict[str, str], tls_context: ssl.SSLContext
) -> None:
    """The backup services as production runs them (hardened, the backup role): the schedule's
    first full backup, a triggered incremental one, `info`, `verify`, a logical dump, the
    metrics Prometheus reads; then a restore into a fresh volume that a new server starts on
    with the rows."""
    # The stack is healthy: the schedule created the stanza and took a full backup at once.
    first = [json.loads(line.split("| ", 1)[1]) for line in prod_stack.logs("backup").splitlines()
             if '"event": "full"' in line]  # fmt: skip
    assert [line["status"] for line in first][:1] == ["success"], prod_stack.logs("backup")
    with httpx.Client(
        base_url=site(prod_stack, 8443, "https"), verify=tls_context, timeout=10
    ) as client:
        token = sign_up_and_log_in(client)
        created = client.post(
            "/api/v1/items", json={"title": "kept by the backup"},
            headers={"Authorization": f"Bearer {token}"},
        )  # fmt: skip
        assert created.status_code == 201, created.text
    started = time.time()
    incremental = backup_tool(prod_stack, "backup", "incr")
    assert (incremental["event"], incremental["status"]) == ("incr", "success"), incremental

    info = backup_tool(prod_stack, "info", "--json")
    # (The schedule's own hourly run may add one, if the hour turns meanwhile.)
    kinds = [b["type"] for b in info["pgbackrest"]["backup"]]
    assert kinds[0] == "full", kinds
    assert "incr" in kinds
    assert info["pgbackrest"]["status"]["message"] == "ok"
    assert backup_tool(prod_stack, "verify")["status"] == "success"
    dump = backup_tool(prod_stack, "backup", "dump")
    assert dump["location"].startswith("s3://backups/pgbackrest/dumps/app/"), dump
    # As its own role, not the superuser (postgres/initdb/10-roles.sh).
    role = prod_stack.compose(
        "exec", "-T", "backup", "psql", "-d", prod_env["POSTGRES_DB"], "-tAc",
        "SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user",
    ).stdout.strip()  # fmt: skip
    assert role == "app_backup|f"

    metrics = backup_metrics(prod_stack)
    for kind in ("full", "incr", "dump"):
        assert metrics[("backup_last_run_success", kind)] == 1, kind
    assert metrics[("backup_last_success_timestamp_seconds", "incr")] >= started
    # node-exporter serves the file, Prometheus scrapes it (what BackupStale reads).
    query = prod_stack.url("prometheus", 9090) + "/api/v1/query"
    deadline = time.monotonic() + 90
    while True:
        result = httpx.get(
            query, params={"query": 'backup_last_success_timestamp_seconds{type="incr"}'},
            timeout=10,
        ).json()["data"]["result"]  # fmt: skip
        if result and float(result[0]["value"][1]) >= started:
            break
        assert time.monotonic() < deadline, f"Prometheus has no fresh incr success: {result}"
        time.sleep(3)

    titles = restore_into_a_fresh_volume(engine, prod_stack, "SELECT title FROM items")
    assert "kept by the backup" in titles


def restore_into_a_fresh_volume(engine: Engine, stack: Stack, query: str) -> list[str]:
    """`python3 -m backup restore` into a new volume (the backup image, its settings), then a
    server from the database image on it: it fetches WAL from the repository, promotes, and
    answers `query` (one column; its rows returned)."""
    config = compose_config(engine, REPO, stack.files, stack.env)["services"]
    image, env = config["backup"]["image"], config["backup"]["environment"]
    repository = {k: v for k, v in env.items() if k.startswith("PGBACKREST_REPO1_")}
    volume, server = f"{PROJECT}-restored", f"{PROJECT}-restored-db"
    mounts = ["-v", f"{volume}:/var/lib/postgresql/data",
              "-v", f"{PROJECT}_backup-ca:/etc/backup-ca:ro"]  # fmt: skip
    network = ["--network", f"{PROJECT}_data"]
    engine.docker("rm", "-f", server, check=False)
    engine.docker("volume", "rm", "-f", volume, check=False)
    engine.docker("volume", "create", volume)
    try:
        restore = engine.docker(
            "run", "--rm", "--user", "postgres", *network, *mounts,
            *[arg for k, v in env.items() for arg in ("-e", f"{k}={v}")],
            image, "python3", "-m", "backup", "restore",
            "--data-dir", "/var/lib/postgresql/data", "--archive-mode", "off",
            check=False, timeout=600,
        )  # fmt: skip
        assert restore.returncode == 0, restore.stdout + restore.stderr
        engine.docker(
            "run", "-d", "--name", server, *network, *mounts,
            *[arg for k, v in repository.items() for arg in ("-e", f"{k}={v}")],
            image,
        )  # fmt: skip
        user, database = stack.env["POSTGRES_USER"], stack.env["POSTGRES_DB"]
        psql = ["exec", server, "psql", "-U", user, "-d", database, "-tAc"]
        deadline = time.monotonic() + 180
        while True:
            ready = engine.docker(*psql, "SELECT pg_is_in_recovery()", check=False)
            if ready.stdout.strip() == "f":
                break
            if time.monotonic() > deadline:
                logs = engine.docker("logs", "--tail", "60", server, check=False)
                raise AssertionError(f"not promoted: {ready.stderr}\n{logs.stdout}{logs.stderr}")
            time.sleep(2)
        return engine.docker(*psql, query).stdout.split("\n")
    finally:
        engine.docker("rm", "-f", server, check=False)
        engine.docker("volume", "rm", "-f", volume, check=False)


def test_backup_state_encrypts_the_prometheus_snapshot_and_the_secrets(
    engine: Engine, prod_stack: Stack, prod_env: dict[str, str], work_dir: Path
) -> None:
    """scripts/backup-state.sh against the running stack: Prometheus's snapshot and `.env` with
    the certificates, each readable with the operators' key only. (Grafana, its third part, has
    no stand-in here.)"""
    state = work_dir / "state"
    server = state / "server"  # the folder of docker-compose.prod.yml on the server
    server.mkdir(parents=True)
    tls = Path(prod_env["TLS_CERTIFICATES_DIR"])
    (server / ".env").write_text(f"TLS_CERTIFICATES_DIR={tls}\nSECRET_KEY=kept-off-the-server\n")
    keys = {}
    for name in ("operators", "someone-else"):
        subprocess.run(["age-keygen", "-o", str(state / name)], check=True, capture_output=True)
        keys[name] = state / name
    recipient = subprocess.run(
        ["age-keygen", "-y", str(keys["operators"])], check=True, capture_output=True, text=True
    ).stdout.strip()
    compose = [docker_client(), "compose", "-p", PROJECT, "--project-directory", str(REPO)]
    compose += [arg for file in prod_stack.files for arg in ("-f", str(REPO / file))]
    result = engine.run(
        ["bash", str(REPO / "scripts/backup-state.sh"), str(state / "out"), recipient,
         "prometheus", "secrets"],
        cwd=server, env={**prod_env, "COMPOSE": " ".join(compose)}, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["status"] == "success"
    written = {p.name.split("-")[0]: p for p in (state / "out").iterdir()}
    assert set(written) == {"prometheus", "secrets"}

    def decrypt(part: str, key: Path) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(["age", "-d", "-i", str(key), str(written[part])],
                              capture_output=True, check=False)  # fmt: skip

    restored = state / "restored"
    restored.mkdir()
    secrets_tar = decrypt("secrets", keys["operators"])
    assert secrets_tar.returncode == 0, secrets_tar.stderr
    subprocess.run(["tar", "-xzf", "-", "-C", str(restored)], input=secrets_tar.stdout, check=True)
    back = restored / (server / ".env").relative_to("/")
    assert back.read_text() == (server / ".env").read_text()
    for name in ("fullchain.pem", "privkey.pem"):
        assert (restored / (tls / name).relative_to("/")).read_bytes() == (tls / name).read_bytes()
    snapshot = decrypt("prometheus", keys["operators"])
    assert snapshot.returncode == 0, snapshot.stderr
    listing = subprocess.run(["tar", "-tzf", "-"], input=snapshot.stdout, capture_output=True,
                             check=True).stdout.decode()  # fmt: skip
    assert re.search(r"^[^/]+/[0-9A-Z]{26}/meta\.json$", listing, re.MULTILINE), listing
    # The snapshot is not left on the server's volume.
    left = prod_stack.compose("exec", "-T", "prometheus", "ls", "/prometheus/snapshots")
    assert left.stdout.strip() == ""
    # Any other key: refused, and said so.
    for part in written:
        wrong = decrypt(part, keys["someone-else"])
        assert wrong.returncode != 0
        assert b"no identity matched any of the recipients" in wrong.stderr
