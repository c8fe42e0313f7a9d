"""nginx in front of the backend replicas, configured from nginx/ exactly as the image does it.

The official nginx image renders /etc/nginx/templates/**/*.template into /etc/nginx/conf.d/ with
envsubst, substituting only the variables defined in its environment. `render_config` lays out
the same tree in a folder (nginx.conf, mime.types, snippets/, rendered conf.d/), so the native
stack serves the same files as compose; only the values of the NGINX_* variables differ.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Mapping
from pathlib import Path

from stack.config import REPO_ROOT, StackConfig
from stack.process import ManagedProcess, StartupError, run

NGINX_SOURCE = REPO_ROOT / "nginx"
# How long nginx skips a replica that failed; a rolling restart waits this long after one
# replica is ready before stopping the next (nginx/templates/upstream.conf.template says why).
UPSTREAM_FAIL_TIMEOUT_SECONDS = 2
# What a rolling restart waits after one replica is ready before stopping the next: nginx's
# clock ticks in whole seconds, so a failed replica can stay skipped for fail_timeout + 1 s.
ROLLING_RESTART_PAUSE_SECONDS = UPSTREAM_FAIL_TIMEOUT_SECONDS + 2
# The same as in the image's default NGINX_BACKEND_SERVERS (frontend/Dockerfile).
UPSTREAM_SERVER_PARAMETERS = f"max_fails=1 fail_timeout={UPSTREAM_FAIL_TIMEOUT_SECONDS}s"
TEMPLATE_SUFFIX = ".template"
_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


def envsubst(text: str, variables: Mapping[str, str]) -> str:
    """`envsubst '${A} ${B}'`: replace $NAME and ${NAME} for the given names only.

    nginx's own variables ($host, $request_id...) are not in `variables` and stay as they are.
    """

    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        return variables.get(name, match.group(0))

    return _VARIABLE.sub(replace, text)


def render_config(target: Path, variables: Mapping[str, str], source: Path = NGINX_SOURCE) -> Path:
    """Lay out `target` as the image's /etc/nginx; returns the path of its nginx.conf."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    shutil.copy(source / "nginx.conf", target / "nginx.conf")
    shutil.copy(_mime_types(), target / "mime.types")
    shutil.copytree(source / "snippets", target / "snippets")
    templates = source / "templates"
    for template in sorted(templates.rglob(f"*{TEMPLATE_SUFFIX}")):
        relative = template.relative_to(templates)
        output = target / "conf.d" / relative.with_name(relative.name.removesuffix(TEMPLATE_SUFFIX))
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(envsubst(template.read_text(), variables))
    return target / "nginx.conf"


def native_variables(config: StackConfig) -> dict[str, str]:
    """The NGINX_* values of the native stack: loopback listeners, one upstream per replica."""
    return {
        "NGINX_SITE": "http",
        "NGINX_SERVER_NAME": "localhost",
        "NGINX_HTTP_LISTEN": f"127.0.0.1:{config.ports.nginx}",
        "NGINX_INTERNAL_LISTEN": f"127.0.0.1:{config.ports.nginx_internal}",
        "NGINX_STATIC_ROOT": str(config.repo_root / "frontend" / "dist"),
        "NGINX_BACKEND_SERVERS": " ".join(
            f"server 127.0.0.1:{port} {UPSTREAM_SERVER_PARAMETERS};"
            for port in config.backend_ports()
        ),
    }


def nginx_binary() -> str:
    # Debian installs it in /usr/sbin, which is not on a normal user's PATH.
    return shutil.which("nginx") or "/usr/sbin/nginx"


def nginx_argv(conf: Path, *extra: str) -> list[str]:
    """nginx with its prefix (pid, temp folders) in the folder that holds `conf`."""
    return [nginx_binary(), "-p", f"{conf.parent}/", "-c", str(conf), "-e", "stderr", *extra]


def foreground_argv(conf: Path) -> list[str]:
    """nginx serving `conf` in the foreground, as the container runs it."""
    # As root, nginx would hand its workers to `nobody`, who cannot reach the state folder
    # for temporary files; keep them as the user running the stack, as on a laptop.
    directives = "daemon off;" + (" user root;" if os.geteuid() == 0 else "")
    return nginx_argv(conf, "-g", directives)


def _mime_types() -> Path:
    for candidate in (Path("/etc/nginx/mime.types"), Path("/usr/local/etc/nginx/mime.types")):
        if candidate.exists():
            return candidate
    raise StartupError("nginx's mime.types not found: install nginx")


class Nginx:
    """nginx with the listeners and backend replicas of `config` (`native_variables`)."""

    name = "nginx"

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.url = f"http://127.0.0.1:{config.ports.nginx}"
        self.internal_url = f"http://127.0.0.1:{config.ports.nginx_internal}"
        self.process: ManagedProcess | None = None

    def start(self) -> None:
        config = self.config
        conf = render_config(config.state_dir / "nginx", native_variables(config))
        run(nginx_argv(conf, "-t", "-q"), "nginx -t")
        self.process = ManagedProcess(
            "nginx", foreground_argv(conf), config.log_dir / "nginx.log"
        ).start()
        self.process.wait_http(self.internal_url + "/stub_status")

    def stop(self) -> None:
        if self.process:
            self.process.stop()
