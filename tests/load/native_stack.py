"""The native stack the load tests run against: `make stack`'s layout (one replica, two workers)
with Prometheus, ENVIRONMENT=test (which mounts /test/slow), on a block of ports of its own.

`python -m tests.load.native_stack` runs it in the foreground until Ctrl-C, for measuring
by hand (docs/performance.md): nginx on :32080, Prometheus on :32090 when that block is free.
The tests start the same stack through `loadtest_stack`, on the second block when a stack
started by hand holds the first.
"""

from __future__ import annotations

import signal
import sys
import threading

from tests.stackfixtures import native_stack

# Two blocks of 500 below the shared ones, away from `make stack` and the other tests.
HOME_BLOCKS = (32000, 32500)


def main() -> int:
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    with native_stack("loadtests", home=HOME_BLOCKS) as stack:
        print(f"nginx {stack.nginx.url}  prometheus {stack.prometheus.url}")
        print(f"state and logs in {stack.config.state_dir} (removed on exit); Ctrl-C stops it")
        sys.stdout.flush()
        stopping.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
