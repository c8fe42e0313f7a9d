"""promtool and amtool (Debian's prometheus and prometheus-alertmanager packages)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from .monitoring_files import REPO


def run_tool(name: str, *args: str | Path, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """Run a tool to completion; the test reads its exit code and output."""
    if shutil.which(name) is None:
        pytest.fail(f"{name} not found: run `make deps` (scripts/install-system-deps.sh)")
    argv = [name, *map(str, args)]
    return subprocess.run(argv, capture_output=True, text=True, check=False, cwd=cwd, timeout=120)


def assert_ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"{' '.join(result.args)}:\n{result.stdout}{result.stderr}"
    return result.stdout
