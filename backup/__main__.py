"""`python -m backup COMMAND`: back up, list, verify and restore the database.

Every run prints one JSON line (what ran, how it ended, how long it took) and, when
BACKUP_METRICS_DIR is set, updates the metrics node_exporter serves. Exit status 0 means done;
anything else means it did not happen.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from backup import dumps, metrics, pgbackrest
from backup.pgbackrest import CommandFailed
from backup.schedule import run_schedule
from backup.settings import Settings

EXIT_FAILED = 1
EXIT_REFUSED = 2


def log(event: dict[str, Any]) -> None:
    print(
        json.dumps({"time": datetime.now(UTC).isoformat(timespec="seconds"), **event}), flush=True
    )


def timed(
    settings: Settings, kind: str, action: Callable[[], dict[str, Any]], *, record: bool = True
) -> int:
    """Run `action`, log one JSON line, record the metrics of `kind`; the exit status."""
    started = time.monotonic()
    try:
        result = action()
        success, error = True, None
    except (CommandFailed, OSError) as failure:
        result, success, error = {}, False, str(failure)
    duration = time.monotonic() - started
    if record and settings.metrics_dir:
        metrics.record(
            settings.metrics_dir,
            settings.stanza,
            kind,
            ended=time.time(),
            success=success,
            duration=duration,
            size=result.get("size_bytes"),
        )
    log(
        {
            "event": kind,
            "stanza": settings.stanza,
            "status": "success" if success else "failure",
            "duration_seconds": round(duration, 3),
            **result,
            **({"error": error} if error else {}),
        }
    )
    return 0 if success else EXIT_FAILED


def backup(settings: Settings, kind: str) -> int:
    if kind == "dump":

        def dump() -> dict[str, Any]:
            where, size = dumps.create(settings)
            return {"location": where, "size_bytes": size}

        return timed(settings, "dump", dump)

    def physical() -> dict[str, Any]:
        # pgBackRest expires what the retention no longer needs after each backup.
        pgbackrest.run(settings, "backup", f"--type={kind}")
        newest = pgbackrest.backups(settings)[-1]
        return {"label": newest["label"], "size_bytes": newest["info"]["repository"]["delta"]}

    return timed(settings, kind, physical)


def stanza_create(settings: Settings) -> int:
    """Once, when the database first starts: the repository's stanza, then a check that WAL
    archiving reaches it. Safe to repeat."""

    def create() -> dict[str, Any]:
        pgbackrest.run(settings, "stanza-create")
        pgbackrest.run(settings, "check")
        return {}

    return timed(settings, "stanza-create", create, record=False)


def verify(settings: Settings) -> int:
    def check() -> dict[str, Any]:
        # verify reads every backup file and WAL segment back and checks it. pgBackRest 2.45
        # exits 0 whatever it finds: its summary's "status: error" is the verdict.
        output = pgbackrest.run(settings, "verify", "--log-level-console=info")
        problems = [
            line.split("INFO: ", 1)[1]
            for line in output.splitlines()
            if re.search(r"INFO: (invalid|missing|checksum|size|unable|no )", line)
        ]
        summary = [line.strip() for line in output.splitlines() if line.startswith(" ")]
        if any(line == "status: error" for line in summary):
            raise CommandFailed("verify found problems: " + "; ".join(problems + summary[1:]))
        return {"result": "; ".join(summary)}

    return timed(settings, "verify", check)


def show(settings: Settings, as_json: bool) -> int:
    if as_json:
        print(json.dumps({"pgbackrest": pgbackrest.info(settings), "dumps": dumps.names(settings)}))
        return 0
    print(pgbackrest.run(settings, "info"), end="")
    print("logical dumps:")
    for name in dumps.names(settings):
        print(f"    {name}")
    return 0


def _running_postmaster(data_dir: Path) -> int | None:
    try:
        pid = int((data_dir / "postmaster.pid").read_text().split()[0])
    except (FileNotFoundError, ValueError, IndexError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def restore(settings: Settings, data_dir: Path, target_time: str | None, archive_mode: str) -> int:
    data_dir = data_dir.absolute()  # pgBackRest takes absolute paths only
    pid = _running_postmaster(data_dir)
    if pid is not None:
        print(
            f"refusing to restore: PostgreSQL (pid {pid}) is running on {data_dir}.\n"
            f"Restore into a new, empty directory (--data-dir NEW) and start the server there;"
            f" or stop this server first and move {data_dir} aside (mv {data_dir}"
            f" {data_dir}.old), then restore.",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    if data_dir.exists() and any(data_dir.iterdir()):
        print(
            f"refusing to restore: {data_dir} is not empty. A restore only writes into a fresh"
            f" directory: move this one aside (mv {data_dir} {data_dir}.old) or give another"
            " --data-dir.",
            file=sys.stderr,
        )
        return EXIT_REFUSED

    def restore_into() -> dict[str, Any]:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if settings.run_as:
            shutil.chown(data_dir, settings.run_as, settings.run_as)
        args = ["restore", f"--pg1-path={data_dir}", f"--archive-mode={archive_mode}"]
        if target_time:
            args += ["--type=time", f"--target={target_time}", "--target-action=promote"]
        pgbackrest.run(settings, *args)
        return {"data_dir": str(data_dir), "target": target_time or "latest"}

    return timed(settings, "restore", restore_into, record=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backup", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("backup", help="back up now: full, incr (incremental) or dump")
    run.add_argument("kind", choices=["full", "incr", "diff", "dump"])
    commands.add_parser("bucket-create", help="create repo1's S3 bucket, versioning on (once)")
    commands.add_parser("stanza-create", help="create the stanza and check archiving (first start)")
    info = commands.add_parser("info", help="list backups, the WAL range and the logical dumps")
    info.add_argument("--json", action="store_true")
    commands.add_parser("verify", help="read back every backup file and WAL segment, check them")
    res = commands.add_parser(
        "restore", help="restore the latest point, or --target-time, into a fresh data directory"
    )
    res.add_argument("--data-dir", type=Path, required=True, help="a new, empty directory")
    res.add_argument("--target-time", help='e.g. "2026-11-29 21:40:00+00" (point in time)')
    res.add_argument(
        "--archive-mode",
        choices=["preserve", "off"],
        default="preserve",
        help="off: the restored server does not archive (a copy for inspection)",
    )
    fetch = commands.add_parser("dump-get", help="decrypt a stored logical dump to stdout")
    fetch.add_argument("name", help="a name `info` lists, e.g. 20261129T020000Z.dump.aes256")
    commands.add_parser("schedule", help="run the schedule: full daily, incr hourly, dump daily")
    args = parser.parse_args(argv)

    settings = Settings()
    weak = settings.cipher_pass in ("", "changethis") or len(settings.cipher_pass) < 20
    if os.environ.get("ENVIRONMENT") == "production" and weak:
        print(
            f"refusing to run: {settings.cipher_pass_variable} (BACKUP_ENCRYPTION_KEY) is unset,"
            " the development default, or shorter than 20 characters",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    try:
        match args.command:
            case "backup":
                return backup(settings, args.kind)
            case "bucket-create":
                return timed(
                    settings, "bucket-create", lambda: dumps.create_bucket(settings), record=False
                )
            case "stanza-create":
                return stanza_create(settings)
            case "info":
                return show(settings, args.json)
            case "verify":
                return verify(settings)
            case "restore":
                return restore(settings, args.data_dir, args.target_time, args.archive_mode)
            case "dump-get":
                dumps.fetch(settings, args.name)
                return 0
            case "schedule":
                return run_schedule(settings, lambda kind: backup(settings, kind))
    except CommandFailed as failure:
        print(failure, file=sys.stderr)
        return EXIT_FAILED
    return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
