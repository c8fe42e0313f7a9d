"""A stand-in production server for the deploy tests, on the private Docker engine.

A local registry (Debian's `docker-registry`) stands in for GHCR. The images are built from
this checkout on the stand-in base images of tests/containers and pushed to it named and
tagged as images.yml names and tags them (<registry>/<owner>/<repo>/backend:<full SHA>).
The "server" is a folder holding docker-compose.prod.yml and the file it extends, a test override
(published port, plain HTTP, the stand-in PostgreSQL) and a .env, where scripts/deploy.sh runs as
on a server.
"""

from __future__ import annotations

import contextlib
import hashlib
import random
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.containers.engine import Engine
from tests.containers.stacks import base_image_args
from tests.containers.standins import ensure_standins
from tests.edge.repo_files import PROD_COMPOSE, extended_files

REPO = Path(__file__).resolve().parents[2]
# Ports of this suite (34000-34999): the registry and the site's published nginx port.
PORT_RANGE = range(34000, 35000)
OWNER_REPO = "acme/webapp"
BASE_IMAGE_ARG = re.compile(r"^ARG \w+_IMAGE=(\S+)", re.M)


def fake_sha(name: str) -> str:
    """A full, commit-shaped SHA for a version the test builds (`name` makes it unique)."""
    return hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest()


def free_port(skip: frozenset[int] = frozenset()) -> int:
    """A port of this suite's range that nothing holds now, picked at random: the range lies
    inside Linux's ephemeral ports, so the first free one is the likeliest to be taken by a
    connection or a port-0 listener before Docker binds it."""
    ports = [port for port in PORT_RANGE if port not in skip]
    random.shuffle(ports)
    for port in ports:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORT_RANGE}")


@contextlib.contextmanager
def local_registry() -> Iterator[str]:
    """`docker-registry serve` on 127.0.0.1 with its own storage; yields host:port."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="cicd-registry-") as tmp:
        config = Path(tmp) / "config.yml"
        config.write_text(
            "version: 0.1\n"
            "log: {level: warn}\n"
            f"storage: {{filesystem: {{rootdirectory: {tmp}/data}}, delete: {{enabled: true}}}}\n"
            f"http: {{addr: '127.0.0.1:{port}'}}\n"
        )
        log = (Path(tmp) / "registry.log").open("wb")
        process = subprocess.Popen(
            ["docker-registry", "serve", str(config)], stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 20
            while True:
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"http://127.0.0.1:{port}/v2/", timeout=1).status_code == 200:
                        break
                if process.poll() is not None or time.monotonic() > deadline:
                    output = Path(log.name).read_text()
                    raise RuntimeError(f"docker-registry did not start: {output}")
                time.sleep(0.2)
            yield f"127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(timeout=10)
            log.close()


def base_images(dockerfile: Path) -> list[str]:
    """The official base images a Dockerfile names in its `ARG *_IMAGE=` lines."""
    return BASE_IMAGE_ARG.findall(dockerfile.read_text())


@dataclass
class Images:
    """What the test pushed: the repository and a tag per version."""

    repository: str  # <registry>/<owner>/<repo>, as IMAGE_REPOSITORY in .env

    def name(self, component: str, sha: str) -> str:
        return f"{self.repository}/{component}:{sha}"


def build_and_push(engine: Engine, registry: str, versions: dict[str, str]) -> Images:
    """The backend image of each version (GIT_COMMIT = its SHA) and one front-end image tagged
    with every SHA (the front end did not change between these commits), pushed."""
    images = Images(f"{registry}/{OWNER_REPO}")
    backend = REPO / "backend" / "Dockerfile"
    frontend = REPO / "frontend" / "Dockerfile"
    ensure_standins(engine, [*base_images(backend), *base_images(frontend)])
    backend_args, frontend_args = base_image_args(backend), base_image_args(frontend)
    first = next(iter(versions.values()))
    engine.build(
        REPO,
        images.name("frontend", first),
        dockerfile=REPO / "frontend" / "Dockerfile",
        target="runtime",
        build_args={**frontend_args, "GIT_COMMIT": first},
    )
    for sha in versions.values():
        engine.build(
            REPO / "backend",
            images.name("backend", sha),
            target="runtime",
            build_args={**backend_args, "GIT_COMMIT": sha, "VERSION": sha[:12]},
            labels={"org.opencontainers.image.revision": sha},
        )
        if sha != first:
            engine.docker("tag", images.name("frontend", first), images.name("frontend", sha))
        for component in ("backend", "frontend"):
            engine.docker("push", "--quiet", images.name(component, sha), timeout=600)
    return images


def push_derived(
    engine: Engine,
    images: Images,
    base_sha: str,
    sha: str,
    *,
    backend: str | None = None,
    frontend: str | None = None,
    files: dict[str, str] | None = None,
) -> None:
    """A version made from `base_sha`'s images: a component given Dockerfile lines is rebuilt
    FROM its image plus those lines (a version that differs on purpose), the other one is the
    same image tagged again."""
    for component, body in (("backend", backend), ("frontend", frontend)):
        base = images.name(component, base_sha)
        if body is None:
            engine.docker("tag", base, images.name(component, sha))
        else:
            with tempfile.TemporaryDirectory(prefix="cicd-derived-") as tmp:
                context = Path(tmp)
                (context / "Dockerfile").write_text(f"ARG BASE\nFROM ${{BASE}}\n{body}\n")
                for name, text in (files or {}).items():
                    (context / name).write_text(text)
                engine.build(context, images.name(component, sha), build_args={"BASE": base})
        engine.docker("push", "--quiet", images.name(component, sha), timeout=600)


DB_IMAGE = "app-db:15.13"
# What a server holds of compose (docs/deployment.md): the production file and those it extends.
SERVER_COMPOSE_FILES = [PROD_COMPOSE, *sorted(extended_files(PROD_COMPOSE))]

OVERRIDE = """\
# The test's differences from a real server: the stand-in PostgreSQL and Redis, nginx on a
# loopback port over plain HTTP (no certificates), and nothing else.
services:
  db:
    image: {postgres}
    pull_policy: never
  redis:
    image: {redis}
    pull_policy: never
  nginx:
    ports: !override
      - "127.0.0.1:{port}:8080"
    environment:
      NGINX_SITE: http
