"""The native stack on the load tests' own block of ports (32000-32999), with Prometheus.

`python -m tests.load.native_stack` runs it in the foreground until Ctrl-C, for measuring
by hand (docs/performance.md); the tests start the same layout through `loadtest_stack`.
"""

from __future__ import annotations

import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path

from stack.config import Ports, StackConfig
from stack.runner import Stack

# Every listener of the stack in 32000-32999, away from `make stack` and the other tests.
LOADTEST_PORTS = Ports(
    postgres=32433,
    backend=32000,  # replica n on 32000 + n
    nginx=32080,
    nginx_internal=32081,
    prometheus=32090,
    alertmanager=32093,
    node_exporter=32100,
    nginx_exporter=32113,
    postgres_exporter=32187,
    process_exporter=32256,
    alert_webhook=32095,
)


def loadtest_config(state_dir: Path, workers: int = 2, environment: str = "test") -> StackConfig:
    """`make stack`'s layout (one replica, two workers); ENVIRONMENT=test mounts /test/slow."""
    state_dir.chmod(0o755)  # the `postgres` user runs the private cluster inside it
    return StackConfig(
        state_dir=state_dir,
        ports=LOADTEST_PORTS,
        database_url=None,
        environment=environment,
        backend_workers=workers,
        backend_replicas=1,
    )


def main() -> int:
    state_dir = Path(tempfile.mkdtemp(prefix="loadtests-stack-"))
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    try:
        with Stack(loadtest_config(state_dir)) as stack:
            print(f"nginx {stack.nginx.url}  prometheus {stack.prometheus.url}")
            print(f"state and logs in {state_dir} (removed on exit); Ctrl-C stops it", flush=True)
            stopping.wait()
    finally:
        shutil.rmtree(state_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
