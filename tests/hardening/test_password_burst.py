"""A signed-in user firing parallel wrong-password changes cannot drive the backend out of
memory: Argon2 (64 MiB a call) runs PASSWORD_HASH_CONCURRENCY at a time per worker."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from stack.runner import Stack

MIB = 1024 * 1024
ARGON2_MIB = 64
BURST = 30
# Python's own allocations while it holds 30 requests: well under one more Argon2 call.
SLACK_MIB = 40


def _workers(stack: Stack) -> list[int]:
    parent = stack.backend.replicas[0].pid
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    # uvicorn's workers, not multiprocessing's resource tracker.
    return [
        int(pid) for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]


def _kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


def test_parallel_wrong_password_changes_keep_memory_bounded(
    hardening_stack: Stack, backend_url: str
) -> None:
    email = f"burst-{uuid.uuid4().hex[:8]}@example.com"
    password = "burst-password-1"  # noqa: S105
    with httpx.Client(base_url=backend_url, timeout=120) as client:
        client.post(
            "/api/v1/auth/signup", json={"email": email, "password": password, "full_name": "B"}
        ).raise_for_status()
        token = client.post(
            "/api/v1/auth/login", data={"username": email, "password": password}
        ).json()["access_token"]
    workers = _workers(hardening_stack)
    assert len(workers) == 2
    before = {pid: _kib(pid, "VmRSS") for pid in workers}

    def wrong_change(_: int) -> int:
        with httpx.Client(base_url=backend_url, timeout=120) as client:
            return client.post(
                "/api/v1/users/me/password",
                headers={"Authorization": f"Bearer {token}"},
                json={"current_password": "not-the-password", "new_password": "whatever-123"},
            ).status_code

    with ThreadPoolExecutor(BURST) as pool:
        statuses = list(pool.map(wrong_change, range(BURST)))

    assert statuses == [400] * BURST
    for pid in workers:
        grown_mib = (_kib(pid, "VmHWM") - before[pid]) / 1024
        # One hash at a time: at most one Argon2 buffer above the idle worker, never BURST.
        assert grown_mib < ARGON2_MIB + SLACK_MIB, (pid, grown_mib)
