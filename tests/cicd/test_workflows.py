"""The GitHub Actions workflows and Dependabot's config, checked offline: schemas, actionlint
(with shellcheck on every `run:`), zizmor, and the rules docs/deployment.md relies on."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
GITHUB = REPO / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$")


def load(path: Path) -> dict[str, Any]:
    # PyYAML reads the key `on` as True.
    data: dict[Any, Any] = yaml.safe_load(path.read_text())
    if True in data:
        data["on"] = data.pop(True)
    return data


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)


def test_the_three_workflows_exist() -> None:
    assert {path.name for path in WORKFLOWS} == {"ci.yml", "images.yml", "deploy.yml"}


def test_workflows_and_dependabot_match_their_schemas() -> None:
    workflows = run(
        str(BIN / "check-jsonschema"),
        "--builtin-schema",
        "vendor.github-workflows",
        *map(str, WORKFLOWS),
    )
    assert workflows.returncode == 0, workflows.stdout + workflows.stderr
    dependabot = run(
        str(BIN / "check-jsonschema"),
        "--builtin-schema",
        "vendor.dependabot",
        str(GITHUB / "dependabot.yml"),
    )
    assert dependabot.returncode == 0, dependabot.stdout + dependabot.stderr


def test_actionlint_with_shellcheck_finds_nothing() -> None:
    shellcheck = subprocess.run(["which", "shellcheck"], capture_output=True, text=True)
    assert shellcheck.returncode == 0, "shellcheck (Debian package) is missing: make deps"
    result = run(str(BIN / "actionlint"), "-color=false", "-shellcheck", "shellcheck")
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing() -> None:
    result = run(str(BIN / "zizmor"), "--offline", "--no-progress", str(GITHUB))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit_with_its_version(path: Path) -> None:
    lines = [line.strip() for line in path.read_text().splitlines()]
    uses = [line.split("uses:", 1)[1].strip() for line in lines if "uses:" in line]
    assert uses
    unpinned = [use for use in uses if not PINNED.match(use)]
    assert not unpinned, f"pin to a full SHA with `# vX.Y.Z`: {unpinned}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_privilege_timeouts_and_concurrency(path: Path) -> None:
    workflow = load(path)
    assert workflow["permissions"] == {"contents": "read"}
    assert "group" in workflow["concurrency"]
    for name, job in workflow["jobs"].items():
        assert 0 < job["timeout-minutes"] <= 30, name
        for step in job["steps"]:
            if "uses" in step and step["uses"].startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, name


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_run_step_calls_a_script_a_person_can_run(path: Path) -> None:
    for job in load(path)["jobs"].values():
        for step in job["steps"]:
            for line in filter(None, step.get("run", "").splitlines()):
                command = line.split("$(")[-1].strip()
                command = command.removeprefix('sudo -E env "PATH=$PATH" ')
                assert re.match(r"(scripts/|make |uv sync |npm ci |echo )", command), line
                for script in re.findall(r"scripts/[\w/.-]+\.sh", line):
                    assert (REPO / script).stat().st_mode & 0o111, f"{script} is not executable"


def test_ci_runs_what_make_test_runs_on_pull_requests() -> None:
    ci = load(GITHUB / "workflows" / "ci.yml")
    assert "pull_request" in ci["on"]
    assert ci["concurrency"]["cancel-in-progress"] is True
    commands = "\n".join(
        step.get("run", "") for job in ci["jobs"].values() for step in job["steps"]
    )
    for target in ("make lint", "make test-backend", "make test-frontend", "make test-system"):
        assert target in commands


def test_images_are_scanned_before_they_are_pushed_and_tagged_by_sha() -> None:
    images = load(GITHUB / "workflows" / "images.yml")
    assert images["on"]["push"] == {"branches": ["main"], "tags": ["v*"]}
    job = images["jobs"]["image"]
    assert job["permissions"] == {"contents": "read", "packages": "write"}
    assert {c["component"] for c in job["strategy"]["matrix"]["include"]} == {
        "backend",
        "frontend",
    }
    uses = [step.get("uses", "").split("@")[0] for step in job["steps"]]
    assert uses.index("aquasecurity/trivy-action") < uses.index("docker/login-action")
    scan = job["steps"][uses.index("aquasecurity/trivy-action")]["with"]
    assert (scan["severity"], scan["ignore-unfixed"], scan["exit-code"]) == ("CRITICAL", True, "1")
    meta = job["steps"][uses.index("docker/metadata-action")]["with"]
    assert "latest=false" in meta["flavor"]
    assert "type=sha,format=long,prefix=" in meta["tags"]
    assert "type=raw,value=latest,enable={{is_default_branch}},priority=50" in meta["tags"]
    assert "type=semver,pattern={{version}}" in meta["tags"]
    push = job["steps"][len(uses) - 1 - uses[::-1].index("docker/build-push-action")]["with"]
    assert push["push"] is True
    assert (push["sbom"], push["provenance"]) == (True, "mode=max")
    assert push["labels"] == "${{ steps.meta.outputs.labels }}"
    assert push["cache-from"].startswith("type=gha")


def test_image_names_are_lowercase_ghcr_paths() -> None:
    result = subprocess.run(
        [str(REPO / "scripts" / "image-name.sh"), "frontend"],
        env={"GITHUB_REPOSITORY": "Acme/Web-App", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == "ghcr.io/acme/web-app/frontend", result.stderr


def test_deploys_run_one_at_a_time_behind_an_approved_environment() -> None:
    deploy = load(GITHUB / "workflows" / "deploy.yml")
    assert set(deploy["on"]) == {"workflow_dispatch"}
    assert deploy["concurrency"] == {"group": "deploy-production", "cancel-in-progress": False}
    job = deploy["jobs"]["deploy"]
    assert job["environment"]["name"] == "production"
    assert any("scripts/remote-deploy.sh" in step.get("run", "") for step in job["steps"])


def test_dependabot_covers_uv_npm_docker_compose_and_actions() -> None:
    config = yaml.safe_load((GITHUB / "dependabot.yml").read_text())
    ecosystems = {update["package-ecosystem"] for update in config["updates"]}
    assert ecosystems == {"uv", "npm", "docker", "docker-compose", "github-actions"}


def test_scripts_are_shellcheck_clean() -> None:
    scripts = sorted(str(p) for p in (REPO / "scripts").rglob("*.sh"))
    result = run("shellcheck", "--external-sources", "--severity=style", *scripts)
    assert result.returncode == 0, result.stdout + result.stderr
