"""pgBackRest, run as the data directory's owner with the stanza of the settings."""

from __future__ import annotations

import json
import subprocess
from typing import Any

from backup.settings import Settings


class CommandFailed(RuntimeError):
    """A command exited non-zero; the message is its last lines of output."""


def command(settings: Settings, *args: str) -> list[str]:
    argv = ["pgbackrest", f"--stanza={settings.stanza}", *args]
    return ["runuser", "-u", settings.run_as, "--", *argv] if settings.run_as else argv


def run(settings: Settings, *args: str, timeout: float | None = None) -> str:
    result = subprocess.run(
        command(settings, *args), capture_output=True, text=True, check=False, timeout=timeout
    )
    if result.returncode != 0:
        output = (result.stderr.strip() or result.stdout.strip()).splitlines()
        raise CommandFailed(
            f"pgbackrest {args[0]} exited {result.returncode}: " + " | ".join(output[-5:])
        )
    return result.stdout


def info(settings: Settings) -> dict[str, Any]:
    [stanza] = json.loads(run(settings, "info", "--output=json"))
    return dict(stanza)


def backups(settings: Settings) -> list[dict[str, Any]]:
    return list(info(settings).get("backup", []))