"""


@dataclass
class Server:
    """The folder a deploy runs in, and how to run the scripts there."""

    engine: Engine
    path: Path
    url: str
    images: Images

    def script(
        self, name: str, *args: str, timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        return self.engine.run(
            ["bash", str(REPO / "scripts" / name), *args],
            cwd=self.path,
            env={"DEPLOY_ACTOR": "pytest"},
            check=False,
            timeout=timeout,
        )

    def logs(self, service: str, tail: int = 40) -> str:
        """The service's last log lines other than successful requests."""
        result = self.engine.run(
            ["docker", "compose", "logs", "--no-color", "--timestamps", service],
            cwd=self.path,
            check=False,
        )
        lines = (result.stdout + result.stderr).splitlines()
        return "\n".join([line for line in lines if '"status":200' not in line][-tail:])

    def history(self) -> list[list[str]]:
        path = self.path / "deploy-history.tsv"
        lines = path.read_text().splitlines() if path.exists() else []
        return [line.split("\t") for line in lines]

    def env_value(self, key: str) -> str:
        values = re.findall(rf"^{key}=(.*)$", (self.path / ".env").read_text(), re.M)
        return values[-1]

    def answering_commit(self) -> str:
        return str(httpx.get(f"{self.url}/health", timeout=5).json()["commit"])


