"""A native stack with Prometheus for the load tests (native_stack.py), and how they run Locust."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from stack.runner import Stack
from stack.services.postgres import _bindir
from tests.stackfixtures import native_stack

from .native_stack import HOME_BLOCKS

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def loadtest_stack() -> Iterator[Stack]:
    with native_stack("loadtests", home=HOME_BLOCKS) as stack:
        yield stack


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
