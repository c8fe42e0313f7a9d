"""`make bench`: /health and an authenticated item list under wrk, with 1 and 2 workers.

Seeds one user with 10 items in a private PostgreSQL and loads the backend from this machine:
first each endpoint at several concurrencies with 1 and with 2 workers: /health, the item list
with the cache off, the same list with the cache in Redis warm, and a mixed load of lists with
one edit in ten by the same users (bench/mixed.py); then the price of the metrics, with two
servers side by side (metrics on, metrics off) loaded in alternation; last the ceiling: the
same item list served without SQLAlchemy (bench/ceiling.py), loaded in alternation with the
real routes on one server. Prints the table and the ratios the targets in docs/performance.md
are about. Figures, not a test: a busy machine moves them, so compare rows of one run.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench import mixed, wrk
from bench.cpu import group_cpu_seconds
from stack.config import REPO_ROOT, Ports, StackConfig
from stack.process import ManagedProcess, run
from stack.runner import Stack

BACKEND_DIR = REPO_ROOT / "backend"
PYTHON = str(BACKEND_DIR / ".venv" / "bin" / "python")
CONCURRENCIES = (10, 40, 200)
HEALTH, ITEMS = ENDPOINTS = ("/health", "/api/v1/items")
# The rows of the throughput table: what is loaded, and on which of the two servers.
WARM, MIXED = "items, cache warm", "items, mixed 10% w"
ROWS = (HEALTH, ITEMS, WARM, MIXED)
CEILING = "/bench/items"  # the item list without SQLAlchemy, added by bench/ceiling.py
METRICS_ROUNDS = 6  # even: each server goes first equally often
CEILING_ROUNDS = 4  # even: each endpoint order as often as its reverse
PASSWORD = "benchmark-password"  # noqa: S105 - a throw-away local account


@dataclass(frozen=True)
class Measure:
    """One wrk run and the backend CPU it cost."""

    result: wrk.Result
    cpu_ms_per_request: float


class BenchServer:
    """One server (`python -m app.serve` or bench.ceiling) on its own port, and how to load it."""

    def __init__(
        self,
        config: StackConfig,
        env: dict[str, str],
        port: int,
        module: str = "app.serve",
        **settings: str,
    ):
        self.url = f"http://127.0.0.1:{port}"
        name = "-".join([module, *(f"{k}-{v}" for k, v in settings.items())]).lower()
        name = re.sub(r"[^a-z0-9._-]+", "-", name)  # a file name, whatever the settings hold
        self.process = ManagedProcess(
            f"backend {name}",
            [PYTHON, "-m", module],
            config.log_dir / f"backend-{name}.log",
            env={
                **env,
                **settings,
                "PORT": str(port),
                "PROMETHEUS_MULTIPROC_DIR": str(config.state_dir / f"metrics-{port}"),
                "PYTHONPATH": str(REPO_ROOT),  # for bench.ceiling
            },
            cwd=BACKEND_DIR,
        )
        self.headers: dict[str, str] = {}
        self.script: Path | None = None  # the mixed load's wrk script, once seeded

    def load(
        self, endpoint: str, connections: int, seconds: int, script: Path | None = None
    ) -> Measure:
        cpu_before = group_cpu_seconds(self.process.pid)
        headers = {} if script else self.headers
        result = wrk.run(f"{self.url}{endpoint}", connections, seconds, headers, script)
        cpu_ms = (group_cpu_seconds(self.process.pid) - cpu_before) * 1000
        return Measure(result, cpu_ms / max(result.requests, 1))

    def load_warm(self, endpoint: str, seconds: int) -> Measure:
        """At 40 connections, after an unmeasured 1 s run: the first run after a switch of
        endpoint runs slower."""
        self.load(endpoint, 40, 1)
        return self.load(endpoint, 40, seconds)


@contextmanager
def running(*backends: BenchServer) -> Iterator[None]:
    try:
        for backend in backends:
            backend.process.start()
        for backend in backends:
            backend.process.wait_http(f"{backend.url}/health/ready", timeout=120)
            backend.headers = seed(backend.url)
        yield
    finally:
        for backend in backends:
            backend.process.stop()


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


def print_row(label: str, endpoint: str, connections: int, measure: Measure) -> None:
    r = measure.result
    print(
        f"{label:<12} {endpoint:<18} {connections:>5} {r.requests_per_second:>9.0f}"
        f" {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} {r.non_2xx:>7} {r.socket_errors:>6}"
        f" {measure.cpu_ms_per_request:>7.3f}",
        flush=True,
    )


def throughput_by_workers(
    config: StackConfig, env: dict[str, str], redis_url: str, seconds: int
) -> dict[tuple[int, str, int], Measure]:
    """Each row at each concurrency, with 1 and 2 workers: two servers up, cache off and on."""
    measures = {}
    for workers in (1, 2):
        off = BenchServer(config, env, config.ports.backend, WEB_WORKERS=str(workers))
        on = BenchServer(
            config,
            env,
            config.ports.backend + 3,
            WEB_WORKERS=str(workers),
            CACHE_ENABLED="true",
            REDIS_URL=redis_url,
        )
        with running(off, on):
            script = mixed.write_script(mixed.seed_users(on.url), config.state_dir / "mixed.lua")
            for row in ROWS:
                backend = on if row in (WARM, MIXED) else off
                for connections in CONCURRENCIES:
                    measure = backend.load(
                        HEALTH if row == HEALTH else ITEMS,
                        connections,
                        seconds,
                        script if row == MIXED else None,
                    )
                    measures[workers, row, connections] = measure
                    print_row(f"{workers} worker(s)", row, connections, measure)
    return measures


def metrics_cost(
    config: StackConfig, env: dict[str, str], seconds: int
) -> dict[tuple[bool, str], list[Measure]]:
    """Metrics on and off, two servers up at once, loaded in turn, so drift hits both alike.

    One worker each: on two cores shared with wrk, two servers of two workers each are mostly
    measuring how the scheduler places five busy processes.
    """
    servers = {
        enabled: BenchServer(
            config,
            env,
            config.ports.backend + offset,
            WEB_WORKERS="1",
            METRICS_ENABLED=str(enabled).lower(),
        )
        for offset, enabled in enumerate((True, False))
    }
    measures: dict[tuple[bool, str], list[Measure]] = {}
    with running(*servers.values()):
        for round_ in range(METRICS_ROUNDS):
            # Each round swaps which server goes first, so neither always follows the other.
            order = list(servers.items())[:: 1 if round_ % 2 == 0 else -1]
            for endpoint in ENDPOINTS:
                for enabled, backend in order:
                    measure = backend.load_warm(endpoint, seconds)
                    measures.setdefault((enabled, endpoint), []).append(measure)
                    label = f"metrics {'on' if enabled else 'off'}"
                    print_row(label, endpoint, 40, measure)
    return measures


def sqlalchemy_share(
    config: StackConfig, env: dict[str, str], seconds: int
) -> dict[str, list[Measure]]:
    """/health, the item list, and the item list without SQLAlchemy: one server, in turn."""
    backend = BenchServer(
        config, env, config.ports.backend + 2, module="bench.ceiling", WEB_WORKERS="1"
    )
    endpoints = (HEALTH, ITEMS, CEILING)
    measures: dict[str, list[Measure]] = {}
    with running(backend):
        # The same work, or the comparison means nothing.
        pages = [
            httpx.get(f"{backend.url}{e}", headers=backend.headers).json() for e in endpoints[1:]
        ]
        if pages[0] != pages[1]:
            raise RuntimeError(f"{CEILING} answers otherwise than {ITEMS}: {pages}")
        for round_ in range(CEILING_ROUNDS):
            for endpoint in endpoints[:: 1 if round_ % 2 == 0 else -1]:
                measure = backend.load_warm(endpoint, seconds)
                measures.setdefault(endpoint, []).append(measure)
                print_row("ceiling", endpoint, 40, measure)
    return measures


def medians(measures: list[Measure]) -> tuple[float, float]:
    """The median requests/s and the median CPU ms per request of repeated runs."""
    return (
        statistics.median(m.result.requests_per_second for m in measures),
        statistics.median(m.cpu_ms_per_request for m in measures),
    )


def print_summary(
    by_workers: dict[tuple[int, str, int], Measure],
    by_metrics: dict[tuple[bool, str], list[Measure]],
    by_ceiling: dict[str, list[Measure]],
) -> None:
    def rps(workers: int, endpoint: str, connections: int) -> float:
        return by_workers[workers, endpoint, connections].result.requests_per_second

    print("\nshare of /health's requests/s (targets: cache off 0.30, cache warm 0.60 at c=10, 40)")
    for workers in (1, 2):
        for row in ROWS[1:]:
            ratios = [rps(workers, row, c) / rps(workers, HEALTH, c) for c in CONCURRENCIES]
            shown = "  ".join(f"c={c}: {r:.2f}" for c, r in zip(CONCURRENCIES, ratios, strict=True))
            print(f"  {workers} worker(s) {row:<18} {shown}")
    print("backend CPU per request, ms (target: cache off at most 1.0 at c=10, 40)")
    for workers in (1, 2):
        for row in ROWS:
            cpu = "  ".join(
                f"c={c}: {by_workers[workers, row, c].cpu_ms_per_request:.3f}"
                for c in CONCURRENCIES
            )
            print(f"  {workers} worker(s) {row:<18} {cpu}")

    print("\nnon-2xx answers and socket errors at concurrency 200 (target: 0)")
    for row in ROWS:
        failed = [
            by_workers[workers, row, 200].result.non_2xx
            + by_workers[workers, row, 200].result.socket_errors
            for workers in (1, 2)
        ]
        print(f"  {row:<18} 1 worker: {failed[0]}, 2 workers: {failed[1]}")

    print(f"\ncost of metrics, 1 worker, c=40, median of {METRICS_ROUNDS} (target: under 5%)")
    for endpoint in ENDPOINTS:
        (rps_on, cpu_on), (rps_off, cpu_off) = (
            medians(by_metrics[enabled, endpoint]) for enabled in (True, False)
        )
        print(
            f"  {endpoint:<14} requests/s on {rps_on:.0f}, off {rps_off:.0f}:"
            f" {(rps_off - rps_on) / rps_off:+.1%};  CPU per request on {cpu_on:.3f} ms,"
            f" off {cpu_off:.3f} ms: {(cpu_on - cpu_off) / cpu_off:+.1%}"
        )

    print(f"\nwhat SQLAlchemy costs, 1 worker, c=40, median of {CEILING_ROUNDS} on one server")
    by_endpoint = {endpoint: medians(ms) for endpoint, ms in by_ceiling.items()}
    health_rps = by_endpoint[HEALTH][0]
    for endpoint, (rps_, cpu_ms) in by_endpoint.items():
        print(
            f"  {endpoint:<14} {rps_:>6.0f} requests/s, {rps_ / health_rps:.2f} of /health;"
            f" CPU per request {cpu_ms:.3f} ms"
        )
    (_, items_cpu), (_, ceiling_cpu) = by_endpoint[ITEMS], by_endpoint[CEILING]
    print(
        f"  {ITEMS} costs {items_cpu / ceiling_cpu - 1:+.0%} of the ceiling's CPU per request"
        " (target: within 10%)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__)
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    args = parser.parse_args()

    # A private cluster and ports of its own (below the ephemeral range), apart from `make stack`.
    config = StackConfig(
        state_dir=REPO_ROOT / ".stack" / "bench", ports=Ports().shifted(3_000), database_url=None
    )
    config.log_dir.mkdir(parents=True, exist_ok=True)
    # Only the stack's database is started: the bench runs its own backends.
    stack = Stack(config)
    postgres = stack.postgres
    postgres.start()
    env = {"DATABASE_URL": postgres.url, "HOST": "127.0.0.1"}
    stack.redis.start()
    try:
        owner = {**os.environ, **env, "DATABASE_URL": postgres.owner_url}  # the schema's owner
        run([PYTHON, "-m", "app.prestart"], "prestart", cwd=BACKEND_DIR, env=owner)
        print(
            f"{'server':<12} {'endpoint':<18} {'conc':>5} {'req/s':>9} {'p50 ms':>8}"
            f" {'p99 ms':>8} {'non-2xx':>7} {'errors':>6} {'cpu ms':>7}"
        )
        by_workers = throughput_by_workers(config, env, stack.redis.url, args.seconds)
        by_metrics = metrics_cost(config, env, args.seconds)
        by_ceiling = sqlalchemy_share(config, env, args.seconds)
    finally:
        stack.redis.stop()
        postgres.stop()
    print_summary(by_workers, by_metrics, by_ceiling)
    return 0


if __name__ == "__main__":
    sys.exit(main())
