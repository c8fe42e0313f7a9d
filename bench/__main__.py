"""`make bench`: /health and an authenticated item list under wrk, with 1 and 2 workers.

Seeds one user with 10 items in a private PostgreSQL, loads the backend from this machine at
several concurrencies, and prints a table with the ratios the targets in docs/performance.md
are about. Figures, not a test: a busy machine moves them, so compare rows of one run.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass

import httpx

from bench import wrk
from stack.config import REPO_ROOT, Ports, StackConfig
from stack.process import ManagedProcess, run
from stack.services.postgres import Postgres

BACKEND_DIR = REPO_ROOT / "backend"
PYTHON = str(BACKEND_DIR / ".venv" / "bin" / "python")
CONCURRENCIES = (10, 40, 200)
ENDPOINTS = ("/health", "/api/v1/items")
PASSWORD = "benchmark-password"  # noqa: S105 - a throw-away local account


@dataclass(frozen=True)
class Case:
    workers: int
    metrics: bool
    endpoint: str
    connections: int


def plan() -> list[Case]:
    cases = [
        Case(workers, True, endpoint, c)
        for workers in (1, 2)
        for endpoint in ENDPOINTS
        for c in CONCURRENCIES
    ]
    # Metrics off, beside the same load with metrics on, to price the instrumentation.
    return cases + [Case(2, False, endpoint, 40) for endpoint in ENDPOINTS]


class _OnlyConfig:
    """What Postgres.start reads of a stack: its config."""

    def __init__(self, config: StackConfig) -> None:
        self.config = config


def start_backend(
    config: StackConfig, env: dict[str, str], workers: int, metrics: bool
) -> tuple[ManagedProcess, str]:
    process = ManagedProcess(
        f"backend-{workers}w",
        [PYTHON, "-m", "app.serve"],
        config.log_dir / f"backend-{workers}w-metrics-{metrics}.log",
        env={**env, "WEB_WORKERS": str(workers), "METRICS_ENABLED": str(metrics).lower()},
        cwd=BACKEND_DIR,
    ).start()
    url = f"http://127.0.0.1:{config.ports.backend}"
    try:
        process.wait_http(f"{url}/health/ready", timeout=120)
    except BaseException:
        process.stop()
        raise
    return process, url


def seed(url: str) -> dict[str, str]:
    """One user with 10 items; answers the headers that authenticate as them."""
    email = "bench@example.com"
    with httpx.Client(base_url=url, timeout=30) as client:
        client.post(
            "/api/v1/auth/signup", json={"email": email, "password": PASSWORD, "full_name": "B"}
        )
        login = client.post("/api/v1/auth/login", data={"username": email, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        total = client.get("/api/v1/items", headers=headers).json()["total"]
        for n in range(total, 10):
            client.post("/api/v1/items", headers=headers, json={"title": f"item {n}"})
    return headers


def print_row(case: Case, result: wrk.Result) -> None:
    print(
        f"{case.workers:>7} {'on' if case.metrics else 'off':>7} {case.endpoint:<14}"
        f" {case.connections:>5} {result.requests_per_second:>9.0f} {result.p50_ms:>8.2f}"
        f" {result.p99_ms:>8.2f} {result.non_2xx:>7} {result.socket_errors:>6}",
        flush=True,
    )


def print_summary(results: dict[Case, wrk.Result]) -> None:
    def rps(workers: int, endpoint: str, connections: int, metrics: bool = True) -> float:
        return results[Case(workers, metrics, endpoint, connections)].requests_per_second

    print("\nitems list / health, requests/s (target: at least 0.40)")
    for workers in (1, 2):
        ratios = [
            rps(workers, ENDPOINTS[1], c) / rps(workers, ENDPOINTS[0], c) for c in CONCURRENCIES
        ]
        shown = "  ".join(f"c={c}: {r:.2f}" for c, r in zip(CONCURRENCIES, ratios, strict=True))
        print(f"  {workers} worker(s): {shown}")
    failed_at_200 = sum(
        r.non_2xx + r.socket_errors for case, r in results.items() if case.connections == 200
    )
    print(f"\nnon-2xx answers and socket errors at concurrency 200 (target: 0): {failed_at_200}")
    print("\ncost of metrics, 2 workers, concurrency 40 (target: under 5%)")
    for endpoint in ENDPOINTS:
        on, off = rps(2, endpoint, 40), rps(2, endpoint, 40, metrics=False)
        print(f"  {endpoint:<14} on {on:.0f}/s, off {off:.0f}/s: {(off - on) / off:+.1%}")


def main() -> int:
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__)
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    args = parser.parse_args()

    # A private cluster and ports of its own (below the ephemeral range), apart from `make stack`.
    config = StackConfig(
        state_dir=REPO_ROOT / ".stack" / "bench", ports=Ports().shifted(3_000), database_url=None
    )
    config.log_dir.mkdir(parents=True, exist_ok=True)
    postgres = Postgres()
    postgres.start(_OnlyConfig(config))  # type: ignore[arg-type]
    env = {
        "DATABASE_URL": postgres.url,
        "HOST": "127.0.0.1",
        "PORT": str(config.ports.backend),
        "PROMETHEUS_MULTIPROC_DIR": str(config.state_dir / "metrics"),
    }
    results: dict[Case, wrk.Result] = {}
    try:
        run([PYTHON, "-m", "app.prestart"], "prestart", cwd=BACKEND_DIR, env={**os.environ, **env})
        print(
            f"{'workers':>7} {'metrics':>7} {'endpoint':<14} {'conc':>5} {'req/s':>9}"
            f" {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>7} {'errors':>6}"
        )
        for workers, metrics in ((1, True), (2, True), (2, False)):
            backend, url = start_backend(config, env, workers, metrics)
            try:
                headers = seed(url)
                for case in plan():
                    if (case.workers, case.metrics) == (workers, metrics):
                        result = wrk.run(
                            f"{url}{case.endpoint}", case.connections, args.seconds, headers
                        )
                        results[case] = result
                        print_row(case, result)
            finally:
                backend.stop()
    finally:
        postgres.stop()
    print_summary(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
