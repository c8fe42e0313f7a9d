"""A native stack with Prometheus for the load tests, on their own ports (32000-32999)."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from stack.config import Ports
from stack.process import port_open
from stack.runner import Stack
from stack.services.postgres import _bindir

from .native_stack import LOADTEST_PORTS, loadtest_config

REPO = Path(__file__).resolve().parents[2]
# A second block, for when a stack started by hand (native_stack.py) holds the first.
PORT_BLOCKS = (0, 500)


def _free_ports() -> Ports:
    for offset in PORT_BLOCKS:
        ports = LOADTEST_PORTS.shifted(offset)
        if not any(port_open(getattr(ports, f.name)) for f in dataclasses.fields(ports)):
            return ports
    raise RuntimeError("no free block of ports in 32000-32999 for the load-test stack")


@pytest.fixture(scope="session")
def loadtest_stack() -> Iterator[Stack]:
    state_dir = Path(tempfile.mkdtemp(prefix="loadtests-stack-"))
    config = dataclasses.replace(loadtest_config(state_dir), ports=_free_ports())
    try:
        with Stack(config) as stack:
            yield stack
    finally:
        if os.environ.get("KEEP_STACK_STATE"):
            print(f"load-test stack state kept in {state_dir}")
        else:
            shutil.rmtree(state_dir, ignore_errors=True)


@dataclasses.dataclass(frozen=True)
class LoadRun:
    returncode: int
    output: str
    results: Path

    def summary(self) -> str:
        return (self.results / "summary.txt").read_text()


@pytest.fixture
def run_shape(loadtest_stack: Stack, tmp_path: Path) -> Callable[[str, str | None], LoadRun]:
    """`python -m loadtests` against the stack's nginx and Prometheus, as `make loadtest` runs."""

    def run(shape: str, settings: str | None = None) -> LoadRun:
        results = tmp_path / shape
        argv = [
            sys.executable, "-m", "loadtests",
            "--shape", shape,
            "--host", loadtest_stack.nginx.url,
            "--prometheus", loadtest_stack.prometheus.url,
            "--results", str(results),
        ]  # fmt: skip
        if settings is not None:
            override = tmp_path / f"{shape}-settings.toml"
            override.write_text(settings)
            argv += ["--settings", str(override)]
        done = subprocess.run(
            argv, cwd=REPO, capture_output=True, text=True, timeout=300, check=False
        )
        return LoadRun(done.returncode, done.stdout + done.stderr, results)

    return run


@pytest.fixture
def database(loadtest_stack: Stack) -> Callable[[str], str]:
    """Run one SQL query against the stack's database; returns psql's unaligned output."""

    def query(sql: str) -> str:
        port = str(loadtest_stack.config.ports.postgres)
        argv = [str(_bindir() / "psql"), "-h", "127.0.0.1", "-p", port, "-U", "postgres"]
        argv += ["-d", "app", "-tAc", sql]
        return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip()

    return query
