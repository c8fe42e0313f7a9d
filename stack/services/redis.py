"""Redis for the item list's cache (Debian's redis-server), as the compose files run it:
memory only, a memory limit, and the least recently used keys evicted when it is reached."""

from __future__ import annotations

import subprocess
from pathlib import Path

from stack.process import ManagedProcess

# The same limit and policy as the compose services' command line.
MAX_MEMORY = "100mb"
EVICTION_POLICY = "allkeys-lru"


class Redis:
    """redis-server on 127.0.0.1:`port`, its working folder `folder`, its log in `log_dir`."""

    name = "redis"

    def __init__(self, port: int, folder: Path, log_dir: Path) -> None:
        self.port, self.folder, self.log_dir = port, folder, log_dir
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: ManagedProcess | None = None

    def start(self) -> None:
        port, folder = self.port, self.folder
        folder.mkdir(parents=True, exist_ok=True)
        self.process = ManagedProcess(
            self.name,
            [
                "redis-server",
                "--bind", "127.0.0.1",
                "--port", str(port),
                "--dir", str(folder),
                # A cache: nothing is written to disk, a restart starts it empty.
                "--save", "",
                "--appendonly", "no",
                "--maxmemory", MAX_MEMORY,
                "--maxmemory-policy", EVICTION_POLICY,
            ],
            self.log_dir / "redis.log",
        ).start()  # fmt: skip
        self.process.wait_until(lambda: _answers(port), timeout=30, what="answering PING")

    def stop(self) -> None:
        if self.process:
            self.process.stop()


def _answers(port: int) -> bool:
    ping = ["redis-cli", "-h", "127.0.0.1", "-p", str(port), "ping"]
    answer = subprocess.run(ping, capture_output=True, text=True, check=False)
    return answer.stdout.strip() == "PONG"
