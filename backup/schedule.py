"""The backup schedule the compose files run: a full backup daily, an incremental one every
other hour, a logical dump daily; a full backup at once when the repository has none."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from backup import pgbackrest
from backup.pgbackrest import CommandFailed
from backup.settings import Settings


def kinds_due(settings: Settings, hour: int) -> list[str]:
    kinds = ["full" if hour == settings.full_hour else "incr"]
    if hour == settings.dump_hour:
        kinds.append("dump")
    return kinds


def _has_full(settings: Settings) -> bool:
    return any(b["type"] == "full" for b in pgbackrest.backups(settings))


def run_schedule(settings: Settings, run: Callable[[str], int]) -> int:
    """Forever: wait for the next hour, run what is due. Failures are logged and in the
    metrics (BackupStale fires if they go on); the schedule itself keeps going."""
    while True:
        try:
            pgbackrest.run(settings, "stanza-create")
            if not _has_full(settings):
                run("full")
            break
        except CommandFailed as failure:
            print(f"waiting for the database and the repository: {failure}", flush=True)
            time.sleep(30)
    while True:
        now = datetime.now(UTC)
        following = (now + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
        time.sleep((following - now).total_seconds())
        for kind in kinds_due(settings, following.hour):
            run(kind)
