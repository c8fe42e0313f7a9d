"""The Dockerfiles, checked without a Docker engine: lint, what they copy, how they run."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from .repo_files import DOCKERFILES, REPO, dockerfile_env, dockerfile_instructions, tool

BACKEND = REPO / "backend" / "Dockerfile"
FRONTEND = REPO / "frontend" / "Dockerfile"
# Where each image is built from, as compose and CI build it.
CONTEXTS = {BACKEND: REPO / "backend", FRONTEND: REPO}
IGNORE_FILES = {
    BACKEND: REPO / "backend" / ".dockerignore",
    FRONTEND: FRONTEND.with_name("Dockerfile.dockerignore"),
}


def ignored(path: str, ignore_file: Path) -> bool:
    """Whether Docker leaves `path` (relative to the context) out: last matching rule wins,
    and a rule that matches a folder matches everything in it."""
    result = False
    for line in ignore_file.read_text().splitlines():
        rule = line.strip()
        if not rule or rule.startswith("#"):
            continue
        negated = rule.startswith("!")
        pattern = rule.lstrip("!").strip("/")
        regex = re.escape(pattern).replace(r"\*\*/", "(.*/)?").replace(r"\*\*", ".*")
        regex = regex.replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        if re.fullmatch(f"{regex}(/.*)?", path):
            result = not negated
    return result


def final_stage(path: Path) -> list[tuple[str, str]]:
    instructions = dockerfile_instructions(path)
    last_from = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM")
    return instructions[last_from:]


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.parent.name)
def test_hadolint_is_clean(dockerfile: Path) -> None:
    result = subprocess.run(
        [tool("hadolint"), str(dockerfile)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.parent.name)
def test_base_images_are_pinned(dockerfile: Path) -> None:
    text = dockerfile.read_text()
    images = re.findall(r"^ARG \w+_IMAGE=(\S+)", text, re.M)
    images += re.findall(r"^FROM (\S+:\S+)", text, re.M)
    images += re.findall(r"--from=(\S+:\S+)", text)
    assert images
    for image in images:
        tag = image.rpartition(":")[2]
        assert re.search(r"\d+\.\d+", tag), f"{image} is not pinned to a version"


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.parent.name)
def test_runs_as_an_unprivileged_numeric_user(dockerfile: Path) -> None:
    users = [rest for keyword, rest in final_stage(dockerfile) if keyword == "USER"]
    assert users, "the final stage never leaves root"
    uid = users[-1].split(":")[0]
    assert uid.isdigit(), f"USER {users[-1]}: numeric, so runAsNonRoot can check it"
    assert int(uid) != 0


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.parent.name)
def test_has_a_healthcheck_and_version_labels(dockerfile: Path) -> None:
    stage = final_stage(dockerfile)
    assert any(keyword == "HEALTHCHECK" for keyword, _ in stage)
    labels = " ".join(rest for keyword, rest in stage if keyword == "LABEL")
    assert 'org.opencontainers.image.revision="${GIT_COMMIT}"' in labels
    assert 'org.opencontainers.image.version="${VERSION}"' in labels


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.parent.name)
def test_everything_copied_is_in_the_build_context(dockerfile: Path) -> None:
    context, ignore_file = CONTEXTS[dockerfile], IGNORE_FILES[dockerfile]
    for keyword, rest in dockerfile_instructions(dockerfile):
        args = [a for a in shlex.split(rest) if not a.startswith("--")]
        if keyword != "COPY" or "--from=" in rest:
            continue
        for source in args[:-1]:
            assert (context / source).exists(), f"COPY {source}: missing from {context}"
            assert not ignored(source.rstrip("/"), ignore_file), f"COPY {source} is ignored"


# Paths relative to each image's build context that must never reach a build.
KEPT_OUT = {
    BACKEND: [".env", ".env.production", ".venv/bin/python", "app/__pycache__/main.pyc"],
    FRONTEND: [
        ".env",
        ".git/config",
        "backend/app/main.py",
        ".stack/postgres/PG_VERSION",
        "artifacts/items.png",
        "frontend/.env.local",
        "frontend/node_modules/react/index.js",
        "frontend/dist/index.html",
    ],
}


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.parent.name)
def test_secrets_and_local_state_stay_out_of_the_context(dockerfile: Path) -> None:
    for path in KEPT_OUT[dockerfile]:
        assert ignored(path, IGNORE_FILES[dockerfile]), f"{path} would be sent to the build"


def test_backend_image_serves_and_knows_its_commit() -> None:
    stage = final_stage(BACKEND)
    assert ("CMD", '["python", "-m", "app.serve"]') in stage
    assert dockerfile_env(BACKEND)["GIT_COMMIT"] == "${GIT_COMMIT}"


def test_frontend_image_renders_only_our_variables_and_defaults_to_plain_http() -> None:
    env = dockerfile_env(FRONTEND)
    assert env["NGINX_ENVSUBST_FILTER"] == "^NGINX_"
    assert env["NGINX_SITE"] == "http"


def test_backend_image_dependencies_install_from_the_lock_without_dev_tools(
    tmp_path: Path,
) -> None:
    """The build stage's `uv sync`, run here: the service imports with runtime packages only."""
    venv = tmp_path / "venv"
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env["UV_PROJECT_ENVIRONMENT"] = str(venv)
    uv = shutil.which("uv")
    assert uv, "uv is missing"
    sync = [uv, "sync", "--frozen", "--no-dev", "--no-install-project", "--project", "backend"]
    subprocess.run(sync, cwd=REPO, env=env, check=True, capture_output=True)
    imports = "import app.main, app.serve, app.prestart, uvloop, httptools"
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-c", imports],
        cwd=REPO / "backend",
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert not (venv / "bin" / "pytest").exists(), "dev tools would ship in the image"
