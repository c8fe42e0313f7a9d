"""The smoke shape through nginx, judged by the thresholds in loadtests/settings.toml, and the
gate itself failing a run against a slow backend. About two minutes together."""

from __future__ import annotations

import json
from collections.abc import Callable

from .conftest import LoadRun

# The gate's own run: only the test-only slow route, which sleeps 0.6 s per request, so p95 and
# the backend's own histogram break the 500 ms limit while p99 (1000 ms), the error ratio and the
# request rate stay within theirs.
SLOW_BACKEND = """
[users]
readers = 0
writers = 0
newcomers = 0
slow_route = 1
slow_route_seconds = 0.6
think_min_seconds = 0.1
think_max_seconds = 0.3

[shapes.smoke]
users = 4
spawn_rate = 4
duration_seconds = 15
"""


def test_smoke_meets_its_thresholds_and_leaves_no_data(
    run_shape: Callable[..., LoadRun], database: Callable[[str], str]
) -> None:
    run = run_shape("smoke")
    assert run.returncode == 0, run.output
    summary = run.summary()
    assert summary.startswith("loadtest smoke PASS: "), summary
    assert "BREACH" not in summary
    # Every figure says where it comes from: the client's exact percentiles and the backend's
    # histogram in Prometheus, plus resource use from the exporters over the run.
    assert "(client, exact over" in summary
    assert "(server, Prometheus histogram over" in summary
    record = json.loads((run.results / "summary.json").read_text())
    assert record["server_requests"] > 0
    resources = record["resources"]
    for name in (
        "backend CPU",
        "backend memory peak",
        "pool wait mean",
        "PostgreSQL query time",
        "PostgreSQL CPU",
        "PostgreSQL memory peak",
    ):
        assert resources[name] is not None, f"{name}: no data in Prometheus"
    assert resources["backend memory peak"] > 10  # MiB: a real figure, not a stray zero
    # MiB: the cluster's processes and the shared buffers they touched, not a stray zero.
    assert 5 < resources["PostgreSQL memory peak"] < 2048
    assert 0 < resources["PostgreSQL CPU"] < 2  # cores: the smoke's queries cost some, not all
    # Locust's own reports are there for people to open.
    for name in ("report.html", "locust_stats.csv", "locust_stats_history.csv"):
        assert (run.results / name).stat().st_size > 0, name
    # Readers, writers and newcomers all ran...
    stats = (run.results / "locust_stats.csv").read_text()
    for route in ("/api/v1/items/[id]", "/api/v1/auth/signup", "PATCH"):
        assert route in stats
    # ...and everything they created is gone again.
    assert database("SELECT count(*) FROM users WHERE email LIKE 'lt-%'") == "0"
    assert database("SELECT count(*) FROM items") == "0"


def test_a_slow_backend_fails_the_gate_with_one_line_per_breach(
    run_shape: Callable[..., LoadRun],
) -> None:
    run = run_shape("smoke", SLOW_BACKEND)
    assert run.returncode == 1, run.output
    breaches = [line for line in run.summary().splitlines() if line.startswith("BREACH")]
    assert len(breaches) == 2, breaches
    client, server = breaches
    assert client.startswith("BREACH p95 latency: ")
    assert "ms > 500 ms (client, exact over" in client
    assert server.startswith("BREACH p95 latency: 0.0% of requests within 500 ms, needs 95% ")
    assert "(server, Prometheus histogram over" in server
    # The same lines reach the console, where CI shows them.
    assert client in run.output
    assert server in run.output
    assert run.summary().startswith("loadtest smoke FAIL: ")
