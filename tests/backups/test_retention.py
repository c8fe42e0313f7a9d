"""Retention never deletes the last good full backup: not when the newest full backup failed,
not under the tightest retention pgBackRest accepts, and what it keeps restores."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from .s3 import S3Server
from .site import Site, run_tool

# First candidates for (PostgreSQL, backend), away from the other sites of tests/backups.
ORIGIN = (31470, 31860)
RESTORED = (31480, 31870)


def _fulls(site: Site) -> list[str]:
    info = json.loads(site.tool("info", "--json").stdout)["pgbackrest"]
    return [b["label"] for b in info.get("backup", []) if b["type"] == "full"]


def _expire(site: Site, *options: str) -> subprocess.CompletedProcess[str]:
    """pgBackRest's expire as every backup runs it, with `options` for the retention."""
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", "pgbackrest", "--stanza=app", "expire", *options],
        capture_output=True,
        text=True,
        check=False,
        env=site.tool_env(),
        timeout=120,
    )


def test_retention_never_deletes_the_last_good_full_backup(
    s3_server: S3Server, drill_dir: Path
) -> None:
    env = s3_server.pgbackrest_env("retention")
    created = run_tool(env, "bucket-create")
    assert created.returncode == 0, created.stdout + created.stderr
    # A new cluster: its stanza and a first full backup (stack/services/postgres.py).
    site = Site.start(drill_dir / "retention", *ORIGIN, backup_env=env, with_backend=False)
    restored: Site | None = None
    try:
        [first] = _fulls(site)
        site.psql("CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)")
        good = site.tool("backup", "full")
        assert good.returncode == 0, good.stdout + good.stderr
        [_, last_good] = _fulls(site)

        # The newest full backup fails: the storage goes away in the middle of it.
        attempt = site.start_tool("backup", "full")
        time.sleep(1.0)
        s3_server.stop_proxy()
        try:
            stdout, _ = attempt.communicate(timeout=180)
        finally:
            s3_server.start_proxy()
        assert attempt.returncode != 0, stdout
        assert _fulls(site) == [first, last_good]

        # A retention that would delete every full backup is refused; the tightest accepted
        # (one full) expires the older one and keeps the last good one, not the failed attempt.
        nothing = _expire(site, "--repo1-retention-full-type=count", "--repo1-retention-full=0")
        assert nothing.returncode != 0
        assert "out of range" in nothing.stdout + nothing.stderr
        tightest = _expire(site, "--repo1-retention-full-type=count", "--repo1-retention-full=1")
        assert tightest.returncode == 0, tightest.stdout + tightest.stderr
        assert _fulls(site) == [last_good]
        # The time retention the repository runs with (14 days) keeps it as well.
        assert _expire(site).returncode == 0
        assert _fulls(site) == [last_good]

        verified = site.tool("verify")
        assert verified.returncode == 0, verified.stdout + verified.stderr
        restore_dir = drill_dir / "retention-restored"
        # A copy beside the live cluster: it must not archive into the same stanza.
        done = site.tool(
            "restore", "--data-dir", str(restore_dir / "postgres"), "--archive-mode", "off"
        )
        assert done.returncode == 0, done.stdout + done.stderr
        restored = Site.start(
            restore_dir, *RESTORED, backup_env=env, with_backend=False, backups=False
        )
        assert restored.psql("SELECT n FROM kept") == "42"
    finally:
        if restored is not None:
            restored.stop()
        site.stop()
