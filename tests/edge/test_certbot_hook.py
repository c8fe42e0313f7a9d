"""nginx/certbot-deploy-hook.sh: certificates handed to nginx's uid, nginx reloaded if up."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .repo_files import REPO

HOOK = REPO / "nginx" / "certbot-deploy-hook.sh"


def test_shellcheck_is_clean() -> None:
    shellcheck = shutil.which("shellcheck")
    assert shellcheck, "shellcheck is missing: apt-get install shellcheck (make deps does)"
    result = subprocess.run([shellcheck, str(HOOK)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout


@pytest.mark.skipif(os.geteuid() != 0, reason="hands files to uid 101: needs root, as certbot")
@pytest.mark.parametrize("nginx_running", [True, False])
def test_installs_the_certificate_for_nginx_and_reloads_it(
    tmp_path: Path, nginx_running: bool
) -> None:
    lineage = tmp_path / "live" / "app.example.com"
    lineage.mkdir(parents=True)
    (lineage / "fullchain.pem").write_text("CHAIN")
    (lineage / "privkey.pem").write_text("KEY")
    # A stand-in `docker` that records its calls and says whether nginx runs.
    bin_dir, calls = tmp_path / "bin", tmp_path / "docker-calls"
    bin_dir.mkdir()
    running = "echo 3f2a1b" if nginx_running else "true"
    (bin_dir / "docker").write_text(
        f'#!/bin/sh\necho "$*" >> {calls}\ncase "$*" in *" ps "*) {running};; esac\n'
    )
    (bin_dir / "docker").chmod(0o755)
    tls_dir = tmp_path / "tls"

    subprocess.run(
        ["sh", str(HOOK)],
        check=True,
        env={
            "PATH": f"{bin_dir}:/usr/bin:/bin",
            "RENEWED_LINEAGE": str(lineage),
            "APP_DIR": str(tmp_path),
            "TLS_CERTIFICATES_DIR": str(tls_dir),
        },
    )

    key, chain = (tls_dir / "privkey.pem").stat(), (tls_dir / "fullchain.pem").stat()
    assert (key.st_uid, key.st_mode & 0o777) == (101, 0o600)
    assert (chain.st_uid, chain.st_mode & 0o777) == (101, 0o644)
    assert (tls_dir / "privkey.pem").read_text() == "KEY"
    reloads = [c for c in calls.read_text().splitlines() if "nginx -s reload" in c]
    assert len(reloads) == (1 if nginx_running else 0)
