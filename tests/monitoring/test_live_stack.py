"""The monitoring watching the live native stack while traffic flows through nginx.

Runs in file order: the checks of what Prometheus sees first, the outage last.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from stack.runner import Stack
from stack.services.prometheus import scrape_jobs

from .conftest import TrafficWindow
from .monitoring_files import dashboards, metric_names, panel_queries, rules
from .prometheus_api import PrometheusAPI, wait_for

pytestmark = pytest.mark.usefixtures("traffic")

# What Grafana puts in $__rate_interval with the datasource's 15s scrape interval and a 15s
# step: max($__interval + scrape interval, 4 x scrape interval).
RATE_INTERVAL = "1m"
STEP = 15


def test_traffic_produced_every_kind_of_answer(traffic: TrafficWindow) -> None:
    assert {200, 201, 401, 404, 422, 500} <= set(traffic.statuses)


def test_every_target_is_up(prometheus: PrometheusAPI) -> None:
    targets = prometheus.get("targets")["activeTargets"]
    jobs = {t["labels"]["job"] for t in targets}
    assert jobs == set(scrape_jobs())
    down = {t["scrapeUrl"]: t["lastError"] for t in targets if t["health"] != "up"}
    assert down == {}
    assert len([t for t in targets if t["labels"]["job"] == "backend"]) == 2, "each replica"


def test_every_rule_evaluates_without_error(prometheus: PrometheusAPI) -> None:
    evaluated = [
        (group["name"], rule["name"], rule["health"], rule.get("lastError", ""))
        for group in prometheus.get("rules")["groups"]
        for rule in group["rules"]
    ]
    assert len(evaluated) == len(rules())
    assert [r for r in evaluated if r[2] != "ok"] == []


def test_every_metric_a_rule_or_panel_reads_exists(prometheus: PrometheusAPI) -> None:
    recorded = {rule.name for rule in rules() if not rule.is_alert}
    used = set().union(*(metric_names(rule.expr) for rule in rules()))
    used |= set().union(*(metric_names(expr) for _, _, expr in panel_queries()))
    stored = set(prometheus.get("label/__name__/values"))
    # Scraped names must come from the exporters; recorded ones from our own rules.
    assert used - stored == set()
    assert recorded - stored == set()


def test_the_watchdog_reaches_its_own_receiver(monitoring_stack: Stack) -> None:
    heartbeats = wait_for(
        lambda: _notifications(monitoring_stack, "Watchdog", "firing"),
        timeout=60,
        what="a Watchdog notification",
    )
    assert {(n["path"], n["body"]["receiver"]) for n in heartbeats} == {("/watchdog", "watchdog")}


# --- every panel would show data ----------------------------------------------------------------


def _fill_variables(dashboard: dict[str, Any], expr: str, prometheus: PrometheusAPI) -> str:
    """Substitute each template variable as Grafana does with "All" selected."""
    for variable in dashboard["templating"]["list"]:
        match = re.fullmatch(r"label_values\((.*),\s*(\w+)\)", variable["query"])
        assert match, f"unsupported variable query {variable['query']}"
        values = prometheus.label_values(match.group(1), match.group(2))
        assert values, f"variable ${variable['name']} has no value"
        # Grafana's regex formatting of a multi-value variable, escaped for a PromQL string.
        escaped = [re.sub(r"([\\.+*?()|\[\]{}^$])", r"\\\\\1", v) for v in values]
        expr = expr.replace(f"${variable['name']}", f"({'|'.join(escaped)})")
    return expr.replace("$__rate_interval", RATE_INTERVAL)


@pytest.mark.parametrize(
    ("dashboard", "title", "expr"),
    panel_queries(),
    ids=[f"{d}:{t}:{i}" for i, (d, t, _) in enumerate(panel_queries())],
)
def test_panel_query_returns_data(
    prometheus: PrometheusAPI, traffic: TrafficWindow, dashboard: str, title: str, expr: str
) -> None:
    query = _fill_variables(dashboards()[dashboard], expr, prometheus)
    result = prometheus.query_range(query, traffic.start, time.time(), STEP)
    values = [v for series in result for _, v in series["values"] if v not in ("NaN", "+Inf")]
    assert values, f"{dashboard} / {title} would show No data: {query}"


# --- the outage, last: it stops the backend -----------------------------------------------------


def _notifications(stack: Stack, alertname: str, status: str) -> list[dict[str, Any]]:
    return [
        n
        for n in stack.alert_webhook.received()
        if any(
            a["labels"]["alertname"] == alertname and a["status"] == status
            for a in n["body"]["alerts"]
        )
    ]


def test_api_down_pages_through_alertmanager_and_resolves(monitoring_stack: Stack) -> None:
    """ApiDown keeps its real `for: 1m` and Alertmanager its real timings: the test waits."""
    stack = monitoring_stack
    stopped = time.monotonic()
    for replica in stack.backend.replicas:
        replica.stop()
    try:
        [page, *_] = wait_for(
            lambda: _notifications(stack, "ApiDown", "firing"), 240, "paged for ApiDown"
        )
        paged_after = time.monotonic() - stopped
    finally:
        restarted = time.monotonic()
        for n, replica in enumerate(stack.backend.replicas):
            replica.start()
            replica.wait_http(f"{stack.backend.url(n)}/health/ready", timeout=60)
    assert page["path"] == "/alerts"
    assert page["body"]["receiver"] == "critical"
    [alert] = [a for a in page["body"]["alerts"] if a["labels"]["alertname"] == "ApiDown"]
    assert alert["labels"]["severity"] == "critical"
    assert alert["annotations"]["runbook_url"].endswith("docs/runbooks/ApiDown.md")

    wait_for(lambda: _notifications(stack, "ApiDown", "resolved"), 240, "told ApiDown resolved")
    resolved_after = time.monotonic() - restarted
    # Shown with -rA or -s: how long an operator waits for the page and for the all-clear.
    print(f"ApiDown paged {paged_after:.0f}s after the stop, resolved {resolved_after:.0f}s after")
    assert paged_after > 60, "fired before its for: 1m had passed"
