"""The backups failing: the storage going away mid-backup, and a corrupt file in a backup."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path

from .conftest import SITE_BUCKET as BUCKET
from .s3 import S3Server
from .site import Site


def _metric(site: Site, name: str, kind: str) -> float:
    text = site.metrics_file.read_text()
    match = re.search(rf'^{name}{{stanza="app",type="{kind}"}} (\S+)$', text, re.MULTILINE)
    assert match, f"{name} for {kind} missing from\n{text}"
    return float(match.group(1))


def _last_line(output: str) -> dict[str, object]:
    line: dict[str, object] = json.loads(output.strip().splitlines()[-1])
    return line


def _archiver(site: Site) -> tuple[int, int, str]:
    archived, failed, last = site.psql(
        "SELECT archived_count, failed_count, coalesce(last_archived_wal, '') FROM pg_stat_archiver"
    ).split("|")
    return int(archived), int(failed), last


def _wait(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"not {what} after {timeout:.0f}s")


def test_a_backup_fails_loudly_when_the_storage_goes_away_and_the_next_succeeds(
    site: Site, s3_server: S3Server
) -> None:
    first_success = _metric(site, "backup_last_success_timestamp_seconds", "full")
    backup = site.start_tool("backup", "full")
    time.sleep(1.0)
    s3_server.stop_proxy()
    outage = time.monotonic()
    try:
        # WAL archiving fails too while the storage is away: what WalArchivingFailing watches.
        _, failed_before, _ = _archiver(site)
        site.psql("CREATE TABLE outage (n int); INSERT INTO outage VALUES (1)")
        switched = site.psql("SELECT pg_walfile_name(pg_current_wal_insert_lsn())")
        site.psql("SELECT pg_switch_wal()")
        stdout, _ = backup.communicate(timeout=180)
        failed_after = time.monotonic() - outage
        _wait(lambda: _archiver(site)[1] > failed_before, 120, "a failed archive attempt")
    finally:
        s3_server.start_proxy()
    print(f"the backup failed {failed_after:.0f}s after the storage went away")

    assert backup.returncode != 0, stdout
    failure = _last_line(stdout)
    assert failure["status"] == "failure"
    assert failure["event"] == "full"
    assert "error" in failure
    assert _metric(site, "backup_last_run_success", "full") == 0
    assert _metric(site, "backup_last_success_timestamp_seconds", "full") == first_success

    retry = site.tool("backup", "full")
    assert retry.returncode == 0, retry.stdout + retry.stderr
    assert _last_line(retry.stdout)["status"] == "success"
    assert _metric(site, "backup_last_run_success", "full") == 1
    assert _metric(site, "backup_last_success_timestamp_seconds", "full") > first_success
    # The archiver caught up by itself: the segment written during the outage is stored.
    _wait(lambda: _archiver(site)[2] >= switched, 60, f"{switched} archived after the outage")


def test_verify_finds_a_corrupt_backup_file_and_versioning_repairs_it(
    site: Site, s3_server: S3Server
) -> None:
    assert site.tool("verify").returncode == 0
    client = s3_server.client()
    newest = json.loads(site.tool("info", "--json").stdout)["pgbackrest"]["backup"][-1]["label"]
    prefix = f"pgbackrest/backup/app/{newest}/"
    listed = client.list_objects_v2(Bucket=BUCKET, Prefix=prefix)["Contents"]
    victim = max(listed, key=lambda o: o["Size"])
    key = victim["Key"]
    body = client.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    middle = len(body) // 2
    flipped = bytes(b ^ 0xFF for b in body[middle : middle + 64])
    client.put_object(Bucket=BUCKET, Key=key, Body=body[:middle] + flipped + body[middle + 64 :])

    caught = site.tool("verify")
    assert caught.returncode != 0, caught.stdout
    report = _last_line(caught.stdout)
    assert report["status"] == "failure"
    # The file inside the bundle, in the backup it belongs to.
    assert f"invalid checksum '{newest}/pg_data/" in str(report["error"])
    assert _metric(site, "backup_last_run_success", "verify") == 0

    # Bucket versioning kept the good copy: put it back, and verify passes again.
    versions = client.list_object_versions(Bucket=BUCKET, Prefix=key)["Versions"]
    [previous] = [v for v in versions if not v["IsLatest"]]
    client.copy_object(
        Bucket=BUCKET,
        Key=key,
        CopySource={"Bucket": BUCKET, "Key": key, "VersionId": previous["VersionId"]},
    )
    assert site.tool("verify").returncode == 0
    assert _metric(site, "backup_last_run_success", "verify") == 1


def test_restore_refuses_a_running_or_non_empty_data_directory(site: Site, tmp_path: Path) -> None:
    running = site.tool("restore", "--data-dir", str(site.data_dir))
    assert running.returncode == 2
    assert "PostgreSQL (pid" in running.stderr
    assert "is running on" in running.stderr
    assert "Restore into a new, empty directory" in running.stderr
    assert (site.data_dir / "PG_VERSION").exists()

    occupied = tmp_path / "data"
    occupied.mkdir()
    (occupied / "keep-me").write_text("not a database")
    refused = site.tool(
        "restore", "--data-dir", str(occupied), "--target-time", "2026-01-01 00:00:00+00"
    )
    assert refused.returncode == 2
    assert "is not empty" in refused.stderr
    assert (occupied / "keep-me").read_text() == "not a database"
