"""Local stand-ins for the official images, which cannot be pulled here.

Each is built from Debian's packages on a debootstrapped base (or from a binary of this host)
with the interface the Dockerfiles and compose files rely on: paths, users, entrypoints. The
recipes live in standins/<recipe>/. STANDINS maps each pinned official image to its recipe:
adding an image is one entry (plus its folder). Built stand-ins stay in the private engine's
data root, labelled with a hash of their recipe, and are rebuilt only when that changes.

Grafana has no stand-in: no Grafana package exists for Debian here. The tests leave it out (a
compose profile in the override), with the services that need it (stacks.py); tests/monitoring
keeps Grafana's static checks. MinIO's server is not installable here either: its stand-in is a
real S3 server (moto's, as tests/backups runs) with MinIO's interface (standins/minio/).
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .engine import Engine, docker_client

RECIPES = Path(__file__).parent / "standins"
BASE = "local/debian:bookworm"
KEY_LABEL = "org.example.standin.key"
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")
IMAGE_CA = Path("/etc/ssl/host-ca-certificates.crt")
CA_VARIABLES = ("SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS", "REQUESTS_CA_BUNDLE")


def host_uv() -> Path:
    """The real uv binary (pyenv puts a shell script on PATH): pinned like the official image."""
    candidates = [Path(sys.base_prefix) / "bin" / "uv", Path(shutil.which("uv") or "/nonexistent")]
    for candidate in candidates:
        if candidate.is_file() and candidate.read_bytes()[:4] == b"\x7fELF":
            return candidate
    raise FileNotFoundError("no uv binary on this host")


def host_node() -> Path:
    return Path(shutil.which("node") or "/usr/bin/node").resolve()


def host_npm() -> Path:
    return Path(shutil.which("npm") or "/usr/bin/npm").resolve().parents[1]


@dataclass(frozen=True)
class StandIn:
    """A recipe folder under standins/, and host files copied into its build context."""

    recipe: str
    host_files: tuple[tuple[str, str], ...] = field(default=())
    base: StandIn | None = None  # built on another stand-in instead of the Debian base

    @property
    def tag(self) -> str:
        return f"local/standin-{self.recipe}:latest"


# The monitoring binaries come from Debian sid, as on the host (scripts/install-system-deps.sh).
SID = StandIn("debian-sid")

# The pinned official image -> its stand-in. Keep in step with the Dockerfiles and compose files.
STANDINS: dict[str, StandIn] = {
    "python:3.11.13-slim-bookworm": StandIn("python"),
    "ghcr.io/astral-sh/uv:0.13.9": StandIn("uv", (("uv", "uv"),)),
    "node:20.20.2-bookworm-slim": StandIn("node", (("node", "node"), ("npm", "npm"))),
    "nginxinc/nginx-unprivileged:1.28.0-alpine": StandIn("nginx-unprivileged"),
    "postgres:15.13-bookworm": StandIn("postgres"),
    "prom/prometheus:v3.5.3": StandIn("prometheus", base=SID),
    "prom/alertmanager:v0.33.1": StandIn("alertmanager", base=SID),
    "prom/node-exporter:v1.11.1": StandIn("node-exporter", base=SID),
    "quay.io/prometheuscommunity/postgres-exporter:v0.19.1": StandIn("postgres-exporter", base=SID),
    "nginx/nginx-prometheus-exporter:1.5.1": StandIn("nginx-exporter", base=SID),
    "busybox:1.36.1-musl": StandIn("busybox"),
    "redis:7.0.15-bookworm": StandIn("redis"),
    "oliver006/redis_exporter:v1.86.0-alpine": StandIn("redis-exporter", base=SID),
    "minio/minio:RELEASE.2025-04-22T22-12-26Z": StandIn("minio"),
    "ncabatoff/process-exporter:0.8.7": StandIn("process-exporter", base=SID),
}
# Official images the tests cannot stand in for, and why.
NO_STANDIN = {
    "grafana/grafana-oss:13.2.3": "no Grafana package for Debian is reachable from here",
}


def _host_file(name: str) -> Path:
    return {"uv": host_uv, "node": host_node, "npm": host_npm}[name]()


def _recipe_key(standin: StandIn, base_id: str) -> str:
    digest = hashlib.sha256(base_id.encode())
    for path in sorted((RECIPES / standin.recipe).rglob("*")):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    for name, _ in standin.host_files:
        source = _host_file(name)
        stat = source.stat()
        digest.update(f"{name}:{source}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def debian_mirrors() -> tuple[str, str]:
    """The host's Debian mirror and security mirror, from /etc/apt/sources.list*."""
    text = ""
    for path in [Path("/etc/apt/sources.list"), *Path("/etc/apt/sources.list.d").glob("*")]:
        if path.is_file():
            text += path.read_text() + "\n"
    uris = re.findall(r"(?:URIs:|^deb)\s+(?:\[[^\]]*\]\s+)?(\S+)", text, re.M)
    main = next((u for u in uris if u.rstrip("/").endswith("/debian")), None)
    security = next((u for u in uris if "security" in u), None)
    main = main or "http://deb.debian.org/debian"
    return main.rstrip("/"), (security or "http://deb.debian.org/debian-security").rstrip("/")


