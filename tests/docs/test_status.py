"""`make status`, the daily check of docs/runbook.md, against the live native stack: all good
on a healthy stack, and a FAIL naming the part and exit 1 when one is down. Last in file order:
it stops an exporter (and starts it again)."""

from __future__ import annotations

import os
import subprocess

from stack.runner import Stack
from tests.monitoring.prometheus_api import PrometheusAPI, wait_for

from .conftest import DOCS_PORTS


def make_status(stack: Stack) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PROMETHEUS_URL": stack.prometheus.url,
        "ALERTMANAGER_URL": f"http://127.0.0.1:{DOCS_PORTS.alertmanager}",
        "STACK_DIR": str(stack.config.state_dir),
    }
    return subprocess.run(
        ["make", "--no-print-directory", "status"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        cwd=stack.config.repo_root,
        env=env,
    )


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
