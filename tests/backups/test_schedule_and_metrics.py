"""The schedule's choice of backup each hour, and the metrics a failure leaves: no servers."""

from __future__ import annotations

from pathlib import Path

import pytest

from backup import metrics
from backup.schedule import kinds_due
from backup.settings import Settings


@pytest.mark.parametrize(
    ("hour", "kinds"), [(1, ["full"]), (2, ["incr", "dump"]), (0, ["incr"]), (13, ["incr"])]
)
def test_a_full_backup_daily_a_dump_daily_an_incremental_every_other_hour(
    hour: int, kinds: list[str]
) -> None:
    assert kinds_due(Settings(full_hour=1, dump_hour=2), hour) == kinds


def test_a_failure_keeps_the_last_success_and_says_it_failed(tmp_path: Path) -> None:
    record = {"directory": str(tmp_path), "stanza": "app", "kind": "full"}
    metrics.record(**record, ended=1000.0, success=True, duration=3.5, size=4096)
    metrics.record(**record, ended=5000.0, success=False, duration=21.0, size=None)
    metrics.record(**{**record, "kind": "incr"}, ended=6000.0, success=True, duration=1, size=8)
    text = (tmp_path / "backup.prom").read_text()
    assert 'backup_last_success_timestamp_seconds{stanza="app",type="full"} 1000.0' in text
    assert 'backup_last_run_timestamp_seconds{stanza="app",type="full"} 5000.0' in text
    assert 'backup_last_run_success{stanza="app",type="full"} 0' in text
    assert 'backup_last_size_bytes{stanza="app",type="full"} 4096' in text
    assert 'backup_last_run_success{stanza="app",type="incr"} 1' in text
    assert text.count("# TYPE backup_last_run_success gauge") == 1