def ensure_base(engine: Engine) -> str:
    """local/debian:bookworm: debootstrap --variant=minbase from the host's mirror, imported.

    It carries the host's CA bundle at HOST_CA (environment variables point uv, npm, Python and
    OpenSSL at it): this machine reaches PyPI and npm through a TLS proxy whose CA only the
    host trusts, as a corporate CI runner would. The official images need nothing of the sort.
    """
    main, security = debian_mirrors()
    ca = HOST_CA.read_bytes() if HOST_CA.exists() else b""
    key = hashlib.sha256(f"{main} {security}".encode() + ca).hexdigest()[:16]
    if engine.image_label(BASE, KEY_LABEL) == key:
        return BASE
    with tempfile.TemporaryDirectory(prefix="containers-debootstrap-") as tmp:
        root = Path(tmp) / "root"
        subprocess.run(
            ["debootstrap", "--variant=minbase", "bookworm", str(root), main],
            check=True,
            capture_output=True,
            timeout=900,
        )
        (root / "etc/apt/sources.list").write_text(
            f"deb {main} bookworm main\ndeb {main} bookworm-updates main\n"
            f"deb {security} bookworm-security main\n"
        )
        # Smaller layers and no prompts, as Docker's own Debian images.
        (root / "etc/apt/apt.conf.d/docker-clean").write_text(
            'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb || true"; };\n'
        )
        shutil.rmtree(root / "var/cache/apt/archives", ignore_errors=True)
        (root / "var/cache/apt/archives/partial").mkdir(parents=True)
        shutil.rmtree(root / "var/lib/apt/lists", ignore_errors=True)
        (root / "var/lib/apt/lists/partial").mkdir(parents=True)
        (root / IMAGE_CA.relative_to("/")).parent.mkdir(parents=True, exist_ok=True)
        (root / IMAGE_CA.relative_to("/")).write_bytes(ca)
        tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
        engine.run(
            [
                docker_client(),
                "import",
                "-c",
                "ENV DEBIAN_FRONTEND=noninteractive",
                *[arg for name in CA_VARIABLES for arg in ("-c", f"ENV {name}={IMAGE_CA}")],
                "-c",
                f"LABEL {KEY_LABEL}={key}",
                "-c",
                'CMD ["bash"]',
                "-",
                BASE,
            ],
            stdin=tar.stdout,
        )
        tar.wait()
    return BASE


def ensure_standins(engine: Engine, images: Iterable[str] | None = None) -> dict[str, str]:
    """Build (or reuse) the stand-ins of `images` (default: all); returns official -> local tag."""
    wanted = list(STANDINS) if images is None else [i for i in images if i in STANDINS]
    base = ensure_base(engine)
    tags: dict[str, str] = {}
    for official in wanted:
        tags[official] = _ensure(engine, STANDINS[official], base)
    return tags


def _ensure(engine: Engine, standin: StandIn, base: str) -> str:
    """Build `standin` (after the stand-in it is built on) unless its recipe, host files and base
    are unchanged since it was last built; returns its tag."""
    if standin.base:
        base = _ensure(engine, standin.base, base)
    base_id = engine.docker("image", "inspect", "-f", "{{.Id}}", base).stdout.strip()
    key = _recipe_key(standin, base_id)
    if engine.image_label(standin.tag, KEY_LABEL) != key:
        with tempfile.TemporaryDirectory(prefix="containers-standin-") as tmp:
            context = Path(tmp)
            shutil.copytree(RECIPES / standin.recipe, context, dirs_exist_ok=True)
            for name, target in standin.host_files:
                source = _host_file(name)
                if source.is_dir():
                    shutil.copytree(source, context / target, symlinks=True)
                else:
                    shutil.copy2(source, context / target)
            engine.build(context, standin.tag, build_args={"BASE": base}, labels={KEY_LABEL: key})
    return standin.tag
