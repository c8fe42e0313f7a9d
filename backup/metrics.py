"""What each run leaves for Prometheus: node_exporter's textfile collector reads backup.prom.

One file for every kind of run, rewritten whole (to a temporary file, then renamed) so the
collector never reads half of it. The last success of a kind survives that kind's failures.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

PROM_FILE = "backup.prom"
STATE_FILE = "backup-state.json"

METRICS = {
    "backup_last_success_timestamp_seconds": (
        "last_success",
        "Unix time the last successful run of this kind finished.",
    ),
    "backup_last_run_timestamp_seconds": ("last_run", "Unix time the last run of this kind ended."),
    "backup_last_run_success": ("success", "1 if the last run of this kind succeeded, else 0."),
    "backup_last_duration_seconds": ("duration", "How long the last run of this kind took."),
    "backup_last_size_bytes": (
        "size",
        "Bytes the last successful run of this kind added to the repository.",
    ),
}


@dataclass
class RunState:
    last_run: float = 0.0
    success: int = 0
    duration: float = 0.0
    last_success: float | None = None
    size: float | None = None


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    with (directory / ".backup-metrics.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def record(
    directory: str,
    stanza: str,
    kind: str,
    *,
    ended: float,
    success: bool,
    duration: float,
    size: int | None,
) -> None:
    """Update the state of `kind` and rewrite backup.prom from the state of every kind."""
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    with _locked(path):
        state_path = path / STATE_FILE
        try:
            raw = json.loads(state_path.read_text())
        except (FileNotFoundError, ValueError):
            raw = {}
        states = {k: RunState(**v) for k, v in raw.items()}
        state = states.setdefault(kind, RunState())
        state.last_run = ended
        state.success = int(success)
        state.duration = round(duration, 3)
        if success:
            state.last_success = ended
            state.size = size
        _write_atomic(state_path, json.dumps({k: asdict(v) for k, v in states.items()}))
        _write_atomic(path / PROM_FILE, render(stanza, states))


def render(stanza: str, states: dict[str, RunState]) -> str:
    lines: list[str] = []
    for name, (attribute, help_text) in METRICS.items():
        samples = [
            (kind, getattr(state, attribute))
            for kind, state in sorted(states.items())
            if getattr(state, attribute) is not None
        ]
        if not samples:
            continue
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
        lines += [f'{name}{{stanza="{stanza}",type="{kind}"}} {value}' for kind, value in samples]
    return "\n".join(lines) + "\n"


def _write_atomic(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text)
    temporary.chmod(0o644)
    os.replace(temporary, path)
