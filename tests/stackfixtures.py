"""The small native stacks of the test areas (faults, hardening, docs, load): one way to pick
their ports, start them and clean up, so each area's conftest says only how its stack differs.

Each stack takes a block of 500 ports, its own block first and then any other of 36000-39999,
the first whose lock file it can take and whose ports are all free: two runs on one machine (two
checkouts, or two areas in one session) never share a port, and none waits for the other."""

from __future__ import annotations

import dataclasses
import fcntl
import os
import random
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from stack.config import Ports, StackConfig
from stack.process import StartupError, port_open
from stack.runner import Stack

BLOCK = 500
SHARED_BLOCKS = range(36000, 40000, BLOCK)
LOCK_DIR = Path(tempfile.gettempdir())


def block_ports(base: int) -> Ports:
    """Every listener of the stack within base..base+499, with the last three digits of the
    defaults (nginx on base+80, Prometheus on base+90); backend replica n listens on base+n.
    A new port in `Ports` needs nothing here."""
    defaults = Ports()
    offsets = {f.name: getattr(defaults, f.name) % 1000 for f in dataclasses.fields(Ports)}
    assert len(set(offsets.values())) == len(offsets), offsets
    assert max(offsets.values()) < BLOCK, offsets
    return Ports(**{name: base + offset for name, offset in offsets.items()})


def _all_free(ports: Ports, replicas: int) -> bool:
    numbers = [getattr(ports, f.name) for f in dataclasses.fields(ports)]
    numbers += [ports.backend + n for n in range(replicas)]
    return not any(port_open(number) for number in numbers)


@contextmanager
def reserved_ports(home: Sequence[int], replicas: int = 1) -> Iterator[Ports]:
    """A free block of ports, held (by a lock file per block) until the block is left."""
    others = [base for base in SHARED_BLOCKS if base not in home]
    random.shuffle(others)
    # The blocks no area starts from (36500, 37500...) first: the others are likelier to be busy.
    others.sort(key=lambda base: base % 1000 == 0)
    for base in [*home, *others]:
        with (LOCK_DIR / f"native-stack-ports-{base}.lock").open("w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # another run holds this block
            ports = block_ports(base)
            if not _all_free(ports, replicas):
                continue  # something that does not take our locks listens there
            yield ports
            return
    raise RuntimeError(f"no free block of ports among {[*home, *others]}")


@contextmanager
def native_stack(
    name: str,
    home: Sequence[int],
    *,
    site_only: bool = False,
    backend_env: dict[str, str] | None = None,
) -> Iterator[Stack]:
    """A started stack for a test area, as `make stack` lays it out (one replica, two workers)
    with ENVIRONMENT=test and a private cluster; stopped and its state folder (named after
    `name`) removed on leaving, unless KEEP_STACK_STATE is set. `site_only`: PostgreSQL, the
    backend and nginx, without the monitoring services."""
    # Readable by the `postgres` user, which runs the private cluster inside it.
    state_dir = Path(tempfile.mkdtemp(prefix=f"{name}-stack-"))
    state_dir.chmod(0o755)
    config = StackConfig(
        state_dir=state_dir,
        database_url=None,
        environment="test",
        backend_workers=2,
        backend_replicas=1,
        backend_env=backend_env or {},
    )
    try:
        yield from _started(config, home, site_only)
    finally:
        if os.environ.get("KEEP_STACK_STATE"):
            print(f"{name} stack state kept in {state_dir}")
        else:
            shutil.rmtree(state_dir, ignore_errors=True)


def _started(config: StackConfig, home: Sequence[int], site_only: bool) -> Iterator[Stack]:
    """The stack, started again if one of its ports was held for a moment: 36000-39999 lies in
    Linux's ephemeral range, so an outgoing connection elsewhere can own one (EADDRINUSE)."""
    for attempt in range(3):
        with reserved_ports(home, config.backend_replicas) as ports:
            stack = Stack(dataclasses.replace(config, ports=ports))
            if site_only:
                stack.services = [stack.postgres, stack.backend, stack.nginx]
            try:
                stack.start()  # on failure it has stopped what it started
            except StartupError as error:
                if "address already in use" not in str(error).lower() or attempt == 2:
                    raise
                time.sleep(3)
                continue
            try:
                yield stack
            finally:
                stack.stop()
            return
