"""The nginx configurations each environment renders from nginx/, and a way to run one here."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from stack.process import ManagedProcess
from stack.services.nginx import foreground_argv, nginx_argv, render_config

from .repo_files import PROD_COMPOSE, REPO, compose_config, dockerfile_env

FRONTEND_DOCKERFILE = REPO / "frontend" / "Dockerfile"


def image_variables() -> dict[str, str]:
    """The NGINX_* defaults baked into the front-end image (development's values)."""
    env = dockerfile_env(FRONTEND_DOCKERFILE)
    return {k: v for k, v in env.items() if k.startswith("NGINX_") and "ENVSUBST" not in k}


def production_variables() -> dict[str, str]:
    """The image's defaults overridden by docker-compose.prod.yml's nginx environment."""
    overrides = compose_config(PROD_COMPOSE)["services"]["nginx"]["environment"]
    return {**image_variables(), **overrides}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def self_signed_certificate(folder: Path, name: str) -> tuple[Path, Path]:
    """fullchain.pem and privkey.pem for `name`, as certbot would leave them."""
    cert, key = folder / "fullchain.pem", folder / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def on_this_machine(variables: dict[str, str], folder: Path) -> dict[str, str]:
    """The container's values moved onto this machine: only what cannot exist here changes.

    Listeners go to free loopback ports, the bundle and the certificates to `folder`, and the
    upstream to a loopback port where nothing listens (`backend` resolves only in compose).
    """
    static_root = folder / "html"
    static_root.mkdir(parents=True, exist_ok=True)
    (static_root / "index.html").write_text("<!doctype html><title>app</title>\n")
    (static_root / "assets").mkdir(exist_ok=True)
    (static_root / "assets" / "index-abc123.js").write_text("console.log('app');\n")
    acme = folder / "acme"
    (acme / ".well-known" / "acme-challenge").mkdir(parents=True, exist_ok=True)
    cert, key = self_signed_certificate(folder, variables["NGINX_SERVER_NAME"])
    return {
        **variables,
        "NGINX_HTTP_LISTEN": f"127.0.0.1:{free_port()}",
        "NGINX_HTTPS_LISTEN": f"127.0.0.1:{free_port()}",
        "NGINX_INTERNAL_LISTEN": f"127.0.0.1:{free_port()}",
        "NGINX_STATIC_ROOT": str(static_root),
        "NGINX_ACME_ROOT": str(acme),
        "NGINX_TLS_CERTIFICATE": str(cert),
        "NGINX_TLS_CERTIFICATE_KEY": str(key),
        "NGINX_BACKEND_SERVERS": f"server 127.0.0.1:{free_port()};",
    }


def nginx_test(conf: Path) -> subprocess.CompletedProcess[str]:
    """`nginx -t` on a rendered tree."""
    return subprocess.run(nginx_argv(conf, "-t"), capture_output=True, text=True, check=False)


@contextmanager
def running_nginx(conf: Path, internal_listen: str) -> Iterator[ManagedProcess]:
    """nginx in the foreground on a rendered tree, stopped on exit."""
    process = ManagedProcess("nginx", foreground_argv(conf), conf.parent / "nginx.log").start()
    try:
        process.wait_http(f"http://{internal_listen}/stub_status", timeout=10)
        yield process
    finally:
        process.stop()


def render(variables: dict[str, str], folder: Path) -> Path:
    return render_config(folder / "nginx", variables)
