"""One database cluster, and the backend on it, as the native stack runs them; the backup tool
run against it exactly as an operator runs it (`python -m backup ...`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx

from stack.config import REPO_ROOT, Ports, StackConfig
from stack.process import port_open
from stack.runner import Stack

PASSWORD = "correct horse battery staple"  # noqa: S105 - drill accounts only


@dataclass
class Site:
    stack: Stack
    with_backend: bool

    @classmethod
    def start(
        cls,
        state_dir: Path,
        postgres_port: int,
        backend_port: int,
        backup_env: dict[str, str],
        with_backend: bool = True,
        backups: bool = True,
    ) -> Site:
        state_dir.mkdir(parents=True, exist_ok=True)
        state_dir.chmod(0o755)  # the postgres user runs the cluster inside it
        config = StackConfig(
            state_dir=state_dir,
            ports=Ports(postgres=free_port(postgres_port), backend=free_port(backend_port)),
            database_url=None,
            backend_workers=1,
            backup_env=backup_env,
            backups=backups,
            # Only PostgreSQL and the backend run here: the item list reads the database.
            cache_enabled=False,
        )
        stack = Stack(config)
        config.log_dir.mkdir(parents=True, exist_ok=True)
        stack.postgres.start()
        site = cls(stack, with_backend)
        if with_backend:
            try:
                stack.backend.start()
            except BaseException:
                stack.postgres.stop()
                raise
        return site

    @property
    def data_dir(self) -> Path:
        return self.stack.config.state_dir / "postgres"

    @property
    def api_url(self) -> str:
        return self.stack.backend.url()

    @property
    def metrics_file(self) -> Path:
        return self.stack.config.textfile_dir / "backup.prom"

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.api_url, timeout=10)

    def stop(self) -> None:
        if self.with_backend:
            self.stack.backend.stop()
        self.stack.postgres.stop()

    def crash(self) -> None:
        """The server dies at once: no shutdown checkpoint, no last WAL switch."""
        if self.with_backend:
            self.stack.backend.stop()
        process = self.stack.postgres.process
        assert process is not None
        assert process.proc is not None
        os.killpg(process.pid, signal.SIGKILL)
        process.proc.wait(10)

    def psql(self, sql: str) -> str:
        port = str(self.stack.config.ports.postgres)
        argv = ["psql", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-d", "app", "-tAc", sql]
        return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip()

    def tool(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`python -m backup ARGS` with this site's settings; the caller checks the outcome."""
        return run_tool(self.stack.postgres.env, *args)

    def start_tool(self, *args: str) -> subprocess.Popen[str]:
        """`python -m backup ARGS` in the background, as `tool` runs it: to break something
        while it works; the caller collects the outcome with `communicate()`."""
        return subprocess.Popen(
            self.tool_argv(*args),
            cwd=REPO_ROOT,
            env=self.tool_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def tool_argv(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "backup", *args]

    def tool_env(self) -> dict[str, str]:
        return {**os.environ, **self.stack.postgres.env}

    def snapshot(self) -> dict[str, tuple[int, str]]:
        """Per table: the row count and an MD5 of the rows in order."""
        tables = self.psql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").split()
        result = {}
        for table in sorted(tables):
            count, digest = self.psql(
                "SELECT count(*), coalesce(md5(string_agg(r::text, E'\\n' ORDER BY r::text)), '')"
                f' FROM public."{table}" r'
            ).split("|")
            result[table] = (int(count), digest)
        return result


def free_port(first: int) -> int:
    """The first port from `first` on, within a block of 50, that nothing listens on: the
    machine is shared, and another server on a port would answer in this one's place."""
    for port in range(first, first + 50):
        if not port_open(port):
            return port
    raise RuntimeError(f"no free port in {first}-{first + 49}")


def run_tool(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m backup ARGS`, run from the repository root as an operator runs it."""
    return subprocess.run(
        [sys.executable, "-m", "backup", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        timeout=300,
    )


def sign_up(client: httpx.Client, email: str) -> str:
    signup = {"email": email, "password": PASSWORD, "full_name": "Drill"}
    assert client.post("/api/v1/auth/signup", json=signup).status_code == 201
    return log_in(client, email)


def log_in(client: httpx.Client, email: str) -> str:
    login = client.post("/api/v1/auth/login", data={"username": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    token: str = login.json()["access_token"]
    return token


def create_item(client: httpx.Client, token: str, title: str) -> None:
    created = client.post(
        "/api/v1/items", json={"title": title}, headers={"Authorization": f"Bearer {token}"}
    )
    assert created.status_code == 201, created.text


def item_titles(client: httpx.Client, token: str) -> set[str]:
    page = client.get(
        "/api/v1/items", params={"limit": 100}, headers={"Authorization": f"Bearer {token}"}
    )
    assert page.status_code == 200, page.text
    return {item["title"] for item in page.json()["items"]}