@contextlib.contextmanager
def server(engine: Engine, images: Images, registry_port: int) -> Iterator[Server]:
    port = free_port({registry_port})
    standins = ensure_standins(engine, ["postgres:15.13-bookworm", "redis:7.0.15-bookworm"])
    redis = standins["redis:7.0.15-bookworm"]
    # The production database image (pgBackRest, the shared settings, the roles' init script),
    # built as the server builds it, on the stand-in base.
    dockerfile = REPO / "postgres" / "Dockerfile"
    postgres = DB_IMAGE
    engine.build(REPO, postgres, dockerfile=dockerfile, build_args=base_image_args(dockerfile))
    with tempfile.TemporaryDirectory(prefix="cicd-server-") as tmp:
        path = Path(tmp)
        # The production file and the one it extends (the monitoring services).
        for compose_file in SERVER_COMPOSE_FILES:
            shutil.copy(compose_file, path)
        # The repository's folders the started services mount, as on a server (deployment.md).
        shutil.copytree(REPO / "postgres", path / "postgres")
        (path / "docker-compose.test.yml").write_text(
            OVERRIDE.format(postgres=postgres, redis=redis, port=port)
        )
        for folder in ("tls", "acme"):
            (path / folder).mkdir()
        (path / ".env").write_text(
            "COMPOSE_PROJECT_NAME=cicddeploy\n"
            "COMPOSE_FILE=docker-compose.prod.yml:docker-compose.test.yml\n"
            f"DEPLOY_CHECK_URL=http://127.0.0.1:{port}\n"
            "DEPLOY_READY_TIMEOUT=30\n"
            f"IMAGE_REPOSITORY={images.repository}\n"
            "IMAGE_TAG=none-yet\n"
            "BACKEND_REPLICAS=2\n"
            "WEB_WORKERS=1\n"
            "SECRET_KEY=deploy-test-secret-key-deploy-test-secret-key-0123\n"
            "POSTGRES_USER=app\nPOSTGRES_PASSWORD=deploy-test-password\nPOSTGRES_DB=app\n"
            "FIRST_ADMIN_EMAIL=admin@example.com\nFIRST_ADMIN_PASSWORD=deploy-test-admin-pw\n"
            "DOMAIN=localhost\n"
            f"TLS_CERTIFICATES_DIR={path}/tls\nACME_WEBROOT={path}/acme\n"
            "ALERT_WEBHOOK_URL=http://127.0.0.1:9/alert\nWATCHDOG_WEBHOOK_URL=http://127.0.0.1:9/w\n"
            "GRAFANA_ADMIN_PASSWORD=unused-here\n"
            # The database's roles (postgres/initdb/10-roles.sh): prestart migrates as the owner,
            # the backend reads and writes as the app role.
            "DB_OWNER_USER=app_owner\nDB_OWNER_PASSWORD=deploy-test-owner-pw\n"
            "DB_APP_USER=app_user\nDB_APP_PASSWORD=deploy-test-app-pw\n"
            "DB_EXPORTER_USER=app_exporter\nDB_EXPORTER_PASSWORD=deploy-test-exporter-pw\n"
        )
        # Every other variable the production file requires: its services do not run here.
        text = (path / ".env").read_text()
        required = {
            name
            for compose_file in SERVER_COMPOSE_FILES
            for name in re.findall(r"\$\{(\w+):\?", compose_file.read_text())
        }
        missing = sorted({name for name in required if f"\n{name}=" not in f"\n{text}"})
        (path / ".env").write_text(text + "".join(f"{name}=unused-here\n" for name in missing))
        try:
            yield Server(engine, path, f"http://127.0.0.1:{port}", images)
        finally:
            engine.run(
                ["docker", "compose", "down", "-v", "-t", "5"], cwd=path, check=False, timeout=120
            )


@contextlib.contextmanager
def ssh_server(engine: Engine, skip: frozenset[int]) -> Iterator[dict[str, str]]:
    """OpenSSH's sshd on 127.0.0.1 letting one new key in as root, its sessions pointed at the
    private engine; yields the variables deploy.yml gives scripts/remote-deploy.sh."""
    port = free_port(skip)
    with tempfile.TemporaryDirectory(prefix="cicd-sshd-") as tmp:
        here = Path(tmp)
        for name in ("host", "client"):
            subprocess.run(
                ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(here / name)],
                check=True,
            )
        (here / "authorized_keys").write_text((here / "client.pub").read_text())
        (here / "sshd_config").write_text(
            f"Port {port}\nListenAddress 127.0.0.1\nHostKey {here}/host\n"
            f"AuthorizedKeysFile {here}/authorized_keys\nPidFile {here}/sshd.pid\n"
            "PermitRootLogin prohibit-password\nPasswordAuthentication no\n"
            "KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n"
            f"SetEnv DOCKER_HOST={engine.env['DOCKER_HOST']} "
            f"DOCKER_CONFIG={engine.env['DOCKER_CONFIG']}\n"
        )
        Path("/run/sshd").mkdir(exist_ok=True)
        log = (here / "sshd.log").open("wb")
        process = subprocess.Popen(
            ["/usr/sbin/sshd", "-D", "-e", "-f", str(here / "sshd_config")],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 10
            while True:
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                    break
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"sshd did not start: {(here / 'sshd.log').read_text()}")
                time.sleep(0.1)
            host_key = (here / "host.pub").read_text().split()[:2]
            yield {
                "DEPLOY_HOST": "127.0.0.1",
                "DEPLOY_PORT": str(port),
                "DEPLOY_USER": "root",
                "DEPLOY_SSH_KEY": (here / "client").read_text(),
                "DEPLOY_KNOWN_HOSTS": f"[127.0.0.1]:{port} {' '.join(host_key)}",
            }
        finally:
            process.terminate()
            process.wait(timeout=10)
            log.close()
