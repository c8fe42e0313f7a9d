"""nginx/ rendered for each environment: the same files, accepted by nginx everywhere."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from stack.config import Ports, StackConfig
from stack.services.nginx import (
    NGINX_SOURCE,
    UPSTREAM_SERVER_PARAMETERS,
    envsubst,
    native_variables,
)

from .nginx_configs import (
    image_variables,
    nginx_test,
    on_this_machine,
    production_variables,
    render,
)

TEMPLATES = sorted((NGINX_SOURCE / "templates").rglob("*.template"))


def template_variables() -> set[str]:
    return {
        name
        for template in TEMPLATES
        for name in re.findall(r"\$\{?(NGINX_[A-Z0-9_]+)", template.read_text())
    }


def loaded_files(conf: Path, site: str) -> list[Path]:
    """The rendered files nginx reads: conf.d/*.conf and the chosen site."""
    return [
        *sorted((conf.parent / "conf.d").glob("*.conf")),
        conf.parent / f"conf.d/site/{site}.conf",
    ]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.name)
def test_python_rendering_matches_the_image_entrypoint(template: Path) -> None:
    """The image runs envsubst on the names of the defined variables matching its filter."""
    environment = {
        **production_variables(),
        "NGINX_BACKEND_SERVERS": "server 127.0.0.1:8000; server 127.0.0.1:8001;",
        "HOME": "/home/nginx",  # defined, but outside ^NGINX_: stays as written
        "PATH": "/usr/bin:/bin",
    }
    shell_format = " ".join(f"${{{name}}}" for name in environment if name.startswith("NGINX_"))
    real = subprocess.run(
        ["envsubst", shell_format],
        input=template.read_text(),
        capture_output=True,
        text=True,
        check=True,
        env=environment,
    ).stdout
    names = {k: v for k, v in environment.items() if k.startswith("NGINX_")}
    assert envsubst(template.read_text(), names) == real


def test_the_image_defines_every_variable_the_templates_use() -> None:
    assert template_variables() - image_variables().keys() == set()


def test_the_native_stack_defines_every_variable_its_site_uses(tmp_path: Path) -> None:
    config = StackConfig(state_dir=tmp_path, backend_replicas=2)
    conf = render(native_variables(config), tmp_path)
    for file in loaded_files(conf, "http"):
        assert "${" not in file.read_text(), f"{file.name} keeps an unrendered variable"


def test_native_rendering_passes_nginx_t(tmp_path: Path) -> None:
    config = StackConfig(state_dir=tmp_path, ports=Ports().shifted(200), backend_replicas=2)
    result = nginx_test(render(native_variables(config), tmp_path))
    assert result.returncode == 0, result.stderr
    upstream = (tmp_path / "nginx/conf.d/upstream.conf").read_text()
    assert "server 127.0.0.1:8200 max_fails=1 fail_timeout=2s;" in upstream
    assert "server 127.0.0.1:8201 max_fails=1 fail_timeout=2s;" in upstream


def test_compose_and_native_upstreams_skip_failed_replicas_alike() -> None:
    assert image_variables()["NGINX_BACKEND_SERVERS"] == (
        f"server backend:8000 {UPSTREAM_SERVER_PARAMETERS};"
    )


@pytest.mark.parametrize(
    ("environment", "variables"),
    [("development", image_variables), ("production", production_variables)],
)
def test_compose_rendering_passes_nginx_t(
    environment: str, variables: Callable[[], dict[str, str]], tmp_path: Path
) -> None:
    values = on_this_machine(variables(), tmp_path)
    conf = render(values, tmp_path)
    result = nginx_test(conf)
    assert result.returncode == 0, result.stderr
    for file in loaded_files(conf, values["NGINX_SITE"]):
        assert "${" not in file.read_text(), f"{file.name} keeps an unrendered variable"


def test_environments_differ_only_in_the_variables(tmp_path: Path) -> None:
    """nginx.conf and the snippets are copied as they are; only templates are rendered."""
    conf = render(image_variables(), tmp_path)
    assert conf.read_text() == (NGINX_SOURCE / "nginx.conf").read_text()
    for snippet in (NGINX_SOURCE / "snippets").iterdir():
        assert (conf.parent / "snippets" / snippet.name).read_text() == snippet.read_text()
