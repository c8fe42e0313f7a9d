"""`make stack`: run the native stack in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from stack.config import StackConfig
from stack.process import StartupError
from stack.runner import Stack


def main() -> int:
    parser = argparse.ArgumentParser(prog="make stack", description=__doc__)
    parser.add_argument("--workers", type=int, default=2, help="worker processes per backend")
    parser.add_argument("--replicas", type=int, default=1, help="backend replicas")
    args = parser.parse_args()

    config = StackConfig(backend_workers=args.workers, backend_replicas=args.replicas)
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    try:
        with Stack(config) as stack:
            print(f"stack is up; logs in {config.log_dir}")
            for service in stack.services:
                print(f"  {service.name}")
            print("Ctrl-C stops it")
            stopping.wait()
            print("stopping...")
    except StartupError as error:
        print(f"stack failed to start: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
