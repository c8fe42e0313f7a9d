"""The restore drill: back up a live site, lose it, restore it twice, prove what came back.

Through the app's own API: users sign up and create items; a full backup; more writes; an
incremental backup; time T; marker items; the server dies and its data directory is deleted.
Restored to T and to the latest point into fresh directories, each serves the backend again
with exactly the rows that existed at that point. Prints a JSON report with the measured
recovery time (RTO) and data-loss window (RPO) and fails when either exceeds its budget.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

from .conftest import RPO_BUDGET_SECONDS, RTO_BUDGET_SECONDS
from .s3 import S3Server
from .site import Site, create_item, item_titles, log_in, run_tool, sign_up

# First candidates for (PostgreSQL, backend); each site takes the next free ones.
ORIGIN = (31500, 31600)
RESTORED_AT_T = (31550, 31650)
RESTORED_LATEST = (31700, 31750)


def _ok(result: subprocess.CompletedProcess[str]) -> dict[str, object]:
    """The JSON line of a successful run."""
    assert result.returncode == 0, f"{result.stdout}{result.stderr}"
    line: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    assert line["status"] == "success"
    return line


def _wait_archived(site: Site, walfile: str, timeout: float) -> float:
    """Wait until PostgreSQL reports `walfile` archived; returns when it was."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        archived = site.psql("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver")
        if archived >= walfile:
            return time.time()
        time.sleep(0.5)
    raise AssertionError(f"{walfile} not archived after {timeout:.0f}s")


def _restore(
    site_env: dict[str, str], drill_dir: Path, name: str, ports: tuple[int, int], *args: str
) -> tuple[Site, float]:
    """`python -m backup restore` into a fresh directory, then the site on it; seconds taken."""
    state_dir = drill_dir / name
    started = time.monotonic()
    _ok(run_tool(site_env, "restore", "--data-dir", str(state_dir / "postgres"), *args))
    # A restored copy gets no stanza check: the point-in-time copy does not archive at all.
    site = Site.start(state_dir, *ports, backup_env=_repo_env(site_env), backups=False)
    return site, time.monotonic() - started


def _repo_env(env: dict[str, str]) -> dict[str, str]:
    return {
        k: v
        for k, v in env.items()
        if k.startswith("PGBACKREST_REPO1_")
        or k in ("PGBACKREST_IO_TIMEOUT", "PGBACKREST_ARCHIVE_TIMEOUT")
    }


def test_restore_drill(s3_server: S3Server, drill_dir: Path) -> None:
    repo = s3_server.pgbackrest_env("drill")
    _ok(run_tool(repo, "bucket-create"))
    origin = Site.start(drill_dir / "origin", *ORIGIN, backup_env=repo)
    try:
        emails = [f"drill-{n}@example.com" for n in range(4)]
        with origin.api() as api:
            tokens = {email: sign_up(api, email) for email in emails[:2]}
            for email, token in tokens.items():
                for n in range(5):
                    create_item(api, token, f"{email} item {n}")
            full = _ok(origin.tool("backup", "full"))
            for email in emails[2:]:
                tokens[email] = sign_up(api, email)
                create_item(api, tokens[email], f"{email} item 0")
            create_item(api, tokens[emails[0]], "after the full backup")
            incr = _ok(origin.tool("backup", "incr"))

            at_t = origin.snapshot()
            titles_at_t = item_titles(api, tokens[emails[0]])
            time.sleep(0.5)
            target = datetime.now(UTC)
            time.sleep(0.5)

            for n in range(3):
                create_item(api, tokens[emails[0]], f"marker {n}")
            sign_up(api, "drill-marker@example.com")
        at_loss = origin.snapshot()
        last_write = time.time()
        walfile = origin.psql("SELECT pg_walfile_name(pg_current_wal_insert_lsn())")
        archived_at = _wait_archived(origin, walfile, RPO_BUDGET_SECONDS + 30)
    finally:
        origin.crash()
    shutil.rmtree(origin.data_dir)
    env = origin.stack.postgres.env

    # Point in time: a copy that does not archive, so it never writes to the repository.
    target_text = target.strftime("%Y-%m-%d %H:%M:%S.%f+00")
    at_t_site, rto_at_t = _restore(
        env, drill_dir, "restored-at-t", RESTORED_AT_T,
        "--target-time", target_text, "--archive-mode", "off",
    )  # fmt: skip
    try:
        assert at_t_site.snapshot() == at_t
        with at_t_site.api() as api:
            assert api.get("/health/ready").status_code == 200
            token = log_in(api, emails[0])
            assert item_titles(api, token) == titles_at_t
            assert not any(t.startswith("marker") for t in titles_at_t)
    finally:
        at_t_site.stop()

    # Latest: the site as it was when it died, archiving again (the new primary).
    latest, rto_latest = _restore(env, drill_dir, "restored-latest", RESTORED_LATEST)
    try:
        assert latest.snapshot() == at_loss
        with latest.api() as api:
            assert api.get("/health/ready").status_code == 200
            token = log_in(api, emails[0])
            titles = item_titles(api, token)
            assert {"marker 0", "marker 1", "marker 2"} <= titles
            assert titles - {"marker 0", "marker 1", "marker 2"} == titles_at_t
    finally:
        latest.stop()

    report = {
        "drill": "restore",
        "full_backup": full["label"],
        "incremental_backup": incr["label"],
        "target_time": target_text,
        "rows_at_target": {table: count for table, (count, _) in at_t.items()},
        "rows_at_loss": {table: count for table, (count, _) in at_loss.items()},
        "rto_seconds": {"point_in_time": round(rto_at_t, 1), "latest": round(rto_latest, 1)},
        "rto_budget_seconds": RTO_BUDGET_SECONDS,
        "rpo_seconds": round(archived_at - last_write, 1),
        "rpo_budget_seconds": RPO_BUDGET_SECONDS,
    }
    print(json.dumps(report))
    (drill_dir.parent / "backups-drill-report.json").write_text(json.dumps(report, indent=2))
    assert max(rto_at_t, rto_latest) <= RTO_BUDGET_SECONDS, report
    assert archived_at - last_write <= RPO_BUDGET_SECONDS, report
