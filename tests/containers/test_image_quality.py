"""The built images themselves: who they run as, what they hold, their size, a warm rebuild.

Sizes are measured above the base image, since the bases here are stand-ins (standins.py):
what the Dockerfile adds is the part this repository controls. Figures go to
artifacts/containers/images.json; docs/containers.md records them.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest

from .engine import Engine
from .stacks import DEV, REPO, base_image_args, build_services, compose_config

ARTIFACTS = REPO / "artifacts" / "containers"
# Service -> (image's Dockerfile, base image ARG of its final stage, user, MB it may add).
IMAGES = {
    "backend": (REPO / "backend" / "Dockerfile", "PYTHON_IMAGE", "10001:10001", 120),
    "nginx": (REPO / "frontend" / "Dockerfile", "NGINX_IMAGE", "101", 10),
}
# Must be absent from the runtime images: build tools, sources and tests.
ABSENT = {
    "backend": ["/usr/local/bin/uv", "/app/tests", "/app/pyproject.toml", "/app/uv.lock",
                "/usr/bin/gcc", "/app/.venv", "/opt/venv/bin/pip", "/app/Dockerfile"],
    "nginx": ["/usr/local/bin/node", "/usr/local/bin/npm", "/app", "/usr/share/nginx/html/src",
              "/usr/share/nginx/html/node_modules", "/usr/share/nginx/html/index.html.gz"],
}  # fmt: skip
FIGURES: dict[str, dict[str, Any]] = {}


@pytest.fixture(scope="module")
def dev_config(engine: Engine) -> Any:
    config = compose_config(engine, REPO, [DEV], {})
    build_services(engine, config)
    return config


def image_of(dev_config: Any, service: str) -> str:
    return str(dev_config["services"][service]["image"])


def size_mb(engine: Engine, image: str) -> float:
    return int(engine.docker("image", "inspect", "-f", "{{.Size}}", image).stdout) / 1e6


def run_in(engine: Engine, image: str, script: str) -> str:
    return engine.docker("run", "--rm", "--entrypoint", "sh", image, "-c", script).stdout


@pytest.mark.parametrize("service", sorted(IMAGES))
def test_runs_as_its_unprivileged_user(engine: Engine, dev_config: Any, service: str) -> None:
    image = image_of(dev_config, service)
    configured = engine.docker("image", "inspect", "-f", "{{.Config.User}}", image).stdout.strip()
    assert configured == IMAGES[service][2]
    uid = run_in(engine, image, "id -u").strip()
    assert uid != "0"
    FIGURES.setdefault(service, {})["user"] = configured


@pytest.mark.parametrize("service", sorted(IMAGES))
def test_holds_no_build_tools_sources_or_tests(
    engine: Engine, dev_config: Any, service: str
) -> None:
    image = image_of(dev_config, service)
    paths = " ".join(ABSENT[service])
    present = run_in(engine, image, f"for p in {paths}; do [ -e $p ] && echo $p; done; true")
    assert present.split() == []
    find_tests = (
        "find / -xdev \\( -name '*.test.*' -o -name 'test_*.py' \\)"
        " -not -path '/usr/lib/*' -not -path '/opt/venv/*' 2>/dev/null | head -5"
    )
    tests = run_in(engine, image, find_tests)
    assert tests.split() == []


def test_the_backend_code_and_libraries_are_read_only_to_the_app(
    engine: Engine, dev_config: Any
) -> None:
    out = run_in(engine, image_of(dev_config, "backend"), "touch /app/app/x /opt/venv/x 2>&1; true")
    assert out.count("Permission denied") == 2, out


@pytest.mark.parametrize("service", sorted(IMAGES))
def test_adds_little_above_its_base(engine: Engine, dev_config: Any, service: str) -> None:
    dockerfile, base_arg, _, budget = IMAGES[service]
    base = base_image_args(dockerfile)[base_arg]
    image = image_of(dev_config, service)
    added = size_mb(engine, image) - size_mb(engine, base)
    FIGURES.setdefault(service, {}).update(
        added_mb=round(added, 1), total_on_standin_mb=round(size_mb(engine, image), 1)
    )
    assert added <= budget, f"{image} adds {added:.0f} MB to {base}"


def test_a_warm_rebuild_is_fast(engine: Engine, dev_config: Any) -> None:
    """Every image rebuilt with nothing changed: all from the cache."""
    started = time.monotonic()
    builds = build_services(engine, dev_config)
    total = time.monotonic() - started
    for build in builds:
        FIGURES.setdefault(build.tag, {})["warm_build_s"] = round(build.seconds, 1)
    assert total < 60, builds
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "images.json").write_text(json.dumps(FIGURES, indent=2) + "\n")


def test_every_dockerfile_takes_its_bases_as_build_arguments() -> None:
    """So the tests build on stand-ins while a user's build is unchanged (the pinned defaults)."""
    dockerfiles = [d for d, *_ in IMAGES.values()]
    exporters = [
        REPO / "prometheus" / f"{name}.Dockerfile"
        for name in ("nginx-exporter", "process-exporter")
    ]
    for dockerfile in [*dockerfiles, *exporters]:
        text = dockerfile.read_text()
        stages = set(re.findall(r"^FROM \S+ AS (\S+)", text, re.M))
        for base in re.findall(r"^FROM (\S+)", text, re.M):
            assert base.startswith("${") or base in stages, f"{dockerfile}: FROM {base}"
        for source in re.findall(r"COPY --from=(\S+)", text):
            assert source in stages, f"{dockerfile}: COPY --from={source}"
        assert base_image_args(dockerfile)
