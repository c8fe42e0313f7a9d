"""The native stack brings back a service that dies, and the site recovers without a person."""

from __future__ import annotations

import subprocess
import time
import uuid

import httpx
import pytest

from stack.process import ManagedProcess
from stack.runner import Stack
from stack.services.postgres import _as_postgres, _bindir

from .helpers import children, cmdline, kill, new_user, wait_for

RECOVERY_SECONDS = 90


def _site_works(site: str, headers: dict[str, str]) -> bool:
    with httpx.Client(base_url=site, headers=headers, timeout=5) as client:
        title = f"after-{uuid.uuid4().hex[:8]}"
        created = client.post("/api/v1/items", json={"title": title})
        if created.status_code != 201:
            return False
        listed = client.get("/api/v1/items", params={"limit": 100}).json()["items"]
        return title in {item["title"] for item in listed}


def _managed(stack: Stack, service: str) -> ManagedProcess:
    process = {
        "backend": stack.backend.replicas[0],
        "postgres": stack.postgres.process,
        "nginx": stack.nginx.process,
    }[service]
    assert process is not None
    return process


def _main_pid(process: ManagedProcess) -> int:
    """The service's own main process: PostgreSQL runs under `runuser`, the others directly."""
    if "runuser" not in cmdline(process.pid):
        return process.pid
    [postmaster] = [pid for pid in children(process.pid) if "postgres" in cmdline(pid)]
    return postmaster


@pytest.mark.parametrize("service", ["backend", "postgres", "nginx"])
def test_a_killed_service_is_restarted_and_the_site_recovers(
    faults_stack: Stack, site: str, service: str
) -> None:
    headers = new_user(site)
    process = _managed(faults_stack, service)
    before = process.pid

    kill(_main_pid(process))

    wait_for(lambda: process.pid != before and process.running(), 30, f"{service} restarted")
    recovered = wait_for(lambda: _site_works(site, headers), RECOVERY_SECONDS, "serving again")
    print(f"{service}: the site served again {recovered:.1f} s after the restart")
    log = (faults_stack.config.log_dir / "stack.log").read_text()
    assert f"{process.name} exited unexpectedly" in log
    assert f"{process.name} restarted (pid {process.pid})" in log


def test_a_backend_stopped_on_purpose_stays_down_and_nginx_answers_502_json(
    faults_stack: Stack, site: str
) -> None:
    replica = faults_stack.backend.replicas[0]
    replica.stop()
    try:
        time.sleep(2)  # several supervisor polls
        assert not replica.running(), "the supervisor restarted a replica stopped on purpose"
        answer = httpx.get(f"{site}/api/v1/items", timeout=10)
    finally:
        replica.start()
        replica.wait_http(f"{faults_stack.backend.url()}/health/ready", timeout=90)

    assert answer.status_code == 502
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.headers["Retry-After"] == "1"
    assert answer.json()["error"] == "bad_gateway"


def test_postgres_stopped_by_hand_per_the_runbook_comes_back_under_the_stack(
    faults_stack: Stack, site: str
) -> None:
    """docs/runbooks/PostgresDown.md: `pg_ctl stop`, and the supervisor starts it again."""
    headers = new_user(site)
    process = _managed(faults_stack, "postgres")
    before = process.pid
    pg_ctl = str(_bindir() / "pg_ctl")
    data = str(faults_stack.config.state_dir / "postgres")

    subprocess.run(_as_postgres([pg_ctl, "-D", data, "stop", "-m", "fast"]), check=True)

    wait_for(lambda: process.pid != before and process.running(), 30, "postgres restarted")
    wait_for(lambda: _site_works(site, headers), RECOVERY_SECONDS, "serving again")
