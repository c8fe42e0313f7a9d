"""Grafana's panels on an idle stack (no request yet but Prometheus's scrapes): a panel that
counts something shows 0 when it did not happen, never "No data", so an operator can tell an
idle counter from a broken query. Runs before any test here makes traffic (file order)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import httpx
import pytest

from stack.runner import Stack
from tests.monitoring.monitoring_files import dashboards, panel_queries
from tests.monitoring.prometheus_api import PrometheusAPI, wait_for
from tests.monitoring.test_live_stack import _fill_variables

# Panels that are empty with no traffic because there is nothing to show, not nothing counted:
# a latency percentile of zero requests does not exist, and drawing 0 s would be a lie.
EMPTY_WHEN_IDLE = {
    ("api-overview", "p95 latency"): "a percentile of no requests",
    ("api-overview", "Latency p50 / p95 / p99"): "a percentile of no requests",
    ("api-overview", "p95 latency by route"): "a percentile of no requests",
    ("api-overview", "Pool wait p95"): "a percentile of no connection checkouts",
    ("api-overview", "5xx ratio"): "a ratio of 5xx to zero requests is undefined (0/0)",
    ("api-overview", "Cache hit ratio"): "a ratio of hits to zero cache lookups is undefined (0/0)",
    ("api-overview", "Redis call p99"): "a percentile of no Redis calls",
}


@pytest.fixture(scope="module")
def idle_prometheus(settled_stack: Stack) -> PrometheusAPI:
    prometheus = PrometheusAPI(settled_stack.prometheus.url)
    # Two scrapes of every target inside the last minute, so rate() over 1m has its two samples.
    wait_for(
        lambda: prometheus.query("min(count_over_time(up[1m])) >= 2"),
        timeout=60,
        what="two scrapes of every target",
    )
    # Then one evaluation of every rule group after them, so recorded series have their value.
    scraped = datetime.now(UTC)
    wait_for(
        lambda: all(
            datetime.fromisoformat(group["lastEvaluation"]) > scraped
            for group in prometheus.get("rules")["groups"]
        ),
        timeout=60,
        what="every rule group evaluated after those scrapes",
    )
    return prometheus


@pytest.mark.parametrize(
    ("dashboard", "title", "expr"),
    panel_queries(),
    ids=[f"{d}:{t}:{i}" for i, (d, t, _) in enumerate(panel_queries())],
)
def test_panel_shows_a_value_on_an_idle_stack(
    idle_prometheus: PrometheusAPI, dashboard: str, title: str, expr: str
) -> None:
    query = _fill_variables(dashboards()[dashboard], expr, idle_prometheus)
    result = idle_prometheus.query(query)
    values = [s["value"][1] for s in result if s["value"][1] not in ("NaN", "+Inf", "-Inf")]
    if (dashboard, title) in EMPTY_WHEN_IDLE:
        return
    assert values, (
        f"grafana/dashboards/{dashboard}.json / {title} shows No data when nothing happened: "
        f"{expr}\n    add `or on() vector(0)` (or sum without by) so it shows 0"
    )


def test_requests_counted_so_far_are_prometheus_own(idle_prometheus: PrometheusAPI) -> None:
    """The stack really is idle: no request reached the API through nginx yet."""
    api = idle_prometheus.query('sum(http_requests_total{job="backend", route=~"/api/.*"})')
    assert not api or float(api[0]["value"][1]) == 0
    assert httpx.get(idle_prometheus.url + "/-/ready", timeout=5).status_code == 200
    assert time.time() > 0
