"""What the documents' commands are checked against, read from the repository itself: the
compose files (as the real Compose CLI resolves them), the Compose and Docker CLIs' own --help,
the Makefile, frontend/package.json, the Dockerfiles and the native stack's ports."""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stack.config import Ports
from tests.edge.repo_files import ENV_EXAMPLE, env_example, tool

from .doc_commands import REPO


@functools.cache
def compose_config(file: str) -> dict[str, Any]:
    """The model `docker compose -f FILE config` resolves, with .env.example's values and every
    profile's services (a documented `--profile x run svc` names one)."""
    argv = [tool("docker-compose"), "-f", str(REPO / file), "--env-file", str(ENV_EXAMPLE)]
    argv += ["--profile", "*"]
    clean_env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(REPO))}
    # .env.example leaves production's secrets empty, and the production file stops on an
    # empty one: the operator sets them on the server, so the model has a stand-in for each.
    clean_env |= {key: "set-on-the-server" for key, value in env_example().items() if not value}
    result = subprocess.run(
        [*argv, "config", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
        env=clean_env,
        cwd=REPO,
    )
    config: dict[str, Any] = json.loads(result.stdout)
    return config


@dataclass(frozen=True)
class Cli:
    """A command's usage and options as its --help prints them."""

    usage: str
    flags: dict[str, bool]  # every spelling (-a, --all) -> takes a value
    subcommands: frozenset[str]

    def positional_kinds(self) -> list[str]:
        """SERVICE, COMMAND, ... from the usage line, in order."""
        words = self.usage.split("[OPTIONS]", 1)[-1]
        return re.findall(r"[A-Z][A-Z_:]+", words)


_OPTION = re.compile(r"^\s+(?:(-\w), )?(--[\w-]+)(?: (\w+))?")
_SUBCOMMAND = re.compile(r"^\s{2}([a-z][\w-]*)\*?\s{2,}\S")


def _parse_help(text: str) -> Cli:
    usage = next((line for line in text.splitlines() if line.startswith("Usage:")), "")
    flags: dict[str, bool] = {"--help": False, "-h": False}
    subcommands = set()
    section = ""
    for line in text.splitlines():
        if line and not line.startswith(" "):
            section = line.lower()
            continue
        option = _OPTION.match(line)
        if option and "option" in section:
            short, long, kind = option.groups()
            takes_value = bool(kind) and kind != "bool"
            flags[long] = takes_value
            if short:
                flags[short] = takes_value
            continue
        sub = _SUBCOMMAND.match(line)
        if sub and "command" in section:
            subcommands.add(sub.group(1))
    return Cli(usage, flags, frozenset(subcommands))


@functools.cache
def cli_help(*argv: str) -> Cli:
    """`argv --help` of the Compose binary of the dev group, or of the Docker client."""
    program = tool("docker-compose") if argv[0] == "compose" else tool("docker")
    args = list(argv[1:])
    result = subprocess.run(
        [program, *args, "--help"],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root")},
    )
    return _parse_help(result.stdout + result.stderr)


@functools.cache
def make_targets() -> frozenset[str]:
    text = (REPO / "Makefile").read_text()
    return frozenset(re.findall(r"^([a-zA-Z][\w-]*):(?!=)", text, re.M))


@functools.cache
def npm_scripts() -> frozenset[str]:
    package = json.loads((REPO / "frontend" / "package.json").read_text())
    return frozenset(package["scripts"])


def native_ports() -> dict[str, int]:
    ports = Ports()
    return {field.name: getattr(ports, field.name) for field in dataclasses.fields(ports)}


@functools.cache
def published_ports() -> dict[str, set[int]]:
    """compose file -> host ports it publishes."""
    found: dict[str, set[int]] = {}
    for file in ("docker-compose.dev.yml", "docker-compose.prod.yml"):
        services = compose_config(file)["services"]
        found[file] = {
            int(port["published"])
            for service in services.values()
            for port in service.get("ports", [])
            if port.get("published")
        }
    found["compose.yaml"] = found["docker-compose.dev.yml"]
    return found


def _dockerfile_paths(dockerfile: Path, target: str | None) -> set[str]:
    """Paths the final (or `target`) stage's COPY/ADD and WORKDIR lines create."""
    stages: dict[str, set[str]] = {}
    current = ""
    for line in dockerfile.read_text().splitlines():
        words = line.split()
        if not words:
            continue
        keyword = words[0].upper()
        if keyword == "FROM":
            current = words[-1] if "AS" in (w.upper() for w in words) else str(len(stages))
            base = words[1]
            stages[current] = set(stages.get(base, set()))
        elif keyword in {"COPY", "ADD"}:
            args = [w for w in words[1:] if not w.startswith("--")]
            stages[current].add(args[-1].rstrip("/"))
        elif keyword == "WORKDIR":
            stages[current].add(words[1])
    chosen = stages.get(target or "") or list(stages.values())[-1]
    return {path for path in chosen if path.startswith("/")}


# Paths the third-party images hold that no compose file mounts (checked against the images'
# documentation; these images cannot be pulled here).
IMAGE_PATHS = {
    "postgres": {"/var/lib/postgresql/data", "/usr/lib/postgresql"},
    "prom/prometheus": {"/etc/prometheus", "/prometheus", "/bin/prometheus", "/bin/promtool"},
    "prom/alertmanager": {"/etc/alertmanager", "/alertmanager", "/bin/alertmanager"},
    "grafana/grafana-oss": {"/etc/grafana", "/var/lib/grafana", "/usr/share/grafana"},
}


def container_paths(file: str, service: str) -> set[str]:
    """Absolute paths that exist inside `service`'s containers: its mounts, what its Dockerfile
    puts there, and IMAGE_PATHS for its image."""
    config = compose_config(file)["services"][service]
    paths = {mount["target"] for mount in config.get("volumes", [])}
    build = config.get("build")
    if build:
        context = Path(build["context"])
        dockerfile = context / build.get("dockerfile", "Dockerfile")
        if not dockerfile.is_absolute():
            dockerfile = context / dockerfile
        paths |= _dockerfile_paths(dockerfile, build.get("target"))
    image = config.get("image", "")
    for name, known in IMAGE_PATHS.items():
        if image.split(":")[0].endswith(name):
            paths |= known
    if "/backend:" in image:
        paths |= _dockerfile_paths(REPO / "backend" / "Dockerfile", None)
    if "/frontend:" in image:
        paths |= _dockerfile_paths(REPO / "frontend" / "Dockerfile", None)
    return paths


def container_env(file: str, service: str) -> set[str]:
    """Variables set inside `service`'s containers by compose (image ENV apart)."""
    config = compose_config(file)["services"][service]
    return set(config.get("environment") or {})
