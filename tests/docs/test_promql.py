"""The PromQL the documents give to paste: it parses (promtool), and every metric it reads is
one the live stack's Prometheus stores or one of prometheus/rules/ records."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest
import yaml

from stack.runner import Stack
from tests.monitoring.monitoring_files import metric_names, rules
from tests.monitoring.prometheus_api import PrometheusAPI, wait_for

from .doc_commands import PromQL, all_promql


@pytest.mark.parametrize("expr", all_promql(), ids=lambda e: e.where)
def test_promql_parses(expr: PromQL, tmp_path: Path) -> None:
    promtool = shutil.which("promtool")
    assert promtool, "promtool not found: run `make deps`"
    file = tmp_path / "doc.yml"
    rule = {"record": "doc:expr", "expr": expr.expr}
    file.write_text(yaml.safe_dump({"groups": [{"name": "doc", "rules": [rule]}]}))
    result = subprocess.run(
        [promtool, "check", "rules", str(file)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"{expr.where}: {expr.expr}\n{result.stdout}{result.stderr}"


@pytest.fixture(scope="module")
def stored_names(settled_stack: Stack) -> set[str]:
    docs_stack = settled_stack
    """Metric names after one of each kind of request, and two scrapes to see them."""
    with httpx.Client(base_url=docs_stack.nginx.url, timeout=10) as client:
        email = f"docs-{time.time_ns()}@example.com"
        signup = {"email": email, "password": "correct horse", "full_name": "Docs"}
        client.post("/api/v1/auth/signup", json=signup)
        token = client.post(
            "/api/v1/auth/login", data={"username": email, "password": "correct horse"}
        ).json()["access_token"]
        client.post(
            "/api/v1/items", json={"title": "t"}, headers={"Authorization": f"Bearer {token}"}
        )
        client.get("/api/v1/test/error")
    prometheus = PrometheusAPI(docs_stack.prometheus.url)
    # Scraped after the requests: the counters they moved are non-zero in Prometheus.
    wait_for(
        lambda: prometheus.query(
            'app_items_created_total > 0 and on () http_requests_total{status="500"}'
        ),
        timeout=60,
        what="the requests scraped",
    )
    return set(prometheus.get("label/__name__/values"))


@pytest.mark.parametrize("expr", all_promql(), ids=lambda e: e.where)
def test_promql_names_metrics_that_exist(expr: PromQL, stored_names: set[str]) -> None:
    recorded = {rule.name for rule in rules() if not rule.is_alert}
    missing = metric_names(expr.expr) - stored_names - recorded
    assert not missing, f"{expr.where}: {expr.expr}\n    no such metric: {sorted(missing)}"
