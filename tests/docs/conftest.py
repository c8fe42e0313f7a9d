"""The live native stack the documents' native commands run against, on this area's ports
(37000-37999), idle: no traffic but Prometheus's scrapes until a test makes some."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from stack.config import Ports, StackConfig
from stack.process import StartupError, port_open
from stack.runner import Stack

from .doc_commands import REPO

DOCS_PORTS = Ports(
    postgres=37433,
    backend=37000,
    nginx=37080,
    nginx_internal=37081,
    prometheus=37090,
    alertmanager=37093,
    node_exporter=37100,
    nginx_exporter=37113,
    postgres_exporter=37187,
    process_exporter=37256,
    alert_webhook=37095,
)


@pytest.fixture(scope="session")
def docs_stack() -> Iterator[Stack]:
    busy = [p for p in vars(DOCS_PORTS).values() if port_open(p)]
    assert not busy, f"ports {busy} are taken: another docs test run on this machine?"
    if not (REPO / "frontend" / "dist" / "index.html").exists():
        subprocess.run(["npm", "run", "build"], cwd=REPO / "frontend", check=True)
    # Readable by the `postgres` user, which runs the private cluster inside it.
    state_dir = Path(tempfile.mkdtemp(prefix="docs-stack-"))
    state_dir.chmod(0o755)
    config = StackConfig(
        state_dir=state_dir,
        ports=DOCS_PORTS,
        database_url=None,
        environment="test",
        # 2 workers, as `make stack` runs: since the retries merge a 1-worker backend's /metrics
        # holds only app_info (reported to the lead), which would empty the API panels here.
        backend_workers=2,
        backend_replicas=1,
    )
    try:
        yield from _started(config)
    finally:
        if os.environ.get("KEEP_STACK_STATE"):
            print(f"docs stack state kept in {state_dir}")
        else:
            shutil.rmtree(state_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def settled_stack(docs_stack: Stack) -> Stack:
    """The stack once Prometheus has scraped every target and the Watchdog reached
    Alertmanager: what an operator finds a minute after `make stack`."""
    prometheus = docs_stack.prometheus.url
    alertmanager = f"http://127.0.0.1:{DOCS_PORTS.alertmanager}"
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


def _started(config: StackConfig) -> Iterator[Stack]:
    """The stack, started again if a port of this block was briefly held: 37000-37999 lies in
    Linux's ephemeral range, so an outgoing connection elsewhere can own one for a moment."""
    for attempt in range(3):
        stack = Stack(config)
        try:
            stack.start()
        except StartupError as error:
            if "address already in use" not in str(error).lower() or attempt == 2:
                raise
            continue
        try:
            yield stack
        finally:
            stack.stop()
        return
