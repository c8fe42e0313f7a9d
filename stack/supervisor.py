"""Restarts a service whose process exits when nobody asked it to, as compose's
`restart: unless-stopped` does, and gives up loudly when it keeps failing.

Policy: the first restart comes after RESTART_DELAYS[0]; each further one within
FAILURE_WINDOW_SECONDS of the previous waits the next delay. After MAX_RESTARTS restarts inside the
window the service is left down, and the supervisor says so on stderr and in logs/stack.log.
Every restart is logged there too, and marked in the service's own log.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from stack.process import ManagedProcess

RESTART_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)
MAX_RESTARTS = len(RESTART_DELAYS)
FAILURE_WINDOW_SECONDS = 60.0
POLL_SECONDS = 0.2


@dataclass
class _History:
    restarts: list[float] = field(default_factory=list)
    due: float | None = None  # when the pending restart may run
    gave_up: bool = False


class Supervisor:
    """Watches the processes `processes()` returns (asked anew each poll, as replicas change)."""

    def __init__(self, processes: Callable[[], list[ManagedProcess]], log_file: Path) -> None:
        self.processes = processes
        self.log_file = log_file
        self.history: dict[str, _History] = {}
        self.gave_up: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stack-supervisor", daemon=True)

    def start(self) -> Supervisor:
        # A first line, so logs/stack.log exists (and the runbooks' grep of it works) before
        # anything has failed.
        names = ", ".join(process.name for process in self.processes())
        self.report(f"watching {names}")
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            for process in self.processes():
                if process.exited_unexpectedly():
                    self._handle(process)

    def _handle(self, process: ManagedProcess) -> None:
        history = self.history.setdefault(process.name, _History())
        if history.gave_up:
            return
        now = time.monotonic()
        if history.due is None:
            history.restarts = [t for t in history.restarts if now - t < FAILURE_WINDOW_SECONDS]
            code = process.proc.returncode if process.proc else None
            if len(history.restarts) >= MAX_RESTARTS:
                history.gave_up = True
                self.gave_up.append(process.name)
                self.report(
                    f"GIVING UP on {process.name}: it exited (code {code}) after {MAX_RESTARTS} "
                    f"restarts in {FAILURE_WINDOW_SECONDS:.0f}s; it stays down. "
                    f"Its log: {process.log_file}",
                    loud=True,
                )
                return
            delay = RESTART_DELAYS[len(history.restarts)]
            history.due = now + delay
            self.report(f"{process.name} exited unexpectedly (code {code}); restart in {delay}s")
            return
        if now < history.due:
            return
        history.due = None
        history.restarts.append(now)
        try:
            process.restart()
        except Exception as error:  # a failed start counts as a failure; the next poll sees it
            self.report(f"{process.name} failed to restart: {error}")
            return
        self.report(f"{process.name} restarted (pid {process.pid})")

    def report(self, message: str, *, loud: bool = False) -> None:
        line = f"{datetime.now(UTC).isoformat(timespec='milliseconds')} supervisor: {message}"
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("a") as log:
            log.write(line + "\n")
        if loud:
            print(f"\n*** {line} ***\n", file=sys.stderr, flush=True)
