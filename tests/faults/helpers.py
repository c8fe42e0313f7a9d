"""Waiting for the site, finding processes, a client that retries creates with a key."""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx

PASSWORD = "correct horse battery staple"  # noqa: S105 - test accounts only
RETRIED_STATUSES = {502, 503, 504}


def wait_for(check: Callable[[], bool], timeout: float, what: str) -> float:
    """Seconds until `check` holds; fails after `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if check():
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"not {what} after {timeout}s")


def children(pid: int) -> list[int]:
    """Direct child processes of `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)


def new_user(site: str) -> dict[str, str]:
    """A fresh account's Authorization header."""
    email = f"faults-{uuid.uuid4().hex[:12]}@example.com"
    with httpx.Client(base_url=site, timeout=10) as client:
        body = {"email": email, "password": PASSWORD, "full_name": "Faults"}
        assert client.post("/api/v1/auth/signup", json=body).status_code == 201
        login = client.post("/api/v1/auth/login", data={"username": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def all_titles(site: str, headers: dict[str, str]) -> list[str]:
    titles: list[str] = []
    with httpx.Client(base_url=site, headers=headers, timeout=10) as client:
        while True:
            page = client.get("/api/v1/items", params={"offset": len(titles), "limit": 100})
            page.raise_for_status()
            items = page.json()["items"]
            titles += [item["title"] for item in items]
            if not items:
                return titles
