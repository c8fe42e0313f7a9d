"""Start, watch and stop the child processes of the stack."""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import httpx


class StartupError(RuntimeError):
    """A service did not come up; the message names it and points at its log."""


class ManagedProcess:
    """One long-running child with its output in a log file, stopped by SIGTERM then SIGKILL."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        log_file: Path,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.log_file = log_file
        self.env = {**os.environ, **(env or {})}
        self.cwd = cwd
        self.proc: subprocess.Popen[bytes] | None = None
        # Set by stop(): an exit the stack asked for, which the supervisor leaves alone.
        self.stopping = False

    def start(self) -> ManagedProcess:
        self.stopping = False
        if shutil.which(self.argv[0]) is None:
            raise StartupError(f"{self.name}: {self.argv[0]} not found; `make deps` installs it")
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            # Own process group: Ctrl-C in `make stack` reaches us once, and we stop children
            # in order instead of all of them dying at the same moment.
            self.proc = subprocess.Popen(
                self.argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env,
                cwd=self.cwd,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None, f"{self.name} was never started"
        return self.proc.pid

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 20.0) -> int | None:
        """SIGTERM the process group, wait, then SIGKILL what is left. Returns the exit code."""
        self.stopping = True
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            _signal_group(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                _signal_group(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        return self.proc.returncode

    def exited_unexpectedly(self) -> bool:
        return self.proc is not None and not self.stopping and self.proc.poll() is not None

    def restart(self) -> ManagedProcess:
        """Start again after an unexpected exit, once what is left of the old group is gone.

        The group outlives its leader: nginx's workers keep the listening socket, PostgreSQL's
        backends its shared memory, uvicorn's workers their sockets; all must go first.
        """
        if self.proc is not None:
            _signal_group(self.proc.pid, signal.SIGKILL)
        with self.log_file.open("a") as log:
            log.write(f"--- {self.name} restarted by the stack's supervisor ---\n")
        return self.start()

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""

    def wait_until(self, ready: Callable[[], bool], timeout: float, what: str) -> None:
        """Poll `ready` until it holds; fail fast, with the log, if the process dies."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running():
                raise StartupError(
                    f"{self.name} exited with {self.proc and self.proc.returncode} before {what}; "
                    f"log {self.log_file}:\n{self.log_tail()}"
                )
            if ready():
                return
            time.sleep(0.1)
        raise StartupError(
            f"{self.name} not {what} after {timeout:.0f}s; log {self.log_file}:\n{self.log_tail()}"
        )

    def wait_http(self, url: str, timeout: float = 30.0, status: int = 200) -> None:
        self.wait_until(lambda: http_status(url) == status, timeout, f"answering {url}")


def _die_with_parent() -> None:
    """Ask Linux to SIGTERM the child if the stack runner dies without stopping it."""
    if sys.platform == "linux":
        pr_set_pdeathsig = 1  # from <sys/prctl.h>
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)


def http_status(url: str) -> int | None:
    try:
        return httpx.get(url, timeout=1.0).status_code
    except httpx.HTTPError:
        return None


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def run(argv: Sequence[str], what: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run a short command to completion; fail with its output if it fails."""
    if shutil.which(argv[0]) is None:
        raise StartupError(f"{what}: {argv[0]} not found; `make deps` installs it")
    result: subprocess.CompletedProcess[str] = subprocess.run(  # type: ignore[call-overload]
        argv, capture_output=True, text=True, check=False, **kwargs
    )
    if result.returncode != 0:
        raise StartupError(f"{what} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result
