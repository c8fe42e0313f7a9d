"""The supervisor's policy: restart with growing delays, give up loudly on a crash loop, and
leave alone what the stack stopped on purpose."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from stack import supervisor
from stack.process import ManagedProcess
from stack.supervisor import Supervisor

from .helpers import wait_for


@pytest.fixture(autouse=True)
def quick_delays(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(supervisor, "RESTART_DELAYS", (0.05, 0.1, 0.2))
    monkeypatch.setattr(supervisor, "MAX_RESTARTS", 3)
    monkeypatch.setattr(supervisor, "POLL_SECONDS", 0.02)


def test_a_crash_loop_is_restarted_then_given_up_loudly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    crashing = ManagedProcess("crasher", ["sh", "-c", "exit 3"], tmp_path / "crasher.log").start()
    watcher = Supervisor(lambda: [crashing], tmp_path / "stack.log").start()
    try:
        wait_for(lambda: watcher.gave_up == ["crasher"], 10, "given up")
    finally:
        watcher.stop()

    log = (tmp_path / "stack.log").read_text()
    assert log.count("crasher restarted") == 3
    assert "GIVING UP on crasher" in log
    assert "GIVING UP on crasher" in capsys.readouterr().err
    assert (tmp_path / "crasher.log").read_text().count("restarted by the stack's supervisor") == 3


def test_a_process_stopped_on_purpose_stays_stopped(tmp_path: Path) -> None:
    sleeper = ManagedProcess("sleeper", ["sleep", "30"], tmp_path / "sleeper.log").start()
    watcher = Supervisor(lambda: [sleeper], tmp_path / "stack.log").start()
    try:
        sleeper.stop()
        time.sleep(0.5)
    finally:
        watcher.stop()

    assert not sleeper.running()
    # Only the line the supervisor writes at start: no exit, no restart.
    assert (tmp_path / "stack.log").read_text().count("\n") == 1
    assert "watching sleeper" in (tmp_path / "stack.log").read_text()
