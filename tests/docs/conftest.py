"""The live native stack the documents' native commands run against, on a block of ports of
its own (tests/stackfixtures.py), idle: no traffic but Prometheus's scrapes until a test makes
some."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest

from stack.runner import Stack
from tests.stackfixtures import native_stack

from .doc_commands import REPO


@pytest.fixture(scope="session")
def docs_stack() -> Iterator[Stack]:
    if not (REPO / "frontend" / "dist" / "index.html").exists():
        subprocess.run(["npm", "run", "build"], cwd=REPO / "frontend", check=True)
    # 2 workers, as `make stack` runs: since the retries merge a 1-worker backend's /metrics
    # holds only app_info (reported to the lead), which would empty the API panels here.
    with native_stack("docs", home=[37000]) as stack:
        yield stack


@pytest.fixture(scope="session")
def settled_stack(docs_stack: Stack) -> Stack:
    """The stack once Prometheus has scraped every target and the Watchdog reached
    Alertmanager: what an operator finds a minute after `make stack`."""
    prometheus = docs_stack.prometheus.url
    alertmanager = docs_stack.alertmanager.url
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        targets = httpx.get(f"{prometheus}/api/v1/targets", timeout=5).json()["data"]
        alerts = httpx.get(f"{alertmanager}/api/v2/alerts", timeout=5).json()
        active = targets["activeTargets"]
        healthy = bool(active) and all(t["health"] == "up" for t in active)
        if healthy and any(a["labels"]["alertname"] == "Watchdog" for a in alerts):
            return docs_stack
        time.sleep(2)
    raise AssertionError(f"the docs stack did not settle: {targets} {alerts}")


def run_as_operator(stack: Stack, argv: list[str]) -> subprocess.CompletedProcess[str]:
    """`argv` from the repository's root with what an operator's shell has set on this stack:
    where Prometheus, Alertmanager and the stack's state are (scripts/status.py reads them)."""
    env = {
        **os.environ,
        "PROMETHEUS_URL": stack.prometheus.url,
        "ALERTMANAGER_URL": stack.alertmanager.url,
        "STACK_DIR": str(stack.config.state_dir),
    }
    return subprocess.run(
        argv,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        cwd=stack.config.repo_root,
        env=env,
    )
