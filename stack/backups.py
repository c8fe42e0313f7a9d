"""`python -m stack.backups ARGS`: the backup tool (`python -m backup ARGS`) against the native
stack's cluster, with the settings `make stack` gives it (a local encrypted repository under
.stack/backups, metrics for node_exporter under .stack/textfile). `make backup`,
`make backup-info`, `make backup-verify` and `make restore` run it.

STACK_DIR names another state folder (as for scripts/status.py): a stack started elsewhere, such
as the one tests/docs runs the documents' commands against. The cluster's port is the one its
running server wrote in postmaster.pid, so the tool reaches the stack it is run for."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

from stack.config import Ports, StackConfig
from stack.services.postgres import backup_env


def config() -> StackConfig:
    """`make stack`'s settings, or those of the stack whose state folder STACK_DIR names."""
    state_dir = Path(os.environ.get("STACK_DIR") or StackConfig().state_dir).resolve()
    ports = Ports()
    pid_file = state_dir / "postgres" / "postmaster.pid"
    if pid_file.exists():
        # postmaster.pid: pid, data directory, start time, port, ... (one a line).
        lines = pid_file.read_text().splitlines()
        if len(lines) > 3 and lines[3].strip().isdigit():
            ports = dataclasses.replace(ports, postgres=int(lines[3]))
    return StackConfig(state_dir=state_dir, ports=ports)


def main() -> int:
    env = {**os.environ, **backup_env(config())}
    return subprocess.run([sys.executable, "-m", "backup", *sys.argv[1:]], env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
