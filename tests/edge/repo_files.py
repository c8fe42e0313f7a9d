"""The repository's deployment files as the tests read them: compose, .env.example, Dockerfiles."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = REPO / ".env.example"
DEV_COMPOSE = REPO / "docker-compose.dev.yml"
PROD_COMPOSE = REPO / "docker-compose.prod.yml"
DEFAULT_COMPOSE = REPO / "compose.yaml"
# The monitoring services, written once; both files above take them with `extends:`.
MONITORING_COMPOSE = REPO / "docker-compose.monitoring.yml"
COMPOSE_FILES = [DEV_COMPOSE, PROD_COMPOSE]
DOCKERFILES = [REPO / "backend" / "Dockerfile", REPO / "frontend" / "Dockerfile"]


def tool(name: str) -> str:
    """A command-line tool of the root uv project (docker-compose, hadolint...)."""
    found = shutil.which(name) or shutil.which(name, path=str(REPO / ".venv" / "bin"))
    assert found, f"{name} not found: run `uv sync --project .`"
    return found


def env_example() -> dict[str, str]:
    """The KEY=value lines of .env.example."""
    pairs = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


# .env.example leaves production's secrets empty, so the production file stops on it: the
# tests render it with these filled in, as an operator would.
PROD_SECRETS = {
    "SECRET_KEY": "a-production-secret-key-that-is-long-enough-0123456789",
    "FIRST_ADMIN_PASSWORD": "a-real-admin-password",
    "POSTGRES_PASSWORD": "a-real-database-password",
    "GRAFANA_ADMIN_PASSWORD": "a-real-grafana-password",
    "DB_OWNER_PASSWORD": "a-real-owner-password",
    "DB_APP_PASSWORD": "a-real-app-password",
    "DB_EXPORTER_PASSWORD": "a-real-exporter-password",
}


def prod_env_file() -> Path:
    """.env.example with PROD_SECRETS filled in, in a file compose can read."""
    target = Path(tempfile.gettempdir()) / f"prod-env-{os.getpid()}.env"
    env = {**env_example(), **PROD_SECRETS}
    target.write_text("".join(f"{key}={value}\n" for key, value in env.items()))
    return target


def compose(
    file: Path, *args: str, env_file: Path | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """The real Compose v2 CLI on `file`, interpolating from `env_file` and nothing else
    (by default .env.example, with PROD_SECRETS for the production file).

    The shell's environment wins over the env file in compose, so it is left out: a developer's
    exported SECRET_KEY must not make a test pass.
    """
    if env_file is None:
        env_file = prod_env_file() if file == PROD_COMPOSE else ENV_EXAMPLE
    argv = [tool("docker-compose"), "-f", str(file), "--env-file", str(env_file), *args]
    clean_env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(REPO))}
    return subprocess.run(
        argv, capture_output=True, text=True, check=check, env=clean_env, cwd=REPO
    )


def compose_config(file: Path, env_file: Path | None = None) -> dict[str, Any]:
    """The fully resolved model compose would run (anchors merged, variables substituted)."""
    result = compose(file, "config", "--format", "json", env_file=env_file)
    config: dict[str, Any] = json.loads(result.stdout)
    return config


def extended_files(file: Path) -> set[Path]:
    """The files `file`'s services take others from with `extends: {file: ...}`."""
    found = set()
    for service in (yaml.safe_load(file.read_text()).get("services") or {}).values():
        extends = service.get("extends")
        if isinstance(extends, dict) and "file" in extends:
            found.add((file.parent / extends["file"]).resolve())
    return found


def compose_variables(file: Path) -> set[str]:
    """Names compose interpolates in `file` and the files it extends: ${NAME}, ${NAME:-x},
    ${NAME:?x}; not $${...}."""
    names = set()
    for path in {file, *extended_files(file)}:
        text = "\n".join(
            line for line in path.read_text().splitlines() if not line.lstrip().startswith("#")
        )
        names |= set(re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)", text))
    return names


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", path.read_text())
    instructions = []
    for line in joined.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, rest = stripped.partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def dockerfile_env(path: Path, stage: str | None = None) -> dict[str, str]:
    """The ENV values set in `path` (in its last stage, or in the stage named `stage`)."""
    values: dict[str, str] = {}
    current: str | None = None
    for keyword, rest in dockerfile_instructions(path):
        if keyword == "FROM":
            current = rest.split()[-1] if " AS " in rest.upper() else None
            values = {} if stage is None or current == stage else values
        elif keyword == "ENV" and (stage is None or current == stage):
            for pair in shlex.split(rest):
                key, _, value = pair.partition("=")
                values[key] = value
    return values
