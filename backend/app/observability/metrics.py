"""Prometheus metrics, correct when uvicorn runs several worker processes.

With PROMETHEUS_MULTIPROC_DIR set (app/serve.py sets it), every worker writes its samples to
files in that folder and a scrape, whichever worker answers it, sums them all. Gauges say how
to combine workers: `livesum` adds up the workers alive now.
"""

from __future__ import annotations

import functools
import os
import resource
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

if _folder := os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # Every process that imports the app writes its samples there (prestart too), so the
    # folder must exist before the first metric below is created.
    Path(_folder).mkdir(parents=True, exist_ok=True)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter("http_requests_total", "HTTP requests answered", ["method", "route", "status"])
REQUEST_DURATION = Histogram(
    "http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method", "route", "status"],
    buckets=LATENCY_BUCKETS,
)
REQUESTS_IN_PROGRESS = Gauge(
    "http_requests_in_progress",
    "HTTP requests being answered now",
    ["method"],
    multiprocess_mode="livesum",
)

POOL_IN_USE = Gauge(
    "db_pool_connections_in_use", "Connections checked out of the pool", multiprocess_mode="livesum"
)
POOL_IDLE = Gauge(
    "db_pool_connections_idle", "Open connections waiting in the pool", multiprocess_mode="livesum"
)
POOL_OVERFLOW = Gauge(
    "db_pool_connections_overflow",
    "Connections open beyond the pool size",
    multiprocess_mode="livesum",
)
POOL_SIZE = Gauge("db_pool_size", "Configured pool size", multiprocess_mode="livesum")
POOL_MAX = Gauge(
    "db_pool_max_connections", "Pool size plus allowed overflow", multiprocess_mode="livesum"
)
POOL_ACQUIRE_DURATION = Histogram(
    "db_pool_acquire_duration_seconds",
    "Time a request waited for a database connection",
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
POOL_TIMEOUTS = Counter(
    "db_pool_timeouts", "Requests answered 503 because no database connection came in time"
)

APP_INFO = Gauge(
    "app_info", "Version of the running service", ["version", "commit"], multiprocess_mode="max"
)
WORKERS = Gauge("app_workers", "Live worker processes", multiprocess_mode="livesum")
SIGNUPS = Counter("app_signups", "Accounts created")
LOGINS = Counter("app_logins", "Log-in attempts", ["result"])
ITEMS_CREATED = Counter("app_items_created", "Items created")

# The item list's cache in Redis (app/cache.py).
CACHE_LOOKUPS = Counter(
    "app_cache_lookups",
    "Item list cache lookups: hit, miss, or skipped after a Redis error",
    ["result"],
)
CACHE_ERRORS = Counter(
    "app_cache_errors",
    "Redis calls that failed or timed out (answered from PostgreSQL)",
    ["operation"],
)
CACHE_DURATION = Histogram(
    "app_cache_redis_duration_seconds",
    "Time of successful Redis calls",
    ["operation"],
    buckets=(0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25),
)
# Every series exists from the start at zero, so a dashboard shows 0 errors, not "No data".
for _result in ("hit", "miss", "skipped"):
    CACHE_LOOKUPS.labels(result=_result)
for _operation in ("lookup", "store", "bump"):
    CACHE_ERRORS.labels(operation=_operation)
    CACHE_DURATION.labels(operation=_operation)

# The standard process collector only sees the process answering the scrape; in multiprocess
# mode each worker publishes its own figures under the standard names and the scrape adds them.
# They are not registered in the default registry, which already has a process collector.
_PROCESS_MEMORY = Gauge(
    "process_resident_memory_bytes",
    "Resident memory of the worker processes",
    multiprocess_mode="livesum",
    registry=None,
)
_PROCESS_CPU = Gauge(
    "process_cpu_seconds_total",
    "CPU time of the worker processes",
    multiprocess_mode="livesum",
    registry=None,
)
_PROCESS_FDS = Gauge(
    "process_open_fds",
    "Open file descriptors of the worker processes",
    multiprocess_mode="livesum",
    registry=None,
)


# Label lookups cost more than the increments: the children of each label combination are
# looked up once. The combinations are few (methods x route templates x statuses).
@functools.lru_cache(maxsize=4096)
def _request_children(method: str, route: str, status: int) -> tuple[Counter, Histogram]:
    labels = {"method": method, "route": route, "status": str(status)}
    return REQUESTS.labels(**labels), REQUEST_DURATION.labels(**labels)


@functools.lru_cache(maxsize=16)
def _in_progress(method: str) -> Gauge:
    return REQUESTS_IN_PROGRESS.labels(method=method)


def request_started(method: str) -> None:
    _in_progress(method).inc()


def request_finished(method: str, route: str, status: int, duration: float) -> None:
    _in_progress(method).dec()
    count, latency = _request_children(method, route, status)
    count.inc()
    latency.observe(duration)


def multiprocess_dir() -> Path | None:
    value = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return Path(value) if value else None


def publish_process_stats() -> None:
    """Record this worker's memory, CPU and open files (multiprocess mode only)."""
    if multiprocess_dir() is None:
        return
    times = os.times()
    _PROCESS_CPU.set(times.user + times.system)
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        _PROCESS_MEMORY.set(pages * resource.getpagesize())
        _PROCESS_FDS.set(len(os.listdir("/proc/self/fd")))
    except OSError:  # not Linux: memory and fds are unknown, CPU is still right
        pass


def worker_started(version: str, commit: str) -> None:
    APP_INFO.labels(version=version, commit=commit).set(1)
    WORKERS.set(1)
    publish_process_stats()


def worker_stopped() -> None:
    """Drop this worker's live gauges so the sums only count workers still running."""
    if multiprocess_dir() is not None:
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


def render() -> tuple[bytes, str]:
    """The exposition text for a scrape, summed over all workers."""
    if multiprocess_dir() is None:
        return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
    publish_process_stats()
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return generate_latest(registry), CONTENT_TYPE_LATEST
