"""What a newcomer runs first: the README's two commands, on a clean clone, and nothing else.

The only help the test gives: COMPOSE_FILE adds the two generated overrides (stand-in images,
ports in the test's range), HOST_ROOT points at a shared view of / (see stacks.py), and the
images are built beforehand with BuildKit from the clone, under the tags compose gives them.
That last step stands in for `docker compose up` building them itself: here Compose has no
buildx and falls back to the classic builder, which refuses the Dockerfiles' `RUN --mount`; on
a machine with Docker Desktop or the buildx plugin, `up` builds them with BuildKit.
Then the deployment page's troubleshooting commands (`ps -a`, `logs`, `exec`) run against it.
"""

from __future__ import annotations

import re
import shlex
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from .engine import Engine, docker_client
from .stacks import (
    ONE_SHOT,
    REPO,
    Stack,
    build_services,
    compose_config,
    ports_override,
    shared_host_root,
    standins_override,
    wait_for_http,
)

FIRST_PORT = 33200


def readme_commands() -> list[str]:
    """The commands of the README's "The two commands" block, without their comments."""
    readme = (REPO / "README.md").read_text()
    block = re.search(r"## The two commands\s+```sh\n(.*?)```", readme, re.S)
    assert block, "README.md has no 'The two commands' block"
    return [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_the_readme_starts_with_two_commands() -> None:
    assert readme_commands() == ["cp .env.example .env", "docker compose up"]


@dataclass
class Newcomer:
    """A clean clone with `docker compose up` running in the foreground."""

    clone: Path
    env: dict[str, str]
    stack: Stack
    up: subprocess.Popen[str] | None = None

    def shell(self, command: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """One command as a person types it, in the clone."""
        return subprocess.run(
            ["bash", "-c", command],
            cwd=self.clone,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


@pytest.fixture(scope="module")
def newcomer(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Newcomer]:
    work = tmp_path_factory.mktemp("containers-newcomer")
    clone = work / "newcomer"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
    with shared_host_root() as host_root:
        config = compose_config(engine, clone, ["compose.yaml"], {})
        build_services(engine, config)
        (work / "standins.override.yml").write_text(standins_override(config, set()))
        ports_text, ports = ports_override(config, FIRST_PORT)
        (work / "ports.override.yml").write_text(ports_text)
        overrides = f"{work / 'standins.override.yml'}:{work / 'ports.override.yml'}"
        env = {
            **engine.env,
            "COMPOSE_FILE": f"compose.yaml:{overrides}",
            "HOST_ROOT": str(host_root),
            # `docker` is the client that talks to the private engine.
            "PATH": f"{Path(docker_client()).parent}:{engine.env.get('PATH', '')}",
        }
        person = Newcomer(clone, env, Stack(engine, "newcomer", clone, [], env, ports))
        with (work / "compose-up.log").open("w") as log:
            try:
                first, second = readme_commands()
                assert person.shell(first).returncode == 0
                person.up = subprocess.Popen(
                    shlex.split(second),
                    cwd=clone,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    text=True,
                )
                services = set(compose_config(engine, clone, [], env)["services"])
                person.stack.wait_until_healthy(services)
                yield person
            finally:
                if person.up is not None and person.up.poll() is None:
                    person.up.send_signal(signal.SIGINT)
                    try:
                        person.up.wait(timeout=90)
                    except subprocess.TimeoutExpired:
                        person.up.kill()
                person.stack.down()


def test_the_app_answers_on_nginx(newcomer: Newcomer) -> None:
    stack = newcomer.stack
    page = wait_for_http(stack.url("nginx", 8080) + "/")
    assert page.status_code == 200
    assert '<div id="root">' in page.text


def test_ps_shows_every_service_healthy_and_the_one_shot_jobs_exited_0(
    newcomer: Newcomer,
) -> None:
    result = newcomer.shell("docker compose ps -a")
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines()[1:] if line.strip()}
    one_shot = {f"newcomer-{service}-1" for service in ONE_SHOT}
    for name in one_shot:
        assert "Exited (0)" in lines[name], lines.get(name)
    for name, line in lines.items():
        if name not in one_shot:
            assert "(healthy)" in line, line


def test_logs_follow_one_request_across_nginx_and_backend(newcomer: Newcomer) -> None:
    stack = newcomer.stack
    request_id = "newcomer0123456789"
    response = httpx.get(
        stack.url("nginx", 8080) + "/api/v1/items", headers={"X-Request-ID": request_id}
    )
    assert response.headers["x-request-id"] == request_id
    result = newcomer.shell(f"docker compose logs nginx backend | grep {request_id}")
    services = {line.split()[0].rsplit("-", 1)[0] for line in result.stdout.splitlines()}
    assert services == {"nginx", "backend"}, result.stdout


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (
            'set -a; . ./.env; docker compose exec db psql -U "$POSTGRES_USER" "$POSTGRES_DB"'
            ' -c "select count(*) from alembic_version"',
            "(1 row)",
        ),
        (
            "docker compose exec backend python -c \"import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:8000/metrics').read().decode())\"",
            "http_request",
        ),
        (
            "docker compose exec nginx wget -qO- http://127.0.0.1:8081/stub_status",
            "Active connections",
        ),
        ("docker compose exec nginx nginx -T", "server_name"),
        ("docker compose exec alertmanager cat /alertmanager/alertmanager.yml", "receivers"),
    ],
)
def test_the_troubleshooting_commands_work(newcomer: Newcomer, command: str, expected: str) -> None:
    result = newcomer.shell(command)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout


def test_ctrl_c_stops_the_stack(newcomer: Newcomer) -> None:
    """Last: the foreground `docker compose up` stops every container on Ctrl-C."""
    up = newcomer.up
    assert up is not None
    assert up.poll() is None, "docker compose up exited on its own"
    up.send_signal(signal.SIGINT)
    assert up.wait(timeout=90) in (0, 130)
    result = newcomer.shell("docker compose ps --status running --quiet")
    assert result.stdout.strip() == ""
