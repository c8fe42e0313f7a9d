"""`make status`, the daily check of docs/runbook.md, against the live native stack: all good
on a healthy stack, and a FAIL naming the part and exit 1 when one is down. Last in file order:
it stops an exporter (and starts it again)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from stack.runner import Stack
from tests.monitoring.prometheus_api import PrometheusAPI, wait_for

from .conftest import run_as_operator
from .doc_commands import REPO


def make_status(stack: Stack) -> subprocess.CompletedProcess[str]:
    return run_as_operator(stack, ["make", "--no-print-directory", "status"])


FAKE_DOCKER = """#!/bin/sh
case "$2" in
  config) echo '{"services": {"backend": {"depends_on": {"prestart": {"condition":
    "service_completed_successfully"}}}, "minio": {"depends_on": {"backup-ca": {"condition":
    "service_completed_successfully"}}}, "prestart": {}, "backup-ca": {}}}' ;;
  ps) printf '%s\\n' \\
    '{"Name": "app-backend-1", "Service": "backend", "State": "running", "Health": "healthy"}' \\
    '{"Name": "app-backup-ca-1", "Service": "backup-ca", "State": "exited", "ExitCode": 0}' \\
    '{"Name": "app-prestart-1", "Service": "prestart", "State": "exited", "ExitCode": 0}' \\
    '{"Name": "app-redis-1", "Service": "redis", "State": "exited", "ExitCode": 0}' ;;
esac
"""


def test_compose_status_takes_each_one_shot_job_exited_zero_as_done(tmp_path: Path) -> None:
    """Every job others wait for (prestart, the backups' CA), found in compose's model; any
    other service exited is a failure. (tests/containers runs it against a real stack.)"""
    docker = tmp_path / "docker"
    docker.write_text(FAKE_DOCKER)
    docker.chmod(0o755)
    env = {
        "PATH": f"{tmp_path}:{os.environ['PATH']}",
        # Nothing listens there: the Prometheus sections fail apart from the containers'.
        "PROMETHEUS_URL": "http://127.0.0.1:9",
        "ALERTMANAGER_URL": "http://127.0.0.1:9",
    }
    result = subprocess.run(
        [sys.executable, "scripts/status.py", "--compose"],
        capture_output=True, text=True, check=False, timeout=60, cwd=REPO, env=env,
    )  # fmt: skip
    lines = {line.split()[1]: line.split()[0] for line in result.stdout.splitlines()
             if line.strip().startswith(("ok", "FAIL")) and "app-" in line}  # fmt: skip
    assert lines == {
        "app-backend-1": "ok",
        "app-backup-ca-1": "ok",
        "app-prestart-1": "ok",
        "app-redis-1": "FAIL",
    }, result.stdout


def test_status_is_all_good_on_a_healthy_stack(settled_stack: Stack) -> None:
    result = make_status(settled_stack)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    for section in ["native stack", "scrape targets", "alerts", "last backup", "free disk"]:
        assert section in out, f"no {section} section:\n{out}"
    for job in ["backend", "postgres", "nginx", "node", "alertmanager", "prometheus"]:
        assert f"ok    {job}" in out, f"target {job} not listed ok:\n{out}"
    assert "Watchdog firing" in out
    assert out.rstrip().endswith("all good")


def test_status_fails_and_names_a_target_that_is_down(settled_stack: Stack) -> None:
    stack = settled_stack
    prometheus = PrometheusAPI(stack.prometheus.url)
    [exporter] = [s for s in stack.services if s.name == "node-exporter"]
    exporter.stop()
    try:
        wait_for(lambda: prometheus.query('up{job="node"} == 0'), 60, "node seen down")
        result = make_status(stack)
    finally:
        exporter.start()
    assert result.returncode == 2, result.stdout  # the script's 1, as make reports a failed recipe
    [line] = [line for line in result.stdout.splitlines() if "FAIL" in line]
    assert "node" in line, result.stdout
    assert "down" in line, result.stdout
    assert "1 problem(s)" in result.stdout
