"""`python -m stack.backups ARGS`: the backup tool (`python -m backup ARGS`) against the native
stack's cluster, with the settings `make stack` gives it (a local encrypted repository under
.stack/backups, metrics for node_exporter under .stack/textfile). `make backup`,
`make backup-info`, `make backup-verify` and `make restore` run it."""

from __future__ import annotations

import os
import subprocess
import sys

from stack.config import StackConfig
from stack.runner import Stack
from stack.services.postgres import backup_env


def main() -> int:
    env = {**os.environ, **backup_env(Stack(StackConfig()))}
    return subprocess.run([sys.executable, "-m", "backup", *sys.argv[1:]], env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
