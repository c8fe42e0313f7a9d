"""The live stack the edge tests drive: postgres, two backend replicas, nginx on the production
build of the front end; on ports shifted away from a developer's `make stack`."""

from __future__ import annotations

import dataclasses
import os
import random
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from stack.config import Ports, StackConfig
from stack.process import port_open
from stack.runner import Stack

from .repo_files import REPO

# 8080 -> 19080: far from `make stack` and from the other test areas' stacks.
PORT_OFFSET = 11000
REPLICAS = 2
ARTIFACTS = REPO / "artifacts" / "edge"


@pytest.fixture(scope="session")
def frontend_bundle() -> Path:
    """frontend/dist built from the current source, once per session."""
    frontend = REPO / "frontend"
    if not (frontend / "node_modules").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=frontend, check=True)
    subprocess.run(["npm", "run", "build"], cwd=frontend, check=True, capture_output=True)
    return frontend / "dist"


def free_ports() -> Ports:
    """The usual shift, or when something already listens there (another checkout's test run
    on this machine), another shift where every port of the layout is free."""
    # Blocks 250 apart never share a port, and all stay below the monitoring tests' 25433+.
    others = list(range(PORT_OFFSET + 250, PORT_OFFSET + 4250, 250))
    for offset in [PORT_OFFSET, *random.sample(others, len(others))]:
        ports = Ports().shifted(offset)
        numbers = [getattr(ports, f.name) for f in dataclasses.fields(ports)]
        numbers += [ports.backend + n for n in range(REPLICAS)]
        if not any(port_open(number) for number in numbers):
            return ports
    raise RuntimeError("no free block of ports for the edge stack")


@pytest.fixture(scope="session")
def edge_stack(frontend_bundle: Path) -> Iterator[Stack]:
    # Readable by the `postgres` user, which runs the private cluster inside it.
    state_dir = Path(tempfile.mkdtemp(prefix="edge-stack-"))
    state_dir.chmod(0o755)
    config = StackConfig(
        state_dir=state_dir,
        ports=free_ports(),
        database_url=None,
        environment="test",
        backend_workers=1,
        backend_replicas=REPLICAS,
    )
    try:
        with Stack(config) as stack:
            yield stack
    finally:
        if os.environ.get("KEEP_STACK_STATE"):
            print(f"edge stack state kept in {state_dir}")
        else:
            shutil.rmtree(state_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def base_url(edge_stack: Stack) -> str:
    """nginx's public listener: every live test goes through it, as a browser would."""
    return edge_stack.nginx.url


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
